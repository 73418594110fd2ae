"""Imports as offices have them: a provincial random-check list with its own headers, mapped to our
fields on the command line and on the upload screen; the missing-columns error in both languages."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from jianguan.catalog.models import SupervisionItem
from jianguan.core.errors import DomainError
from jianguan.core.models import ImportBatch, ImportMapping
from jianguan.platform.importing import run_import

# The headers of a real provincial 随机抽查事项清单 (no such file ships in shared data; rows are made here).
HEADERS = "编号,抽查事项名称,抽查子项,抽查依据,抽查主体,抽查对象,抽查比例,抽查频次,抽查方式"
ROWS = [
    "1,对食品生产企业的监督检查,食品生产许可条件保持情况,《中华人民共和国食品安全法》第一百一十条,省市场监管局,食品生产企业,5%,每年一次,现场检查",
    "2,对特种设备使用单位的监督检查,使用登记情况,《中华人民共和国特种设备安全法》第五十七条,省市场监管局,特种设备使用单位,5%,每年一次,现场检查",
    "3,,缺少名称的子项,依据,省市场监管局,企业,5%,每年一次,书面检查",
]


@pytest.fixture
def provincial_list(tmp_path):
    path = tmp_path / "随机抽查事项清单.csv"
    path.write_text("\n".join([HEADERS, *ROWS]) + "\n", encoding="utf-8")
    return path


MAPS = ["抽查事项名称=name", "抽查依据=legal_basis", "抽查对象=object_type", "抽查方式=method", "抽查主体="]


def _sets(province):
    return [
        f"department={province.market.uscc}",
        "effective_from=2026-01-01",
        "code=3700009{编号:07}",
        "random_check=是",
    ]


def test_the_missing_columns_error_is_chinese_and_english(db, province, provincial_list):
    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        run_import("catalog", provincial_list.read_bytes(), provincial_list.name)
    body = caught.value.as_body()
    assert body["code"] == "missing_columns"
    assert "事项编码" in body["message"] and "code" in body["message"]
    assert body["message_en"].startswith("The file lacks required columns")
    assert not re.search(r"[\u4e00-\u9fff]{4,}", body["message_en"].split(":", 1)[0])
    assert not ImportBatch.objects.exists()


def test_the_command_line_maps_their_columns_and_sets_what_a_person_decides(db, province, provincial_list, capsys):
    call_command(
        "import",
        "catalog",
        str(provincial_list),
        map=MAPS,
        set=_sets(province),
        source="山东省随机抽查清单",
        remember=True,
    )
    out = capsys.readouterr().out
    batch = ImportBatch.objects.get()
    assert (batch.received, batch.accepted, batch.rejected, batch.duplicates) == (3, 2, 1, 0)
    assert "row 4: rejected" in out  # the row without a name is kept with its reason
    item = SupervisionItem.objects.get(code="37000090000001")
    assert item.name == "对食品生产企业的监督检查" and item.department == province.market and item.random_check
    assert item.legal_basis.startswith("《中华人民共和国食品安全法》") and item.object_type == "食品生产企业"
    stored = ImportMapping.objects.get(kind="catalog", source="山东省随机抽查清单")
    assert stored.columns["抽查事项名称"] == "name" and stored.fixed["code"] == "3700009{编号:07}"

    # The remembered mapping serves the next file of the same source: the same rows are duplicates now.
    call_command("import", "catalog", str(provincial_list), source="山东省随机抽查清单")
    again = ImportBatch.objects.latest("id")
    assert (again.received, again.accepted, again.rejected, again.duplicates) == (3, 0, 1, 2)


def test_a_mapping_to_a_field_we_do_not_have_is_refused(db, province, provincial_list):
    with pytest.raises(CommandError, match="Not a field of this kind"):
        call_command("import", "catalog", str(provincial_list), map=["抽查比例=ratio"], set=_sets(province))


def test_the_upload_offers_the_mapping_and_imports_with_it(db, province, make_user, provincial_list):
    client = Client()
    client.force_login(make_user("department_admin", department=province.market))
    url = "/policies/imports/catalog/mapping/"
    with provincial_list.open("rb") as handle:
        page = client.post(url, {"file": handle, "source": "省局清单"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="mapping-form"' in text and 'id="mapping-missing"' in text
    assert "对食品生产企业的监督检查" in text  # the preview
    assert "监管对象类型" in text and "object_type" in text  # our fields, explained
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    headers = HEADERS.split(",")
    data = {"token": token, "source": "省局清单", "remember": "on"}
    ours = {"抽查事项名称": "name", "抽查依据": "legal_basis", "抽查对象": "object_type", "抽查方式": "method"}
    for index, header in enumerate(headers):
        data[f"col_{index}"] = ours.get(header, "")
    data.update(
        {"set_department": province.market.uscc, "set_effective_from": "2026-01-01", "set_code": "3700009{编号:07}"}
    )
    done = client.post(url, data)
    assert done.status_code == 302, done.content.decode()[:2000]
    batch = ImportBatch.objects.get()
    assert done["Location"] == f"/import-batches/{batch.pk}/" or str(batch.pk) in done["Location"]
    assert (batch.received, batch.accepted, batch.rejected) == (3, 2, 1)
    assert ImportMapping.objects.filter(kind="catalog", source="省局清单").exists()
    # A stale or foreign token is refused without importing anything.
    assert client.post(url, {**data, "token": "nope"}).status_code == 400
    assert ImportBatch.objects.count() == 1


def test_only_master_data_writers_reach_the_mapping_screen(db, province, make_user):
    client = Client()
    client.force_login(make_user("officer", department=province.lixia_market))
    assert client.get("/policies/imports/catalog/mapping/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_import_mapping_screen(
    flushable_audit, live_server, province, make_user, browser_page, screenshot, provincial_list
):
    from tests.conftest import PASSWORD

    user = make_user("department_admin", department=province.market)
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/catalog/import/")
    page.click("#import-mapping-link a")
    page.set_input_files("#id_file", str(provincial_list))
    page.click("#mapping-upload-submit")
    page.wait_for_selector("#mapping-form")
    page.select_option("select[aria-label=抽查事项名称]", "name")
    page.fill("input[name=set_department]", province.market.uscc)
    page.fill("input[name=set_effective_from]", "2026-01-01")
    page.fill("input[name=set_code]", "3700009{编号:07}")
    for width in (1400, 390):
        screenshot(page, "import-mapping", width=width)
    page.click("#mapping-submit")
    page.wait_for_selector("#batch-counts")
    assert page.inner_text("[data-count=accepted]") == "2"
    assert page.inner_text("[data-count=rejected]") == "1"
