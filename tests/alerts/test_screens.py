"""Alert screens: the list within scope with its filters and export, the alert page's step forms
from 签收 to 办结 (a rectification order opened on the way), a refused step beside its field, the
dashboard, and no code names on screen."""

import pytest
from django.test import Client

from tests.alerts.test_alerts import deliver_all, gas_leak
from tests.ui_text import csv_rows, leaked_codes, visible_text

pytestmark = pytest.mark.django_db


def zh(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


@pytest.fixture
def people(make_user, province):
    return {
        "lixia": zh(make_user("department_admin", department=province.lixia_market)),
        "qingdao": zh(make_user("department_admin", department=province.qd_market)),
    }


def test_the_list_holds_the_scoped_filtered_alerts_and_exports_them(monitor, people):
    from jianguan.alerts.models import Alert

    gas_leak(monitor)
    deliver_all()
    alert = Alert.objects.get()
    page = people["lixia"].get("/alerts/", {"level": "red", "is_open": "true"})
    text = visible_text(page.content.decode())
    assert alert.number in text and "红色" in text and "待签收" in text
    assert leaked_codes(text) == set()
    assert alert.number not in people["lixia"].get("/alerts/", {"level": "blue"}).content.decode()
    rows = csv_rows(people["lixia"].get("/alerts/", {"level": "red", "export": "csv"}))
    assert [r[0] for r in rows[1:]] == [alert.number]
    assert alert.number not in people["qingdao"].get("/alerts/").content.decode()
    assert people["qingdao"].get(f"/alerts/{alert.pk}/").status_code == 404
    assert people["qingdao"].post(f"/alerts/{alert.pk}/sign/").status_code == 404


def test_from_signing_to_closing_on_the_alert_page(monitor, people):
    from jianguan.alerts.models import Alert
    from jianguan.rectification.models import Rectification

    gas_leak(monitor)
    deliver_all()
    alert = Alert.objects.get()
    lixia, url = people["lixia"], f"/alerts/{alert.pk}/"
    first = visible_text(lixia.get(url).content.decode())
    assert "可燃气体浓度达到报警值" in first and "签收" in first and leaked_codes(first) == set()
    assert lixia.post(f"{url}sign/").status_code == 302
    refused = lixia.post(f"{url}verify/", {"verdict": "true", "reason": ""})
    assert refused.status_code == 400 and 'id="verify-form"' in refused.content.decode()
    assert "is-invalid" in refused.content.decode().split('id="verify-form"')[1].split("</form>")[0]
    assert lixia.post(f"{url}verify/", {"verdict": "true", "reason": "现场确有泄漏"}).status_code == 302
    lixia.post(f"{url}dispose/", {"disposal": "rectification", "note": "责令整改", "requirement": "更换燃气软管"})
    order = Rectification.objects.get()
    assert order.source_ref == alert.number
    assert order.number in lixia.get(url).content.decode()
    lixia.post(f"{url}feedback/", {"note": "已整改"})
    lixia.post(f"{url}close/")
    alert.refresh_from_db()
    assert (alert.item.state, alert.is_open) == ("closed", False)
    history = visible_text(lixia.get(url).content.decode()).split("办理经过")[-1]
    assert all(step in history for step in ("签收", "处置", "反馈", "办结"))


def test_the_dashboard_counts_open_alerts_and_shows_precision(monitor, people):
    gas_leak(monitor)
    deliver_all()
    page = people["lixia"].get("/alerts/dashboard/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="level-plot"' in html and 'id="alert-quality"' in html
    assert "#c62828" in html.split('id="level-plot"')[1].split("</script>")[0]  # red drawn red
    text = visible_text(html)
    assert "可燃气体浓度达到报警值" in text and leaked_codes(text) == set()
