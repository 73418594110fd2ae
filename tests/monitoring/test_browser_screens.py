"""In Chromium: a device's page draws its hourly mean over a minimum–maximum band and switches to
30 days, and the clue list stays readable at 1400 and 390 px; screenshots for the guide."""

import datetime as dt
import math

import pytest
from django.utils import timezone

from tests.conftest import log_in

pytestmark = pytest.mark.browser

NARROWEST = """() => Math.min(...Array.from(document.querySelectorAll('main td, main th'))
  .filter(c => c.offsetParent !== null && c.innerText.trim().length > 1).map(c => c.getBoundingClientRect().width))"""
SERIES = """() => echarts.getInstanceByDom(document.getElementById('device-chart')).getOption().series
  .map(s => s.data.filter(v => v !== null && v !== undefined).length)"""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_device_page_and_clue_list_in_a_browser(
    flushable_audit, live_server, monitor, province, make_user, browser_page, screenshot
):
    from jianguan.monitoring.models import Clue
    from jianguan.monitoring.services import register_device
    from jianguan.monitoring.tasks import silent_devices
    from tests.monitoring.test_detections import b64, png

    m = monitor
    # Nine days of a cold store every 15 minutes: a daily swing around 4 ℃, a door left open on
    # the second day (above 8 ℃ for an hour, above 15 ℃ once), and a gap of half a day.
    start = (timezone.now() - dt.timedelta(days=9)).replace(minute=0, second=0, microsecond=0)
    offset = (start - m.t0).total_seconds() / 60
    readings = []
    for step in range(9 * 24 * 4):
        minutes = offset + 15 * step
        hour = step / 4
        if 100 <= hour < 112:
            continue
        value = 4 + 1.5 * math.sin(hour / 24 * 2 * math.pi) + (step % 3) * 0.3
        if 60 <= hour < 61.5:
            value = 12 + (hour - 60) * 4
        readings.append(m.reading(m.cold, minutes, round(value, 2)))
    # The gas sensor reported hourly, once at the alarm level, and fell silent a day ago.
    readings += [m.reading(m.gas, offset + 15 * s, 2 + (s % 5)) for s in range(0, 8 * 24 * 4, 4)]
    readings.append(m.reading(m.gas, offset + 15 * 501, 24))
    assert m.post(readings).json()["rejected"] == 0
    kitchen = register_device(
        code="KIT-001", source=m.source, kind="kitchen", name="后厨明厨亮灶摄像头",
        department=province.lixia_market, region="370102", subject=m.cold.subject,
    )  # fmt: skip
    found = [
        {"device": kitchen.code, "time": m.at(offset + 60 * h), "model": "kitchen-yolo", "model_version": "2026.11",
         "label": label, "confidence": 0.92, "box": [10, 20, 30, 40], "image": b64(png(40 + h, size=48))}
        for h, label in [(200, "rat"), (201, "no_mask"), (202, "rat")]
    ]  # fmt: skip
    assert (
        m.client().post("/api/v1/monitoring/detections", found, content_type="application/json").json()["accepted"] == 3
    )
    silent_devices.call_local()  # the periodic task, as it runs every five minutes
    user = make_user("department_admin", department=province.jn_market)

    page = browser_page
    log_in(page, live_server.url, user.username)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/monitoring/devices/{m.cold.pk}/")
    page.wait_for_selector("#device-chart canvas")
    # Three series: the band's floor, its height and the mean; one point an hour over 7 days, minus the gap.
    counts = page.evaluate(SERIES)
    assert counts[0] == counts[1] == counts[2] and 7 * 24 - 12 - 2 <= counts[2] <= 7 * 24 - 12 + 1
    screenshot(page, "monitoring-device", width=1400)
    page.click("#chart-range [data-days='30']")
    page.wait_for_function(
        "() => document.querySelector(\"#chart-range [data-days='30']\").classList.contains('active')"
    )
    assert "days=30" in page.url
    longer = page.evaluate(SERIES)
    assert longer[2] > counts[2] and longer[2] <= 9 * 24 - 12 + 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#device-chart canvas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "monitoring-device", width=390)

    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/monitoring/clues/")
    page.wait_for_selector("#clues tbody tr")
    assert page.locator("#clues .level-badge.level-red").count() >= 1
    screenshot(page, "monitoring-clues", width=1400)
    page.goto(f"{live_server.url}/monitoring/devices/")
    page.wait_for_selector("#devices tbody tr")
    screenshot(page, "monitoring-devices", width=1400)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/monitoring/clues/", "/monitoring/devices/", "/monitoring/refused/"):
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        assert page.evaluate(NARROWEST) >= 40, url
    page.goto(f"{live_server.url}/monitoring/clues/")
    screenshot(page, "monitoring-clues", width=390)
    page.click("#clues tbody tr a >> nth=0")
    page.wait_for_selector("#clue-evidence")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "monitoring-clue", width=390)
    # A kitchen camera's clue shows its evidence images, loaded through the staff's own scope.
    rat = Clue.objects.get(device=kitchen, rule="kitchen_rat")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/monitoring/clues/{rat.pk}/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#clue-images img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("#clue-images img").count() == 2
    screenshot(page, "monitoring-clue-detections", width=1400)
