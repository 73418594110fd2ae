"""Control characters from outside (NUL first: PostgreSQL cannot store it) are refused per row.

Before the fix a record holding U+0000 failed the whole batch on PostgreSQL with a DataError: the API
answered 500, the CLI died, the batch stayed `running` and the valid rows sent with it were lost.
"""

import json

import pytest
from django.test import Client

from jianguan.core.choices import ImportStatus
from jianguan.core.models import ImportBatch, ImportRow
from jianguan.records.models import Record

from .test_files_and_outbox import ingest_cli

BAD = [
    ("subject_name", "济南\x00食品有限公司", "U+0000"),
    ("subject_name", "济南\x1b[31m食品", "U+001B"),
    ("subject_name", "删除符\x7f", "U+007F"),
    ("subject_name", "退格\b", "U+0008"),
]


def test_the_api_rejects_each_bad_row_and_writes_the_rest(setup, inspection):
    rows = [inspection("OK-1")]
    rows += [inspection(f"BAD-{n}", **{field: value}) for n, (field, value, _label) in enumerate(BAD)]
    rows += [inspection("NESTED", officers=[{"name": "王执法\x00", "certificate_no": "CERT000001"}])]
    rows += [inspection("OK-2", category="日常\t检查\r\n")]  # tab, CR and LF are text
    body = json.dumps(rows, ensure_ascii=True).encode()  # ensure_ascii: every control as a \\u escape
    response = Client(HTTP_AUTHORIZATION=f"Bearer {setup.token}").post(
        "/api/v1/exchange/records", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["received"], result["accepted"], result["rejected"]) == (len(rows), 2, len(BAD) + 1)
    errors = {e["row"]: e for e in result["errors"]}
    for n, (field, _value, label) in enumerate(BAD, start=2):
        assert errors[n]["code"] == "control_character" and errors[n]["field"] == field
        assert label in errors[n]["message"] and label in errors[n]["message_en"]
    assert errors[len(rows) - 1]["field"] == "officers.0.name"
    assert set(Record.objects.values_list("source_id", flat=True)) == {"OK-1", "OK-2"}
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.COMPLETED
    kept = ImportRow.objects.get(row_number=2).data
    assert kept["subject_name"] == "济南\ufffd食品有限公司"  # kept for correction, the character shown


@pytest.mark.parametrize("escape", ["\\u0000", "\\b", "\\u007f", "\\ud800"])
def test_a_json_lines_file_with_control_escapes(setup, inspection, tmp_path, escape):
    good = json.dumps(inspection("L1"), ensure_ascii=False)
    bad = json.dumps(inspection("L2", subject_name="名称XX"), ensure_ascii=False).replace("XX", escape)
    path = tmp_path / "records.jsonl"
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    counts = ingest_cli(path)
    assert (counts["received"], counts["accepted"], counts["rejected"]) == (2, 1, 1)
    row = ImportRow.objects.get()
    assert row.row_number == 2 and row.errors[0]["code"] in {"control_character", "invalid_json"}
    assert ImportBatch.objects.get().status == ImportStatus.COMPLETED


def test_a_raw_control_byte_in_a_line_is_refused_with_its_line(setup, inspection, tmp_path):
    path = tmp_path / "records.jsonl"
    line = json.dumps(inspection("R1", subject_name="名称XX"), ensure_ascii=False).encode()
    path.write_bytes(line.replace(b"XX", b"\x00") + b"\n" + json.dumps(inspection("R2")).encode() + b"\n")
    counts = ingest_cli(path)
    assert (counts["accepted"], counts["rejected"]) == (1, 1)
    assert "\x00" not in json.dumps(ImportRow.objects.get().data)


def test_control_characters_in_field_names_are_refused_too(setup, inspection):
    """A fuzzed call named its fields with NUL and other controls: the row was kept as it came and
    PostgreSQL answered the whole call with a server error."""
    rows = [
        {"4\u00bc\x00\u0096": {}},
        {"f\x1a\U0001d46e\b": {"": False}},
        {"a\nb": 1, "\x0f": [[True], True]},
        inspection("OK-1"),
    ]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {setup.token}").post(
        "/api/v1/exchange/records", json.dumps(rows), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["received"], result["accepted"], result["rejected"]) == (4, 1, 3)
    assert {e["row"] for e in result["errors"]} == {1, 2, 3}
    assert "\\u0000" not in json.dumps(list(ImportRow.objects.values_list("data", flat=True)))
    assert set(Record.objects.values_list("source_id", flat=True)) == {"OK-1"}
