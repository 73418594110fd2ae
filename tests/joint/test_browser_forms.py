"""In Chromium: a campaign posted with an end before its start and no title comes back on the
campaigns page with each error under its own field, at 1400 px and on a 390 px phone."""

import pytest

from tests.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_campaign_shows_each_error_under_its_field(
    flushable_audit, live_server, setup, province, make_user, browser_page, screenshot
):
    from jianguan.joint.models import Campaign
    from jianguan.joint.services import setup as joint_setup

    joint_setup()
    admin = make_user("department_admin", department=province.jn_market)
    page = browser_page
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        log_in(page, live_server.url, admin.username)
        page.goto(f"{live_server.url}/joint/campaigns/")
        page.select_option("#participants", [str(province.lixia_market.pk)])
        page.select_option("#items", [str(setup.item.pk)])
        page.fill("#starts_on", "2026-11-01")
        page.fill("#ends_on", "2026-10-01")
        page.click("#campaign-form button")
        page.wait_for_selector("#title.is-invalid")
        assert page.is_visible("#error-title")
        # The date fields keep what was typed, and the service's rule on the window shows under the end date.
        assert page.input_value("#starts_on") == "2026-11-01"
        page.fill("#title", "校园周边食品安全专项整治")
        page.click("#campaign-form button")
        page.wait_for_selector("#ends_on.is-invalid")
        field, error = page.locator("#ends_on").bounding_box(), page.locator("#error-ends_on").bounding_box()
        assert 0 <= error["y"] - (field["y"] + field["height"]) < 40 and abs(error["x"] - field["x"]) < 2
        assert page.input_value("#title") == "校园周边食品安全专项整治"
        page.locator("#campaign-form").scroll_into_view_if_needed()
        screenshot(page, "joint-campaign-form-errors", width=width)
    assert not Campaign.objects.exists()
