"""Correcting a quarantined row: every field of its kind listed by name with its help, values as
plain text, parsed back; errors beside the field in the reader's language."""

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from jianguan.exchange.services import ingest
from jianguan.records.models import Record
from tests.ui_text import leaked_codes

pytestmark = pytest.mark.django_db
HEADERS = ["来源记录编号", "监管事项目录编码", "实施机构编码", "行政相对人性质", "行政相对人证件类型", "行政相对人编码",
           "行政相对人名称", "行政区划代码", "行为日期", "报送时间", "检查人员", "执法证号"]  # fmt: skip


def client_for(user, language="zh-hans"):
    client = Client()
    client.force_login(user)
    if language != "zh-hans":
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


def labels_and_values(html: str) -> str:
    """What the form shows of each field: its label, and the value in its box."""
    form = html.split('id="correction"')[1]
    labels = re.findall(r"<label[^>]*>(.*?)</label>", form, flags=re.S)
    values = re.findall(r'<input[^>]*name="(?!csrf)[^"]*"[^>]*value="([^"]*)"', form)
    selected = re.findall(r"<option[^>]*selected>([^<]*)</option>", form)
    return " ".join(re.sub(r"<[^>]+>", " ", t) for t in labels + values + selected)


def upload_without_the_form_column(setup, province, admin):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    officers = setup.officers[:2]
    sheet.append(["UP-9", setup.item.code, province.lixia_market.uscc, "法人", "统一社会信用代码", setup.subject.uscc,
                  setup.subject.name, "370102", "2026-03-02", "2026-03-04 10:00",
                  "、".join(o.name for o in officers), "、".join(o.certificate_no for o in officers)])  # fmt: skip
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "检查.xlsx"
    response = admin.post("/exchange/upload/", {"source": setup.source.pk, "kind": "inspection", "file": data})
    assert response.status_code == 302
    return response["Location"]


def test_a_row_missing_a_column_is_fixed_by_filling_in_the_field(setup, province, make_user):
    admin = client_for(make_user("department_admin", department=province.jn_market))
    batch_url = upload_without_the_form_column(setup, province, admin)
    url = f"{batch_url}rows/2/correct/"
    html = admin.get(url).content.decode()
    # 检查形式 (form of inspection) had no column in the file: it is listed, required, with its error.
    block = html.split('id="field-form"')[1].split('id="field-')[0]
    assert "检查形式" in block and 'class="text-danger"' in block and "is-invalid" in block
    assert "01 日常检查" in block  # a choice by its code and name
    # Every field of the inspection schema is there, optional ones too; the file's cells as typed.
    for title in ("双随机一公开计划ID", "经营地址", "检查项结果", "执法证号"):
        assert title in html
    shown = labels_and_values(html)
    assert not leaked_codes(shown)
    assert "source_id" not in shown and "officers" not in shown and "[{" not in html.split('id="correction"')[1]
    officers = setup.officers[:2]
    assert f'value="{"、".join(o.name for o in officers)}"' in html
    assert '<option value="2" selected>' in html  # 法人 in the file is subject nature 2
    form = {
        "kind": "inspection", "source_id": "UP-9", "item_code": setup.item.code,
        "department": province.lixia_market.uscc, "subject_nature": "2", "subject_id_type": "001",
        "subject_code": setup.subject.uscc, "subject_name": setup.subject.name, "region": "370102",
        "action_date": "2026-03-02", "reported_at": "2026-03-04 10:00",
        "officers": ", ".join(o.name for o in officers), "执法证号": ", ".join(o.certificate_no for o in officers),
        "check_items": "0101:合格, 0102:不合格", "operating_address": "济南市历下区泉城路1号",
    }  # fmt: skip
    again = admin.post(url, form)  # still no form of inspection: refused beside the field
    assert again.status_code == 200
    with translation.override("zh-hans"):
        required = translation.gettext("This field is required.")
    assert required in again.content.decode().split('id="field-form"')[1].split('id="field-')[0]
    assert not Record.objects.filter(source_id="UP-9").exists()
    done = admin.post(url, {**form, "form": "01"})
    assert done.status_code == 302, done.content.decode()[-3000:]
    record = Record.objects.get(source_id="UP-9")
    assert record.details["check_items"] == [{"code": "0101", "result": "pass"}, {"code": "0102", "result": "fail"}]
    assert [o["name"] for o in record.details["officers"]] == [o.name for o in officers]


def test_an_api_row_shows_lists_as_text_and_errors_in_the_readers_language(setup, inspection, province, make_user):
    batch = ingest(enumerate([inspection("API-1", region="379999")], 1), source=setup.source, channel="api")
    user = make_user("department_admin", department=province.jn_market)
    url = f"/exchange/batches/{batch.pk}/rows/1/correct/"
    html = client_for(user).get(url).content.decode()
    officers = setup.officers[:2]
    assert f'value="{", ".join(o.name for o in officers)}"' in html
    assert f'value="{", ".join(o.certificate_no for o in officers)}"' in html
    assert 'value="0101:合格, 0102:不合格"' in html
    assert 'value="2026-03-04 10:00"' in html  # the report time as typed, not as ISO with its offset
    region = html.split('id="field-region"')[1].split('id="field-')[0]
    assert "is-invalid" in region and "行政区划代码不存在" in region
    english = client_for(user, "en").get(url).content.decode()
    region_en = english.split('id="field-region"')[1].split('id="field-')[0]
    assert "Administrative division code" in region_en and "行政区划代码不存在" not in region_en
    assert "invalid-feedback" in region_en
    # A cell that cannot be read is refused beside its field, in both languages.
    bad = client_for(user, "en").post(url, {"kind": "inspection", "action_date": "2026-13-45"})
    date_block = bad.content.decode().split('id="field-action_date"')[1].split('id="field-')[0]
    assert "invalid-feedback" in date_block
    fixed = {
        "kind": "inspection", "source_id": "API-1", "item_code": setup.item.code,
        "department": province.lixia_market.uscc, "subject_nature": "2", "subject_id_type": "001",
        "subject_code": setup.subject.uscc, "subject_name": setup.subject.name, "region": "370102",
        "action_date": "2026-03-02", "reported_at": "2026-03-04 10:00", "form": "01",
        "officers": ", ".join(o.name for o in officers), "执法证号": ", ".join(o.certificate_no for o in officers),
    }  # fmt: skip
    assert client_for(user).post(url, fixed).status_code == 302
    assert Record.objects.filter(source_id="API-1", region_id="370102").exists()


def plot_data(html: str, name: str) -> dict:
    import json

    return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_the_quality_chart_and_the_batch_page_name_rules_and_fields(setup, inspection, province, make_user):
    from jianguan.records.rules import describe

    batch = ingest(
        enumerate([inspection("A"), inspection("B", region="x"), inspection("C", subject_code="123")], 1),
        source=setup.source,
        channel="api",
    )
    leader = client_for(make_user("leader", department=province.market, department_scope="all", region_scope="all"))
    html = leader.get("/exchange/quality/").content.decode()
    axis = plot_data(html, "rejection-plot")["categories"]
    assert axis and not any(re.fullmatch(r"[a-z_]+", label) for label in axis)
    assert describe("string_pattern_mismatch")[0] in axis
    admin = client_for(make_user("department_admin", department=province.jn_market))
    page = admin.get(f"/exchange/batches/{batch.pk}/").content.decode()
    errors = re.sub(r"<[^>]+>", " ", page.split('id="row-errors"')[1].split("</table>")[0])
    assert "行政区划代码" in errors and not leaked_codes(errors)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", errors)
