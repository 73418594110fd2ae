"""Smoke suite against a running deployment, over HTTP, as its users and operators meet it.

    python deploy/smoke.py prepare            # in the deployment's environment: a source system, its
                                              # token, an administrator's session and three records
                                              # to send, printed as JSON
    python deploy/smoke.py run BASE_URL STANDIN_URL < prepared.json

run checks: /health reports ok with PostgreSQL and the queue; a demo account logs in and sees its
home; a batch sent through the bulk API is accepted; the task consumer delivers it to the national
stand-in within a minute; /metrics counts the requests and the outbox. Exits non-zero on the first
failure, saying which.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def prepare() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.config.settings")
    django.setup()
    from jianguan.exchange.services import register_source
    from jianguan.records.models import Record

    template = (
        Record.objects.filter(kind="inspection", is_deleted=False)
        .exclude(subject_id_type="111")
        .select_related("department")
        .order_by("id")
        .first()
    )
    if template is None:
        sys.exit("no inspection record to model the smoke batch on: load the demo first")
    source, token = register_source(f"smoke-{int(time.time())}", "冒烟测试执法系统", template.department)
    details = {k: v for k, v in template.details.items() if v not in ([], None, "")}
    records = [
        {
            "kind": "inspection",
            "source_id": f"SMOKE-{n}",
            "item_code": template.item_code,
            "department": template.department.uscc,
            "subject_nature": template.subject_nature,
            "subject_id_type": template.subject_id_type,
            "subject_code": template.subject_code,
            "subject_name": template.subject_name,
            "region": template.region_id,
            "action_date": template.action_date.isoformat(),
            "reported_at": template.reported_at.isoformat(),
            "result": f"冒烟测试第{n}次检查：未发现问题",
            **details,
        }
        for n in range(1, 4)
    ]
    from django.contrib.auth import get_user_model
    from django.test import Client

    staff = Client()
    staff.force_login(get_user_model().objects.get(username="admin"))
    session = staff.cookies["sessionid"].value
    print(
        json.dumps({"source": source.name, "token": token, "session": session, "records": records}, ensure_ascii=False)
    )


class Session:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})  # noqa: S310 - http URLs given on the command line
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")


def check(condition: bool, what: str, detail: object = "") -> None:
    if not condition:
        sys.exit(f"SMOKE FAILED: {what} {detail}")
    print(f"ok  {what}")


def run(base: str, standin: str) -> None:
    prepared = json.load(sys.stdin)
    web = Session(base)

    status, body = web.call("GET", "/health")
    health = json.loads(body)
    check(status == 200 and health["status"] in ("ok", "warn"), "health endpoint answers", health)
    check(health["checks"]["database"]["vendor"] == "postgresql", "health: PostgreSQL answers")
    check(health["checks"]["queue"]["status"] == "ok", "health: the task queue answers", health["checks"]["queue"])

    status, page = web.call("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    check(status == 200 and token is not None, "login page served")
    form = urllib.parse.urlencode(
        {"username": "admin", "password": "Demo-2026!", "csrfmiddlewaretoken": token.group(1).decode()}
    ).encode()
    status, page = web.call(
        "POST",
        "/login/",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": base + "/login/"},
    )
    status, page = web.call("GET", "/")
    check(status == 200 and web.cookie("sessionid") != "", "the platform administrator logs in", status)
    check("平台管理员".encode() in page, "the administrator's home is shown in Chinese")

    standin_session = Session(standin)
    status, body = standin_session.call("GET", "/stats")
    sent_before = json.loads(body).get("messages", 0) if status == 200 else 0

    status, body = web.call(
        "POST",
        "/api/v1/exchange/records",
        json.dumps(prepared["records"], ensure_ascii=False).encode(),
        {"Authorization": f"Bearer {prepared['token']}", "Content-Type": "application/json"},
    )
    answer = json.loads(body)
    check(status == 200 and answer.get("accepted") == 3, "a batch of three records is accepted", answer)

    deadline = time.monotonic() + 90
    delivered = sent_before
    while time.monotonic() < deadline:
        status, body = standin_session.call("GET", "/stats")
        delivered = json.loads(body).get("messages", 0) if status == 200 else 0
        if delivered >= sent_before + 3:
            break
        time.sleep(1)
    check(delivered >= sent_before + 3, "the task consumer delivered the batch to the national stand-in", delivered)

    status, body = web.call("GET", "/metrics")
    text = body.decode()
    check(status == 200 and "jianguan_http_requests_total" in text, "metrics count the requests")
    check("jianguan_outbox_pending_records" in text and "jianguan_ingest_rows_total" in text, "metrics: outbox, ingest")

    status, body = web.call("GET", "/health")
    check(status == 200 and json.loads(body)["checks"]["outbox"]["status"] == "ok", "health: the outbox is clear")
    print("smoke suite passed")


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare()
    elif sys.argv[1:2] == ["run"] and len(sys.argv) == 4:
        run(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
