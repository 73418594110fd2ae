"""Every submitted row is accounted for: accepted, rejected with reasons, or a duplicate."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from jianguan.audit.models import AuditEvent
from jianguan.core.codes import uscc_with_check
from jianguan.core.errors import DomainError
from jianguan.core.models import ImportBatch, ImportRow
from jianguan.officers.models import Officer
from jianguan.platform.importing import rejected_rows_file, run_import
from jianguan.subjects.models import Subject


def uscc(n, county="370102"):
    return uscc_with_check(f"91{county}MA{n:07d}")


def csv_bytes(rows, encoding="utf-8"):
    return "\n".join(",".join(r) for r in rows).encode(encoding)


def assert_adds_up(batch):
    assert batch.received == batch.accepted + batch.rejected + batch.duplicates
    assert batch.rows.count() == batch.rejected + batch.duplicates


@pytest.mark.django_db
def test_good_and_bad_rows_are_each_accounted_for():
    bad_check = uscc(3)[:-1] + ("0" if uscc(3)[-1] != "0" else "1")
    data = csv_bytes(
        [
            ["名称", "统一社会信用代码", "行政区划代码", "成立日期"],
            ["济南泉城食品有限公司", uscc(1), "370102", "2020-03-05"],
            ["济南历山商贸有限公司", uscc(2), "", "2019/7/1"],
            ["坏校验码有限公司", bad_check, "370102", ""],
            ["无代码个体户", "", "370102", ""],
            ["未来公司", uscc(4), "370102", "2999-01-01"],
            ["错区划公司", uscc(5), "999999", ""],
        ]
    )
    batch = run_import("subjects", data, "subjects.csv")
    assert (batch.received, batch.accepted, batch.rejected, batch.duplicates) == (6, 2, 4, 0)
    assert_adds_up(batch)
    errors = {r.row_number: r.errors for r in batch.rows.all()}
    assert errors[4][0]["code"] == "uscc_checksum" and "校验码" in errors[4][0]["message"]
    assert errors[5][0]["code"] == "identity_missing"
    assert errors[6][0]["code"] == "date_in_future"
    assert errors[7][0]["code"] == "unknown_region"
    assert all(e["message_en"] for es in errors.values() for e in es)
    # The region comes from the USCC when the column is blank.
    assert Subject.objects.get(uscc=uscc(2)).region_id == "370102"


@pytest.mark.django_db
def test_gbk_csv_with_english_headers_and_dates_as_text():
    data = csv_bytes(
        [
            ["name", "uscc", "region_code", "registration_date", "legal_representative"],
            ["淄博鲁中陶瓷有限公司", uscc(11, "370302"), "370302", "2018年5月6日", "张三"],
            ["淄博博山琉璃有限公司", uscc(12, "370304"), "370304", "20170102", "李四"],
        ],
        encoding="gbk",
    )
    batch = run_import("subjects", data, "gbk.csv")
    assert batch.accepted == 2, list(batch.rows.values_list("errors", flat=True))
    subject = Subject.objects.get(uscc=uscc(11, "370302"))
    assert str(subject.registration_date) == "2018-05-06" and subject.legal_representative == "张三"


@pytest.mark.django_db
def test_utf8_bom_csv_is_read():
    data = "\ufeff" + "名称,统一社会信用代码\n济南测试有限公司," + uscc(21) + "\n"
    assert run_import("subjects", data.encode("utf-8"), "bom.csv").accepted == 1


@pytest.mark.django_db
def test_duplicate_codes_in_one_file_and_against_the_register():
    first = run_import("subjects", csv_bytes([["名称", "统一社会信用代码"], ["济南一号有限公司", uscc(31)]]), "a.csv")
    assert first.accepted == 1
    batch = run_import(
        "subjects",
        csv_bytes(
            [
                ["名称", "统一社会信用代码"],
                ["济南二号有限公司", uscc(32)],
                ["济南二号有限公司（重复）", uscc(32)],
                ["济南一号有限公司", uscc(31)],
            ]
        ),
        "b.csv",
    )
    assert (batch.received, batch.accepted, batch.rejected, batch.duplicates) == (3, 1, 0, 2)
    codes = sorted(e["code"] for r in batch.rows.all() for e in r.errors)
    assert codes == ["duplicate_existing", "duplicate_in_file"]
    assert Subject.objects.filter(uscc=uscc(32)).count() == 1


def _xlsx(rows, merge=None, formula=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    if formula:
        sheet[formula[0]] = formula[1]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_xlsx_with_merged_cells_dates_and_formula_without_value():
    import datetime as dt

    data = _xlsx(
        [
            ["名称", "统一社会信用代码", "行政区划代码", "成立日期"],
            ["济南合并一有限公司", uscc(41), "370102", dt.datetime(2021, 1, 2)],
            ["济南合并二有限公司", uscc(42), None, 44000],  # merged region cell; Excel serial date
            ["济南公式有限公司", None, "370102", None],
        ],
        merge="C2:C3",
        formula=("B4", '=CONCAT("91","370102")'),
    )
    batch = run_import("subjects", data, "merged.xlsx")
    assert (batch.accepted, batch.rejected) == (2, 1)
    assert Subject.objects.get(uscc=uscc(42)).region_id == "370102"
    assert str(Subject.objects.get(uscc=uscc(42)).registration_date) == "2020-06-18"
    assert batch.rows.get().errors[0]["code"] == "formula_without_value"


@pytest.mark.django_db
@override_settings(IMPORT_MAX_BYTES=2048)
def test_oversized_file_writes_nothing():
    data = csv_bytes([["名称", "统一社会信用代码"]] + [[f"公司{n}", uscc(n)] for n in range(200)])
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        run_import("subjects", data, "big.csv")
    assert caught.value.code == "file_too_large" and caught.value.status == 413
    assert ImportBatch.objects.count() == 0 and Subject.objects.count() == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"PK\x03\x04garbage", "broken.xlsx", "file_unreadable"),
        (b"\xff\xfe\x00garbage\xff\x81\xff", "binary.csv", "file_encoding"),
        ("地址,电话\n济南,123\n".encode(), "nocols.csv", "missing_columns"),
        (b"", "empty.csv", "file_empty"),
        (b"x", "data.pdf", "file_type"),
    ],
)
def test_malformed_files_write_nothing_and_say_why(data, name, code):
    with pytest.raises(DomainError) as caught:
        run_import("subjects", data, name)
    assert caught.value.code == code
    assert caught.value.as_body()["message"] and caught.value.as_body()["message_en"]
    assert ImportBatch.objects.count() == 0 and Subject.objects.count() == 0


@pytest.mark.django_db
def test_rejected_rows_download_and_resubmission():
    batch = run_import(
        "subjects",
        csv_bytes([["名称", "统一社会信用代码", "行政区划代码"], ["济南待改有限公司", uscc(51), "9999"]]),
        "r.csv",
    )
    assert batch.rejected == 1
    sheet = openpyxl.load_workbook(io.BytesIO(rejected_rows_file(batch))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1].startswith("错误原因") and "行政区划" in rows[1][-1]
    fixed = csv_bytes([list(rows[0][:-1]), ["济南待改有限公司", uscc(51), "370102"]])
    again = run_import("subjects", fixed, "r-fixed.csv", resubmits=batch)
    assert again.accepted == 1 and again.resubmits == batch


@pytest.mark.django_db
def test_import_is_one_audit_event_per_batch():
    before = AuditEvent.objects.count()
    run_import(
        "subjects",
        csv_bytes([["名称", "统一社会信用代码"], ["甲有限公司", uscc(61)], ["乙有限公司", uscc(62)]]),
        "a.csv",
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "import.subjects" and event.after["rows"] == 2


@pytest.mark.django_db
def test_person_id_number_is_hashed_and_masked(make_subject):
    batch = run_import(
        "subjects", csv_bytes([["姓名", "身份证号", "行政区划代码"], ["王五", "11010519491231002X", "370102"]]), "p.csv"
    )
    assert batch.accepted == 1
    subject = Subject.objects.get(name="王五")
    assert subject.kind == "person" and subject.id_number_masked == "110105********002X"
    assert "11010519491231002X" not in json.dumps(list(Subject.objects.values()), default=str)
    assert "11010519491231002X" not in json.dumps(list(AuditEvent.objects.values("after")), default=str)


def test_cli_import_prints_json_summary_last(province, tmp_path, capsys):
    path = tmp_path / "officers.csv"
    path.write_text(
        "姓名,执法证号,所属部门,执法领域\n"
        f"赵六,JN000001,{province.lixia_market.uscc},市场监管\n"
        f"钱七,JN000002,不存在的部门,市场监管\n",
        encoding="utf-8",
    )
    call_command("import", "officers", str(path), "--json")
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last == {"received": 2, "accepted": 1, "rejected": 1, "duplicates": 0, "batch": last["batch"]}
    assert Officer.objects.get(certificate_no="JN000001").sectors.get().code == "scjg"
    assert ImportRow.objects.get(batch_id=last["batch"]).errors[0]["code"] == "unknown_department"


def test_cli_import_of_malformed_file_fails_clearly(db, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("import", "subjects", str(path))


def test_catalog_and_department_imports(province, tmp_path):
    items = csv_bytes(
        [
            ["事项编码", "事项名称", "主项编码", "实施部门", "监管层级", "是否双随机抽查事项", "生效日期"],
            ["37010001000000", "对食品经营者的监督检查", "", province.market.uscc, "省级", "是", "2024-01-01"],
            [
                "37010001010000",
                "对食品经营者的监督检查（日常）",
                "37010001000000",
                province.market.uscc,
                "县级",
                "否",
                "2024-01-01",
            ],
            ["3701000100", "编码太短", "", province.market.uscc, "省级", "否", "2024-01-01"],
        ]
    )
    batch = run_import("catalog", items, "items.csv")
    assert (batch.accepted, batch.rejected) == (2, 1)
    assert batch.rows.get().errors[0]["code"] == "item_code_format"
    departments = csv_bytes(
        [
            ["部门名称", "行政区划代码", "上级部门"],
            ["济南市槐荫区市场监督管理局", "370104", province.jn_market.uscc],
            ["莱芜区市场监督管理局", "371200", province.jn_market.uscc],  # historical code → 济南
        ]
    )
    batch = run_import("departments", departments, "depts.csv")
    assert batch.accepted == 2
    from jianguan.core.models import Department

    laiwu = Department.objects.get(name="莱芜区市场监督管理局")
    assert laiwu.region_id == "370100" and laiwu.path.startswith(province.jn_market.path)


def test_web_import_shows_row_errors(province, admin_user):
    client = Client()
    client.force_login(admin_user)
    upload = io.BytesIO(csv_bytes([["名称", "统一社会信用代码"], ["济南网页有限公司", uscc(71)], ["坏行", "123"]]))
    upload.name = "web.csv"
    response = client.post("/subjects/import/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert 'data-count="accepted">1<' in page and 'data-count="rejected">1<' in page
    assert "统一社会信用代码应为18位" in page


@pytest.mark.django_db
def test_a_control_character_rejects_its_row_and_the_rest_is_written():
    data = csv_bytes(
        [
            ["名称", "统一社会信用代码", "行政区划代码", "备\x00注"],
            ["济南泉城食品有限公司", uscc(1), "370102", ""],
            ["济南\x00历山商贸有限公司", uscc(2), "370102", ""],
            ["济南\x0b明湖商贸有限公司", uscc(3), "370102", ""],
        ]
    )
    batch = run_import("subjects", data, "主体\x00.csv")
    assert (batch.received, batch.accepted, batch.rejected) == (3, 1, 2)
    assert batch.filename == "主体\ufffd.csv"
    assert_adds_up(batch)
    errors = {r.row_number: r.errors[0] for r in batch.rows.all()}
    assert errors[3]["code"] == errors[4]["code"] == "control_character"
    assert errors[3]["field"] == "name" and "U+0000" in errors[3]["message"] and "U+000B" in errors[4]["message_en"]
    kept = batch.rows.get(row_number=3).data
    assert kept["名称"] == "济南\ufffd历山商贸有限公司" and "备\ufffd注" in kept
    assert list(Subject.objects.values_list("uscc", flat=True)) == [uscc(1)]
