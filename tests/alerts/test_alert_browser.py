"""In Chromium: a department administrator takes a gas-leak alert from 签收 to 办结 on its page,
opening a rectification order on the way, at 1400 px and on a 390 px phone."""

import pytest

from tests.alerts.test_alerts import deliver_all, gas_leak
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_alert_from_signing_to_closing_with_a_rectification_order(
    flushable_audit, live_server, monitor, make_user, province, browser_page, screenshot
):
    from jianguan.alerts.models import Alert
    from jianguan.rectification.models import Rectification

    admin = make_user("department_admin", department=province.lixia_market)
    gas_leak(monitor)
    deliver_all()
    alert = Alert.objects.get()
    page = browser_page
    log_in(page, live_server.url, admin.username)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/alerts/?is_open=true")
    page.click(f"text={alert.number}")
    assert "待签收" in page.inner_text("#alert-state") and "可燃气体浓度达到报警值" in page.inner_text("#signals")
    screenshot(page, "alert-issued", width=1400)
    page.click("#sign-form button")
    page.wait_for_selector("#verify-form")
    page.select_option("#verify-form select[name=verdict]", "true")
    page.fill("#verify-form textarea[name=reason]", "现场核查确有燃气泄漏")
    page.click("#verify-form button")
    page.wait_for_selector("#dispose-form")
    page.select_option("#dispose-form select[name=disposal]", "rectification")
    page.fill("#dispose-form textarea[name=note]", "责令立即整改")
    page.fill("#dispose-form textarea[name=requirement]", "更换老化燃气软管并加装自动切断阀")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "alert-dispose", width=390)
    page.click("#dispose-form button")
    page.wait_for_selector("#feedback-form")
    order = Rectification.objects.get()
    assert order.number in page.inner_text("body")
    page.fill("#feedback-form textarea[name=note]", "已整改，复查合格")
    page.click("#feedback-form button")
    page.click("#close-form button")
    page.wait_for_function("document.querySelector('#alert-state').innerText.includes('已办结')")
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(page, "alert-closed", width=1400)
    alert.refresh_from_db()
    assert (alert.item.state, alert.verdict, alert.disposal_ref) == ("closed", "true", order.number)
    history = page.inner_text("#alert-history")
    assert all(step in history for step in ("签收", "研判属实或无法判定", "处置", "反馈", "办结"))
