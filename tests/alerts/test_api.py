"""The alerts API: list and page within scope, the handling path step by step, refusals in both
languages, and the quality table."""

import pytest
from django.test import Client

from tests.alerts.test_alerts import deliver_all, gas_leak

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_alert_handled_through_the_api(monitor, make_user, province):
    lixia = client_for(make_user("department_admin", department=province.lixia_market))
    qingdao = client_for(make_user("department_admin", department=province.qd_market))
    gas_leak(monitor)
    deliver_all()
    [alert] = lixia.get("/api/v1/alerts").json()["items"]
    assert (alert["level"], alert["state_label"], alert["sources"]) == ("red", "待签收", ["monitoring"])
    assert qingdao.get("/api/v1/alerts").json()["count"] == 0
    assert qingdao.get(f"/api/v1/alerts/{alert['id']}").status_code == 404
    assert qingdao.post(f"/api/v1/alerts/{alert['id']}/sign").status_code == 404
    url = f"/api/v1/alerts/{alert['id']}"
    assert lixia.post(f"{url}/sign").json()["state"] == "signed"
    refused = lixia.post(f"{url}/verify", {"verdict": "maybe", "reason": "看不清"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "unknown_verdict"
    assert refused.json()["message"] != refused.json()["message_en"]
    step = lixia.post(
        f"{url}/verify", {"verdict": "false", "reason": "传感器故障误报"}, content_type="application/json"
    )
    assert step.json()["state"] == "closed" and step.json()["open"] is False
    page = lixia.get(url).json()
    assert [s["action"] for s in page["steps"]] == ["sign", "dismiss"]
    assert page["signals"][0]["rule"] == "gas_leak"
    [row] = lixia.get("/api/v1/alerts/quality").json()
    assert (row["false"], row["precision"]) == (1, 0.0)
