"""In Chromium, as people use it: a citizen files with a pin placed on the county map and follows the
demand without the query code in any address, rates it with nothing preselected, and the hotline
operator works the queue at 1400 px and on a 390 px phone. Screenshots go to the kept folder."""

import re

import pytest

from tests.conftest import log_in
from tests.ui_text import leaked_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FORM = {
    "is_true": True,
    "is_resolved": True,
    "handling_notes": "执法人员现场检查，过期牛奶已下架封存",
    "public_reply": "经核查情况属实，已责令商户下架并立案调查",
}


def login(page, live_server, user):
    log_in(page, live_server.url, user.username)


def map_ready(page):
    page.wait_for_selector("#pin-map[data-ready='1']", timeout=20_000)


def test_filing_with_a_pin_and_tracking_without_the_code_in_any_address(
    flushable_audit, live_server, hotline, browser_page, screenshot
):
    from jianguan.complaints.models import WorkOrder

    page = browser_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/public/complaints/")
    map_ready(page)
    assert page.input_value("#id_latitude") == "" and page.input_value("#id_longitude") == ""

    # 泉城广场 in 历下区: the citizen zooms in with the wheel over it, then clicks where the map draws it.
    def pixel():
        return page.evaluate(
            "() => echarts.getInstanceByDom(document.getElementById('pin-map'))"
            ".convertToPixel({geoIndex: 0}, [117.0233, 36.6615])"
        )

    box = page.locator("#pin-map").bounding_box()
    for _turn in range(25):  # each turn of the wheel zooms 10 %
        x, y = pixel()
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(40)
    x, y = pixel()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    latitude, longitude = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    assert abs(latitude - 36.6615) < 0.005 and abs(longitude - 117.0233) < 0.005
    assert page.inner_text("#pin-county") == "历下区"
    page.fill("#id_content", "泉城广场旁边一家小吃店卖的凉皮变质了，吃完肚子疼，要求查处")
    page.fill("#id_phone", "13812345678")
    screenshot(page, "complaint-file-with-pin", width=1400)
    screenshot(page, "complaint-file-with-pin", width=390)
    page.set_viewport_size({"width": 1400, "height": 900})
    # What the button shows once the form is sent (kept across the navigation in sessionStorage).
    page.evaluate(
        """() => document.getElementById('complaint-form').addEventListener('submit', () => setTimeout(() => {
             const b = document.getElementById('complaint-submit');
             sessionStorage.setItem('busy', JSON.stringify({disabled: b.disabled, text: b.innerText.trim(),
               spinner: !b.querySelector('.spinner-border').classList.contains('d-none')}));
           }, 0))"""
    )
    page.click("#complaint-submit")
    page.wait_for_selector("#complaint-filed")
    busy = page.evaluate("() => JSON.parse(sessionStorage.getItem('busy'))")
    assert busy == {"disabled": True, "text": "Submitting…", "spinner": True} or busy == {
        "disabled": True,
        "text": "正在提交…",
        "spinner": True,
    }
    number, code = page.inner_text("#filed-number"), page.inner_text("#filed-code")
    order = WorkOrder.objects.get(number=number)
    assert order.region_id == "370102" and abs(order.latitude - latitude) < 1e-6
    # The filer follows it from the confirmation, in the same browser.
    page.click("#track-link")
    page.wait_for_selector("#track-steps")
    map_ready(page)
    assert page.url.endswith(f"/public/complaints/track/{number}/")
    assert page.locator("#track-steps li").count() == 1 and "历下区" not in page.inner_text("#track-result")
    screenshot(page, "complaint-track-pin", width=1400)
    screenshot(page, "complaint-track-pin", width=390)
    page.set_viewport_size({"width": 1400, "height": 900})
    # Another visit (cookies gone): the number and the code are posted, and the page opens.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/public/complaints/track/{number}/")
    page.wait_for_selector("#track-form")
    assert page.input_value("#id_number") == number
    page.fill("#id_code", code)
    page.click("#track-submit")
    page.wait_for_selector("#track-steps")
    assert leaked_codes(page.inner_text("main") if page.locator("main").count() else page.inner_text("body")) == set()
    # The staff see the same pin on the order.
    login(page, live_server, hotline.operator)
    page.goto(f"{live_server.url}/complaints/{number}/")
    map_ready(page)
    assert page.get_attribute("#pin-map", "data-lat") == f"{order.latitude:.6f}"
    screenshot(page, "complaint-staff-detail-pin", width=1400)
    assert requested and not [u for u in requested if code in u or "code=" in u]


def test_rating_starts_with_nothing_chosen_and_asks_for_a_choice(
    flushable_audit, live_server, hotline, browser_page, screenshot
):
    from jianguan.complaints import services

    order, code = services.receive(
        {
            "content": "我在济南市历下区泉城路一家超市买到过期的牛奶，要求依法处理",
            "address": "济南市历下区泉城路",
            "kind": "complaint",
            "category": "060101",
        },
        channel="portal",
    )
    services.accept(order, hotline.lixia_officer)
    services.reply(order, hotline.lixia_officer, FORM)
    page = browser_page
    page.goto(f"{live_server.url}/public/complaints/track/")
    page.fill("#id_number", order.number)
    page.fill("#id_code", code)
    page.click("#track-submit")
    page.wait_for_selector("#rating-form")
    radios = page.locator("#rating-form input[type=radio]")
    assert radios.count() == 3
    assert not any(radios.nth(i).is_checked() for i in range(3))
    page.click("#rate-submit")
    page.wait_for_selector("#id_satisfaction-error")
    assert page.inner_text("#id_satisfaction-error") == "这个字段是必填项。"
    screenshot(page, "complaint-rating-required", width=1400)
    screenshot(page, "complaint-rating-required", width=390)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.check("#s-basic")
    page.click("#rate-submit")
    page.wait_for_selector("#rated")
    assert page.inner_text("#track-state") == "已办结" and page.inner_text("#track-rating") == "基本满意"
    assert code not in page.url


def test_operator_queue_reads_at_1400_and_on_a_390_phone(
    flushable_audit, live_server, hotline, browser_page, screenshot
):
    from jianguan.complaints import services

    for n in range(3):
        services.receive(
            {
                "content": f"济南市历下区泉城路{n + 1}号一家超市卖过期牛奶，要求依法处理并给予说法",
                "address": f"济南市历下区泉城路{n + 1}号",
                "kind": "complaint",
                "category": "060101",
            },
            channel="portal",
        )
    page = browser_page
    login(page, live_server, hotline.operator)
    page.goto(f"{live_server.url}/complaints/")
    page.wait_for_selector("#orders")
    assert page.locator("td.order-state").first.inner_text() == "待签收"
    screenshot(page, "complaint-queue", width=1400)
    page.set_viewport_size({"width": 390, "height": 844})
    # The table scrolls sideways inside its frame; no cell is squeezed into a column a character wide.
    cells = page.locator("#orders tbody tr").first.locator("td")
    for index in range(cells.count()):
        box = cells.nth(index).bounding_box()
        assert box["width"] >= 20 and box["height"] < 80
    frame = page.locator(".table-responsive:has(#orders)")
    assert frame.evaluate("e => e.scrollWidth > e.clientWidth")
    assert re.fullmatch(r"\d{18}", page.locator("#orders tbody tr").first.locator("td a").first.inner_text())
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, "complaint-queue", width=390)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/complaints/analysis/")
    page.wait_for_selector("#chart-units canvas")
    screenshot(page, "complaint-analysis", width=1400)
    screenshot(page, "complaint-analysis", width=390)
