"""National risk warnings through the gateway: each field checked with bilingual errors, the call
receipted and logged, a repeat counted as a duplicate, the warning fused into the subject's alert,
and the feedback rendered back in the same format."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(province):
    from jianguan.exchange.services import register_source

    _source, token = register_source("national", "国家“互联网+监管”系统", province.market)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def warning(**changes):
    return {
        "warningId": "GJ-2026-0001",
        "issuedAt": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "level": 2,
        "regionCode": "370102",
        "itemCode": "37010001000000",
        "title": "冷链食品风险提示",
        "content": "请对辖区冷链食品经营者开展排查",
        **changes,
    }


def post(client, body):
    return client.post("/api/v1/alerts/national", body, content_type="application/json")


def test_warnings_are_checked_receipted_and_fused(national, setup, province, make_user):
    from jianguan.alerts.models import Alert
    from jianguan.exchange.models import Message
    from jianguan.exchange.services import verify_receipt

    body = [
        warning(subjectCode=setup.subject.uscc),
        warning(warningId="GJ-2", level=9),
        warning(warningId="GJ-3", regionCode="379999"),
        warning(warningId="GJ-4", subjectCode="91370102MA3C0000X1"),
        warning(warningId="GJ-5", issuedAt="2026-12-07T08:00:00"),
        warning(warningId="GJ-6", title="风险\u0000提示"),
        "not an object",
    ]
    response = post(national, body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["received"], out["accepted"], out["rejected"], out["duplicates"]) == (7, 1, 6, 0)
    by_row = {e["row"]: e for e in out["errors"]}
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7]
    assert by_row[2]["field"] == "level" and by_row[3]["code"] == "unknown_region"
    assert by_row[4]["field"] == "subjectCode" and by_row[6]["code"] == "forbidden_character"
    assert all(e["message"] and e["message_en"] for e in out["errors"])
    assert verify_receipt(out["receipt"], out["signature"])
    assert Message.objects.get(pk=out["receipt"]["message"]).accepted == 1
    alert = Alert.objects.get()
    assert (alert.subject, alert.level, alert.sources) == (setup.subject, "orange", ["national_warning"])
    again = post(national, {"warnings": [warning(subjectCode=setup.subject.uscc)]}).json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    # The feedback, once handled, in the warnings' own format.
    from jianguan.alerts import services

    admin = make_user("department_admin", department=province.lixia_market)
    alert.department = province.lixia_market
    alert.save()
    services.sign(alert, admin)
    services.verify(alert, admin, "false", "经排查未发现问题")
    staff = Client()
    staff.force_login(admin)
    [reply] = staff.get(f"/api/v1/alerts/{alert.pk}/national-reply").json()
    assert (reply["warningId"], reply["status"], reply["verdict"]) == ("GJ-2026-0001", "closed", "false")
    assert [s["action"] for s in reply["steps"]] == ["sign", "dismiss"]


def test_only_a_gateway_client_sends_warnings(national, make_user, province):
    staff = Client()
    staff.force_login(make_user("platform_admin", department=province.market))
    assert post(staff, [warning()]).status_code == 403
    assert post(national, b"{").status_code == 400
