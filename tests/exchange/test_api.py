"""The bulk intake endpoint, its limits and malformed input, receipts, and the scoped reads."""

import json

import pytest
from django.test import Client

from jianguan.exchange.models import Message
from jianguan.records.models import Record


@pytest.fixture
def sender(setup):
    return Client(HTTP_AUTHORIZATION=f"Bearer {setup.token}")


def post(client, body, **extra):
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return client.post("/api/v1/exchange/records", data, content_type="application/json", **extra)


def test_bulk_call_answers_counts_row_errors_and_a_signed_receipt(sender, inspection):
    response = post(sender, [inspection("A"), inspection("B", region="379999")])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["received"], body["accepted"], body["rejected"], body["duplicates"]) == (2, 1, 1, 0)
    assert body["errors"] == [
        {
            "row": 2,
            "field": "region",
            "code": "region_unknown",
            "message": "行政区划代码不存在",
            "message_en": "Unknown administrative division code.",
        }
    ]
    receipt = body["receipt"]
    assert receipt["accepted"] == 1 and len(receipt["payload_sha256"]) == 64
    verify = sender.post(
        "/api/v1/exchange/receipts/verify",
        {"receipt": receipt, "signature": body["signature"]},
        content_type="application/json",
    )
    assert verify.json() == {"valid": True}
    forged = dict(receipt, accepted=2)
    verify = sender.post(
        "/api/v1/exchange/receipts/verify",
        {"receipt": forged, "signature": body["signature"]},
        content_type="application/json",
    )
    assert verify.json() == {"valid": False}


def test_the_message_log_holds_the_payload_hash(sender, inspection):
    import hashlib

    payload = json.dumps({"records": [inspection("A")]}).encode()
    post(sender, payload)
    message = Message.objects.get()
    assert message.payload_sha256 == hashlib.sha256(payload).hexdigest()
    assert message.payload_bytes == len(payload) and message.accepted == 1 and message.channel == "api"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'[{"kind": "inspection",', 400, "invalid_json"),
        (b'[{"subject_name": "\xff\xfe"}]', 400, "invalid_utf8"),
        (b'{"kind": "inspection"}', 400, "invalid_shape"),
        (b"[]", 400, "no_records"),
    ],
    ids=["truncated", "bad-utf8", "not-an-array", "empty"],
)
def test_malformed_calls_are_refused_whole_and_logged(sender, body, status, code):
    response = post(sender, body)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message_en"]
    assert not Record.objects.exists()
    assert Message.objects.get().error_code == code


def test_a_call_over_the_record_limit_writes_nothing(sender, setup, inspection):
    template = inspection("X")
    records = [dict(template, source_id=f"X{i}") for i in range(10_001)]
    response = post(sender, records)
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_records"
    assert "10001" in response.json()["message_en"] and "10000" in response.json()["message_en"]
    assert not Record.objects.exists()


def test_size_and_rate_limits_per_client(sender, setup, inspection):
    setup.source.max_bytes = 2000
    setup.source.requests_per_minute = 2
    setup.source.save()
    big = post(sender, [inspection(f"B{i}") for i in range(5)])
    assert big.status_code == 413 and big.json()["code"] == "payload_too_large"
    assert post(sender, [inspection("A")]).status_code == 200
    limited = post(sender, [inspection("C")])
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert "2" in limited.json()["message"]


def test_only_registered_source_clients_may_send(province, inspection, admin_user):
    from jianguan.accounts.services import create_api_client

    _client, token = create_api_client("not-a-source", province.jn_market)
    response = post(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), [inspection()])
    assert response.status_code == 403 and response.json()["code"] == "not_a_source"
    staff = Client()
    staff.force_login(admin_user)
    assert post(staff, [inspection()]).status_code == 403


def test_timeline_shows_every_department_within_scope(setup, inspection, province, make_user, make_officer):
    from jianguan.exchange.services import ingest, register_source

    env_source, _token = register_source("jn-env", "济南生态环境执法系统", province.jn_env)
    env_officers = [make_officer(province.jn_env, f"环境{i}", ("sthj",)) for i in range(2)]
    env_record = inspection(
        "ENV-1",
        department=province.jn_env.uscc,
        officers=[{"name": o.name, "certificate_no": o.certificate_no} for o in env_officers],
    )
    ingest(
        enumerate([inspection("M-1"), inspection("M-2", action_date="2026-03-03")], 1),
        source=setup.source,
        channel="api",
    )
    ingest(enumerate([env_record], 1), source=env_source, channel="api")

    def timeline(user):
        client = Client()
        client.force_login(user)
        response = client.get(f"/api/v1/records/subjects/{setup.subject.pk}/timeline")
        assert response.status_code == 200
        return [(item["source_id"], item["department_name"]) for item in response.json()["items"]]

    leader = make_user("leader", department=province.market, department_scope="all", region_scope="all")
    assert {sid for sid, _d in timeline(leader)} == {"M-1", "M-2", "ENV-1"}
    assert timeline(leader)[0][0] == "M-2"  # newest first
    market_officer = make_user("officer", department=province.jn_market)
    assert {sid for sid, _d in timeline(market_officer)} == {"M-1", "M-2"}
    qd = make_user("officer", department=province.qd_market)
    client = Client()
    client.force_login(qd)
    assert client.get(f"/api/v1/records/subjects/{setup.subject.pk}/timeline").status_code == 404


def test_batch_rejected_rows_download_and_correction_over_api(sender, setup, inspection, province, make_user):
    body = post(sender, [inspection("A", region="379999")]).json()
    admin = make_user("department_admin", department=province.jn_market)
    client = Client()
    client.force_login(admin)
    rows = client.get(f"/api/v1/exchange/batches/{body['batch']}/rejected").json()["rows"]
    assert rows[0]["errors"][0]["code"] == "region_unknown"
    xlsx = client.get(f"/api/v1/exchange/batches/{body['batch']}/rejected?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    corrected = client.post(
        f"/api/v1/exchange/batches/{body['batch']}/rows/1/correct",
        {"record": dict(rows[0]["data"], region="370102")},
        content_type="application/json",
    )
    assert corrected.status_code == 200 and corrected.json()["accepted"] == 1
    again = client.post(
        f"/api/v1/exchange/batches/{body['batch']}/rows/1/correct",
        {"record": dict(rows[0]["data"], region="370102")},
        content_type="application/json",
    )
    assert again.status_code == 409
    outsider = make_user("department_admin", department=province.qd_market)
    other = Client()
    other.force_login(outsider)
    assert other.get(f"/api/v1/exchange/batches/{body['batch']}/rejected").status_code == 404


def test_quality_api_by_department_and_source(sender, inspection, province, make_user):
    post(sender, [inspection("A"), inspection("B", region="x"), inspection("C", officers=[])])
    leader = make_user("leader", department=province.market, department_scope="all", region_scope="all")
    client = Client()
    client.force_login(leader)
    by_department = client.get("/api/v1/exchange/quality?by=department").json()
    assert by_department["total"]["received"] == 3
    assert by_department["total"]["validity_rate"] == round(1 / 3, 4)
    codes = {r["code"]: r["count"] for r in by_department["rejections"]}
    assert codes == {"string_pattern_mismatch": 1, "officers_too_few": 1}
    assert by_department["trend"][0]["month"] == "2026-03"
    by_source = client.get("/api/v1/exchange/quality?by=source").json()
    assert [r["key"] for r in by_source["rows"]] == ["jn-case"]
    assert client.get("/api/v1/exchange/quality?by=colour").status_code == 400


@pytest.mark.parametrize("signature", ["签名" * 32, "\udcff", None, ""])
def test_a_receipt_with_a_foreign_signature_is_simply_invalid(sender, inspection, signature):
    body = post(sender, [inspection("A")]).json()
    verify = sender.post(
        "/api/v1/exchange/receipts/verify",
        {"receipt": body["receipt"], "signature": signature},
        content_type="application/json",
    )
    assert verify.status_code in (200, 400, 422) and verify.json().get("valid") is not True
    if verify.status_code == 400:  # a lone surrogate is not JSON
        assert verify.json()["code"] == "invalid_json" and verify.json()["message"] != verify.json()["message_en"]
    forged = dict(body["receipt"], message=2**64)
    verify = sender.post(
        "/api/v1/exchange/receipts/verify",
        {"receipt": forged, "signature": body["signature"]},
        content_type="application/json",
    )
    assert verify.status_code == 200 and verify.json() == {"valid": False}
