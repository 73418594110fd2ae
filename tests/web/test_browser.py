"""The flow people depend on, in real Chromium: log in, import with one bad row, see it, find a subject."""

import pytest

from jianguan.core.codes import uscc_with_check
from tests.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_login_import_with_bad_row_and_search(
    flushable_audit, live_server, province, make_user, browser_page, tmp_path
):
    user = make_user("department_admin", department=province.jn_market)
    page = browser_page
    log_in(page, live_server.url, user.username)

    csv_file = tmp_path / "subjects.csv"
    csv_file.write_text(
        "名称,统一社会信用代码,行政区划代码\n"
        f"济南大明湖文化传媒有限公司,{uscc_with_check('91370102MA0000001')},370102\n"
        "济南错误代码有限公司,91370102MA00000019,370102\n",
        encoding="utf-8",
    )
    page.goto(f"{live_server.url}/subjects/import/")
    page.set_input_files("input[type=file]", str(csv_file))
    page.click("#import-submit")
    page.wait_for_selector("#batch-counts")
    assert page.inner_text("[data-count=accepted]") == "1"
    assert page.inner_text("[data-count=rejected]") == "1"
    errors = page.inner_text("#row-errors")
    assert "3" in errors and "校验码" in errors

    page.goto(f"{live_server.url}/subjects/")
    page.fill("input[name=q]", "大明湖")
    page.click("#list-filters button[type=submit]")
    page.wait_for_selector("#results")
    results = page.inner_text("#results")
    assert "济南大明湖文化传媒有限公司" in results and "错误代码" not in results
    page.click("text=济南大明湖文化传媒有限公司")
    page.wait_for_selector("dl")
    assert "历下区" in page.inner_text("dl")
