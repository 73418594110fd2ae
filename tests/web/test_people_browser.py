"""Each role's workbench, a list's filter + sort + export, and the phone menu, in real Chromium.

The screenshots go to the folder CI keeps (tests/conftest.SCREENSHOTS); the user guide shows them.
"""

import csv
import io
from pathlib import Path

import pytest

from jianguan.demo.build import DEMO_PASSWORD, build_demo
from tests.conftest import log_in
from tests.ui_text import leaked_codes

pytestmark = pytest.mark.browser

ROLES = {
    "lixia_officer": "officer",
    "jn_admin": "department_admin",
    "jn_hotline": "hotline_operator",
    "jn_leader": "leader",
    "analyst": "analyst",
    "auditor": "auditor",
    "admin": "platform_admin",
}


def _log_in(page, url, username):
    log_in(page, url, username, DEMO_PASSWORD)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workbenches_lists_and_the_phone_menu(flushable_audit, live_server, browser_page, screenshot):
    build_demo(seed=5, subjects=240, actions=600, complaints=240)
    page = browser_page
    for username, role in ROLES.items():
        _log_in(page, live_server.url, username)
        page.set_viewport_size({"width": 1400, "height": 900})
        assert page.is_visible("#main-menu")
        text = page.inner_text("body")
        assert leaked_codes(text, allow={username}) == set(), username
        screenshot(page, f"workbench-{role}")
        screenshot(page, f"workbench-{role}", width=390)
        # On a phone the menu is folded behind its button: the page starts with the work, not the menu.
        assert not page.is_visible("#main-menu")
        page.click(".navbar-toggler")
        page.wait_for_selector("#main-menu", state="visible")

    _log_in(page, live_server.url, "jn_admin")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/subjects/")
    page.select_option("#id_kind", "enterprise")
    page.click("#list-filters button[type=submit]")
    page.wait_for_url("**kind=enterprise**")
    page.click("#results th a:text('名称')")
    page.wait_for_url("**sort=**")
    assert "kind=enterprise" in page.url  # sorting keeps the filters
    count = int("".join(ch for ch in page.inner_text("#list-count") if ch.isdigit()))
    assert count > 0
    assert leaked_codes(page.inner_text("body"), allow={"jn_admin"}) == set()
    screenshot(page, "list-subjects")
    screenshot(page, "list-subjects", width=390)
    page.set_viewport_size({"width": 1400, "height": 900})
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + count and all(row[2] == "企业" for row in rows[1:])

    _log_in(page, live_server.url, "auditor")
    page.goto(f"{live_server.url}/audit/")
    page.click("#verify-chain")
    page.wait_for_selector("#verify-ok")
    screenshot(page, "audit-trail")
