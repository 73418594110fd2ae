"""Joint screens and API within scope, the public rectification report, and in Chromium an
assistance request from the request to the reply."""

import pytest
from django.test import Client

from tests.conftest import log_in


@pytest.fixture
def people(setup, province, make_user):
    from jianguan.joint.services import setup as joint_setup

    joint_setup()
    return {
        "env": make_user("department_admin", department=province.jn_env),
        "lixia": make_user("officer", department=province.lixia_market),
        "qd": make_user("department_admin", department=province.qd_market),
    }


def test_api_scope_and_national_export(setup, province, people):
    env, lixia, qd = Client(), Client(), Client()
    env.force_login(people["env"])
    lixia.force_login(people["lixia"])
    qd.force_login(people["qd"])
    made = env.post(
        "/api/v1/joint/assistance",
        {
            "assignee": province.lixia_market.pk,
            "subject_id": setup.subject.pk,
            "matters": "请核查后厨卫生",
            "working_days": 5,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    number, pk = made.json()["number"], made.json()["id"]
    assert [r["number"] for r in lixia.get("/api/v1/joint/assistance").json()["items"]] == [number]
    assert qd.get("/api/v1/joint/assistance").json()["count"] == 0
    assert qd.get(f"/api/v1/joint/assistance/{pk}").status_code == 404
    assert qd.post(f"/api/v1/joint/assistance/{pk}/accept").status_code == 404
    assert env.post(f"/api/v1/joint/assistance/{pk}/accept").status_code == 403
    assert lixia.post(f"/api/v1/joint/assistance/{pk}/accept").json()["state"] == "accepted"
    bad = lixia.post(f"/api/v1/joint/assistance/{pk}/reply", {"findings": "x"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "findings"
    huge = lixia.post(
        f"/api/v1/joint/assistance/{pk}/reply",
        {"findings": "已核查，后厨整洁", "records": [2**64]},
        content_type="application/json",
    )
    assert huge.status_code == 422 and huge.json()["errors"][0]["field"] == "records.0"
    assert (
        lixia.post(
            f"/api/v1/joint/assistance/{pk}/reply", {"findings": "已核查，后厨整洁"}, content_type="application/json"
        ).json()["state"]
        == "replied"
    )
    message = env.get(f"/api/v1/joint/national/tasks/{number}").json()
    assert message["taskInfo"]["status"] == "反馈"
    assert qd.get(f"/api/v1/joint/national/tasks/{number}").status_code == 404
    # Bringing a task in is for the gateway's clients and platform administrators.
    assert env.post("/api/v1/joint/national/tasks", message, content_type="application/json").status_code == 403
    from jianguan.accounts.services import create_api_client

    _client, token = create_api_client("national-gateway", province.market)
    gateway = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    message["taskInfo"]["taskNo"] = "NAT-2026-0042"
    brought = gateway.post("/api/v1/joint/national/tasks", message, content_type="application/json")
    assert brought.status_code == 201 and brought.json() == {"requests": ["NAT-2026-0042"]}
    assert "NAT-2026-0042" in [r["number"] for r in lixia.get("/api/v1/joint/assistance").json()["items"]]
    broken = gateway.post("/api/v1/joint/national/tasks", {"taskInfo": {}}, content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "invalid_request" and broken.json()["errors"]
    assert (
        gateway.post("/api/v1/joint/national/tasks", b"[1", content_type="application/json").json()["code"]
        == "invalid_json"
    )
    notice = env.post(
        "/api/v1/joint/notices",
        {"recipients": [province.lixia_market.pk], "title": "抄告", "body": "请关注", "subject_id": setup.subject.pk},
        content_type="application/json",
    )
    assert notice.status_code == 201
    assert lixia.post(f"/api/v1/joint/notices/{notice.json()['id']}/read").json()["read_at"]
    assert qd.post(f"/api/v1/joint/notices/{notice.json()['id']}/read").status_code == 404
    # The subject's one-file view shows the notice and the request to those who may see them.
    page = lixia.get(f"/records/subjects/{setup.subject.pk}/").content.decode()
    assert 'id="panel-notices"' in page and "抄告" in page and number in page
    for url in [
        "/joint/",
        "/joint/claims/",
        "/joint/notices/",
        "/joint/assistance/",
        "/joint/campaigns/",
        "/rectifications/",
    ]:
        assert lixia.get(url).status_code == 200, url
    assert qd.get(f"/joint/assistance/{pk}/").status_code == 404
    # A campaign created on the screen, its progress page, and the national form of it.
    from jianguan.joint.models import Campaign

    env.post(
        "/joint/campaign/0/new/",
        {
            "title": "餐饮油烟与食品安全联合整治",
            "participants": [province.lixia_market.pk],
            "items": [setup.item.pk],
            "starts_on": "2026-11-01",
            "ends_on": "2026-12-31",
            "regions": "370102",
        },
    )
    campaign = Campaign.objects.get(title="餐饮油烟与食品安全联合整治")
    assert campaign.lead == province.jn_env and campaign.tasks.filter(department=province.lixia_market).exists()
    page = lixia.get(f"/joint/campaigns/{campaign.pk}/").content.decode()
    assert 'id="by-department"' in page and "济南市历下区市场监督管理局" in page
    assert env.get(f"/api/v1/joint/national/tasks/ZX{campaign.pk:08d}").json()["taskInfo"]["taskName"] == campaign.title
    assert qd.get(f"/joint/campaigns/{campaign.pk}/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_assistance_request_from_request_to_reply(
    flushable_audit,
    live_server,
    setup,
    province,
    people,
    browser_page,
):
    page = browser_page

    def login(user):
        log_in(page, live_server.url, user.username)

    login(people["env"])
    page.goto(f"{live_server.url}/joint/assistance/")
    page.select_option("#assignee", str(province.lixia_market.pk))
    page.fill("#subject", str(setup.subject.pk))
    page.fill("#matters", "请核查该公司是否存在后厨废水直排")
    page.fill("#working_days", "5")
    page.click("#assistance-form button")
    page.wait_for_selector("#assist-state")
    number = page.inner_text("h1").split()[-1]
    assert page.inner_text("#assist-state") == "待受理"  # the state's name, never its code
    login(people["lixia"])
    page.goto(f"{live_server.url}/joint/assistance/")
    page.click(f"text={number}")
    page.click("#assist-accept")
    page.wait_for_selector("#assist-reply-form")
    page.fill("#findings", "已现场核查：后厨废水经隔油池排入市政管网，未发现直排")
    page.click("#assist-reply-form button")
    page.wait_for_selector("#assist-findings")
    assert page.inner_text("#assist-state") == "已回复"
    login(people["env"])
    page.goto(f"{live_server.url}/joint/assistance/")
    page.click(f"text={number}")
    assert "未发现直排" in page.inner_text("#assist-findings")


def test_joint_lists_do_not_grow_with_the_page(setup, province, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jianguan.joint.services import request_assistance, send_notice

    lixia = Client()
    lixia.force_login(people["lixia"])
    counts = {}
    for rounds in (1, 4):
        for _ in range(rounds):
            request_assistance(province.jn_env, province.lixia_market, setup.subject, "请核查", actor=people["env"])
            send_notice(
                province.jn_env,
                [province.lixia_market, province.qd_market],
                title="抄告",
                body="请关注",
                actor=people["env"],
            )
        for url in (
            "/api/v1/joint/assistance",
            "/api/v1/joint/notices",
            "/api/v1/joint/claims",
            "/api/v1/rectifications",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert lixia.get(url).status_code == 200
            counts.setdefault(url, []).append(len(queries))
    assert all(first == second for first, second in counts.values()), counts
