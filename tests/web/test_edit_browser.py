"""The officer edit form in real Chromium: a refused value shows its message beside the field, on a
desk and on a phone."""

import pytest

from tests.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_officer_edit_form_shows_a_field_error_beside_the_field(
    flushable_audit, live_server, browser_page, screenshot, make_user, make_officer, province
):
    admin = make_user("department_admin", department=province.jn_market)
    officer = make_officer(name="王执法")
    page = browser_page
    log_in(page, live_server.url, admin.username)
    page.goto(f"{live_server.url}/officers/{officer.pk}/edit/")
    page.fill("#id_home_region", "999999")
    page.fill("#id_name", "王")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#error-name")
    assert page.is_visible("#error-home_region")
    assert "is-invalid" in page.get_attribute("#id_name", "class")
    for width in (1400, 390):
        screenshot(page, "officer-edit-error", width=width)
