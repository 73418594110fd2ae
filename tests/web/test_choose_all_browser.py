"""In Chromium: the list kit's "choose all" box in a bulk action's column ticks every row on the page
for the form it points to (the boxes stand outside that form), the count beside the button follows,
and the bulk action then acts on exactly those rows: the page's, not the next page's."""

import pytest

from tests.conftest import log_in
from tests.joint.test_joint import joint  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PER_PAGE = 25


def test_choose_all_marks_every_notice_on_the_page_read(
    flushable_audit,
    live_server,
    province,
    joint,  # noqa: F811
    browser_page,
    screenshot,
):
    from jianguan.joint.models import NoticeRecipient
    from jianguan.joint.services import send_notice

    for n in range(PER_PAGE + 2):
        send_notice(
            province.lixia_market,
            [province.jn_env],
            title=f"抄告第{n + 1:02d}号",
            body="请依职责处理",
            actor=joint["lixia"],
        )
    page = browser_page
    log_in(page, live_server.url, joint["env_admin"].username)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/joint/notices/?per_page={PER_PAGE}")
    rows = page.locator('#notices input[name="notices"]')
    everyone = page.locator("#notices thead input[data-check-all]")
    assert rows.count() == PER_PAGE and everyone.get_attribute("form") == "bulk-read"
    assert everyone.get_attribute("aria-label")
    count = page.locator("#bulk-read-chosen")
    assert "0" in count.inner_text()

    rows.nth(3).check()
    assert everyone.evaluate("box => box.indeterminate") and "1" in count.inner_text()
    everyone.focus()
    page.keyboard.press("Space")  # the box answers the keyboard
    assert everyone.is_checked() and all(rows.nth(i).is_checked() for i in range(PER_PAGE))
    assert str(PER_PAGE) in count.inner_text()
    on_page = {int(rows.nth(i).get_attribute("value")) for i in range(PER_PAGE)}
    screenshot(page, "notices-choose-all", width=1400)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "notices-choose-all", width=390)

    page.click("#read-selected")
    page.wait_for_url(f"{live_server.url}/joint/notices/**")
    receipts = NoticeRecipient.objects.filter(department=province.jn_env)
    assert set(receipts.filter(read_at__isnull=False).values_list("notice_id", flat=True)) == on_page
    assert receipts.filter(read_at__isnull=True).count() == 2  # the next page's rows are left alone
    page.goto(f"{live_server.url}/joint/notices/?unread=true")
    assert page.locator('#notices input[name="notices"]').count() == 2
