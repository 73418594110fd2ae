"""The gateway's and the register's screens: one file per subject, quarantine and correction, quality."""

import io

import openpyxl
import pytest
from django.test import Client

from jianguan.exchange.services import ingest
from jianguan.records.models import Record
from tests.conftest import log_in


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_subject_file_shows_the_timeline_with_counts_and_a_plot(setup, inspection, province, make_user):
    ingest(
        enumerate(
            [inspection("A"), inspection("B", action_date="2026-02-02", reported_at="2026-02-03T09:00:00+08:00")], 1
        ),
        source=setup.source,
        channel="api",
    )
    page = login(make_user("officer", department=province.jn_market)).get(f"/records/subjects/{setup.subject.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "一户一档" in html and setup.subject.name in html
    assert html.index("2026-03-02") < html.index("2026-02-02")  # newest first
    assert 'data-plot="file-plot"' in html and "2026-02" in html
    detail = login(make_user("officer", department=province.jn_market)).get(f"/subjects/{setup.subject.pk}/")
    assert f"/records/subjects/{setup.subject.pk}/" in detail.content.decode()


def test_subject_file_respects_scope(setup, inspection, province, make_user):
    ingest(enumerate([inspection("A")], 1), source=setup.source, channel="api")
    outsider = login(make_user("officer", department=province.qd_market))
    assert outsider.get(f"/records/subjects/{setup.subject.pk}/").status_code == 404
    env = login(make_user("officer", department=province.jn_env))
    page = env.get(f"/records/subjects/{setup.subject.pk}/").content.decode()
    record = Record.objects.get()
    # An inspection is not published: another department's officer sees neither it nor a link to it.
    assert f'href="/records/{record.pk}/"' not in page and "list-group-item text-muted" in page
    assert env.get(f"/records/{record.pk}/").status_code == 404


def test_citizen_names_are_masked_on_screen(setup, inspection, province, make_user):
    ingest(
        enumerate(
            [
                inspection(
                    "Z",
                    subject_nature="1",
                    subject_id_type="111",
                    subject_code="11010519491231002X",
                    subject_name="张三丰",
                )
            ],
            1,
        ),
        source=setup.source,
        channel="api",
    )
    page = login(make_user("officer", department=province.jn_market)).get("/records/").content.decode()
    assert "张**" in page and "张三丰" not in page and "11010519491231002X" not in page


def test_upload_quarantine_and_correction_screens(setup, inspection, province, make_user):
    admin = login(make_user("department_admin", department=province.jn_market))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "来源记录编号",
            "监管事项目录编码",
            "实施机构编码",
            "行政相对人性质",
            "行政相对人证件类型",
            "行政相对人编码",
            "行政相对人名称",
            "行政区划代码",
            "行为日期",
            "报送时间",
            "检查形式",
            "检查人员",
            "执法证号",
        ]
    )
    officers = setup.officers[:2]
    row = [
        setup.item.code,
        province.lixia_market.uscc,
        "法人",
        "统一社会信用代码",
        setup.subject.uscc,
        setup.subject.name,
        "370102",
        "2026-03-02",
        "2026-03-04 10:00",
        "日常检查",
        "、".join(o.name for o in officers),
        "、".join(o.certificate_no for o in officers),
    ]
    sheet.append(["UP-1", *row])
    sheet.append(["UP-2", *row[:6], "379999", *row[7:]])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "检查.xlsx"
    response = admin.post("/exchange/upload/", {"source": setup.source.pk, "kind": "inspection", "file": data})
    assert response.status_code == 302, response.content.decode()[:2000]
    batch_url = response["Location"]
    page = admin.get(batch_url).content.decode()
    assert 'data-count="accepted">1<' in page and 'data-count="rejected">1<' in page
    assert "region_unknown" in page and "行政区划代码不存在" in page
    correct_url = f"{batch_url}rows/3/correct/"
    form = admin.get(correct_url).content.decode()
    assert "is-invalid" in form
    # The correction form lists the record's fields by name; its values are the row's cells as text.
    post = {
        "kind": "inspection",
        "source_id": "UP-2",
        "item_code": setup.item.code,
        "department": province.lixia_market.uscc,
        "subject_nature": "2",
        "subject_id_type": "001",
        "subject_code": setup.subject.uscc,
        "subject_name": setup.subject.name,
        "region": "370102",
        "action_date": "2026-03-02",
        "reported_at": "2026-03-04 10:00",
        "form": "01",
        "officers": ", ".join(o.name for o in officers),
        "执法证号": ", ".join(o.certificate_no for o in officers),
    }
    response = admin.post(correct_url, post)
    assert response.status_code == 302, response.content.decode()
    assert Record.objects.filter(source_id="UP-1").exists() and Record.objects.filter(source_id="UP-2").exists()


def test_quality_page_renders_figures_and_plots(setup, inspection, province, make_user):
    ingest(enumerate([inspection("A"), inspection("B", region="x")], 1), source=setup.source, channel="api")
    leader = login(make_user("leader", department=province.market, department_scope="all", region_scope="all"))
    html = leader.get("/exchange/quality/").content.decode()
    assert 'data-figure="received">2<' in html and 'data-figure="validity">50%<' in html
    assert 'data-plot="trend-plot"' in html and "string_pattern_mismatch" in html
    by_source = leader.get("/exchange/quality/?by=source").content.decode()
    assert "jn-case" in by_source
    overview = leader.get("/exchange/").content.decode()
    assert 'id="outbox-pending">1<' in overview
    assert 'id="messages"' in overview


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_correct_a_rejected_row_and_see_it_in_the_timeline(
    flushable_audit, live_server, setup, inspection, province, make_user, browser_page
):
    user = make_user("department_admin", department=province.jn_market)
    batch = ingest(enumerate([inspection("WEB-1", region="379999")], 1), source=setup.source, channel="api")
    page = browser_page
    log_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/exchange/batches/{batch.pk}/")
    assert "行政区划代码不存在" in page.inner_text("#row-errors")
    page.click("text=更正")
    page.wait_for_selector("#correction")
    field = page.locator("input.is-invalid")
    assert field.input_value() == "379999"
    field.fill("370102")
    page.click("#correction button")
    page.wait_for_selector("text=已更正")
    page.goto(f"{live_server.url}/records/subjects/{setup.subject.pk}/")
    page.wait_for_selector("#timeline")
    assert "2026-03-02" in page.inner_text("#timeline")
    page.wait_for_selector("[data-plot=file-plot] canvas")
    page.goto(f"{live_server.url}/exchange/quality/")
    page.wait_for_selector("#trend-chart canvas")
    assert page.inner_text("[data-figure=received]") == "2"
