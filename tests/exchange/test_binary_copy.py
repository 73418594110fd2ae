"""Records inserted by binary COPY are stored exactly as by the text format, and every output of
the pipeline (records, quarantine, outbox, quality and rejection counters, facts) is the same."""

import datetime as dt

import orjson
import pytest

from jianguan.core.codes import uscc_with_check
from jianguan.core.models import ImportRow
from jianguan.core.pii import decrypt
from jianguan.exchange.models import OutboxBatch, QualityDay, RejectionDay
from jianguan.exchange.services import ingest, register_source
from jianguan.facts.models import Fact
from jianguan.platform.importing import row_data
from jianguan.records.models import Record
from jianguan.records.services import RecordWriter

CHUNK = 3  # several chunks per batch: some all aware (binary), one with a naive report time (text)


def batches(setup, inspection, penalty):
    """A mixed submission in three batches: every kind, rows breaking each sort of rule, lines that
    are not JSON, then duplicates, updates, withdrawals and a record sent again after withdrawal."""
    common = inspection("X", kind="other")
    for name in ("form", "officers", "check_items"):
        common.pop(name)
    first = [
        inspection("INS-1"),
        inspection("INS-2", result="责令整改", check_items=[]),
        inspection(
            "INS-3",
            subject_id_type="111",
            subject_nature="1",
            subject_code="11010519491231002X",
            subject_name="张三",
            registered_address="济南市历下区文化东路1号",
        ),
        penalty("PEN-1", "2026-03-05", ["01"]),
        penalty("PEN-2", "2026-03-06", ["02"], fine="1500.50"),
        dict(common, kind="coercion", source_id="COE-1", coercion_kind="1", measure_type="02", ended_on="2026-03-20"),
        dict(common, kind="licence", source_id="LIC-1", licence_no="JY13701020001", valid_from="2026-03-02"),
        dict(common, kind="other", source_id="OTH-1", measure="约谈", reported_at="2026-03-04T10:00:00"),
        inspection("BAD-1", officers=inspection()["officers"][:1]),  # a schema rule
        inspection("BAD-2", item_code="99999999999999"),  # a register rule
        inspection("BAD-3", form="03"),  # a value outside its choices
        inspection("BAD-4", result="含控制字符\x01"),  # a character no text may hold
        b'{"kind": "inspection", "source_id": ',  # not JSON
        orjson.dumps(
            inspection(
                "INS-4", subject_name="济南新登记商贸有限公司", subject_code=uscc_with_check("91370102MA0000002")
            )
        ),
        {"source_id": "NOPE-1", "deleted": True},  # withdrawal of a record never sent
    ]
    second = [
        inspection("INS-1"),  # unchanged: a duplicate
        inspection("INS-2", result="已整改"),  # changed: an update
        {"source_id": "PEN-1", "deleted": True, "kind": "penalty"},
        inspection("INS-5"),
        {"source_id": "INS-5", "deleted": True},  # new and withdrawn in the same chunk
        inspection("INS-5", result="再次报送"),
        dict(common, kind="licence", source_id="LIC-1", licence_no="JY13701020001", valid_from="2026-03-03"),
    ]
    third = [penalty("PEN-1", "2026-03-05", ["01"]), {"source_id": "PEN-1", "deleted": True}]
    return [first, second, third]


def outputs(source_name):
    """Everything the pipeline wrote for one source, without its ids, times and ciphertexts."""
    records = {}
    for record in Record.objects.filter(source=source_name).order_by("source_id"):
        values = {
            f.attname: getattr(record, f.attname)
            for f in Record._meta.concrete_fields
            if f.attname not in ("id", "source", "batch_id", "received_at", "updated_at", "subject_code_sealed")
        }
        values["sealed"] = decrypt(record.subject_code_sealed) if record.subject_code_sealed else ""
        records[record.source_id] = values
    by_id = dict(Record.objects.filter(source=source_name).values_list("pk", "source_id"))
    outbox = [
        [(by_id[pk], op) for pk, op in batch.entries]
        for batch in OutboxBatch.objects.filter(source__name=source_name).order_by("pk")
    ]
    rows = [
        (row.row_number, row.outcome, row.errors, row.data, row_data(row, reveal=True))
        for row in ImportRow.objects.filter(batch__source=source_name).order_by("batch_id", "row_number")
    ]
    quality = sorted(
        QualityDay.objects.filter(source=source_name).values_list(
            "day",
            "department_id",
            "kind",
            "received",
            "accepted",
            "rejected",
            "duplicates",
            "completeness_sum",
            "lag_sum",
            "within_7",
        )
    )
    rejections = sorted(
        RejectionDay.objects.filter(source=source_name).values_list("day", "department_id", "code", "count")
    )
    facts = []
    for fact in Fact.objects.filter(name="records.written").order_by("pk"):
        if fact.payload["source"] == source_name:
            ids = {kind: sorted(by_id[pk] for pk in pks) for kind, pks in fact.payload["ids"].items()}
            facts.append((ids, sorted(by_id[pk] for pk in fact.payload["deleted"])))
    return records, outbox, rows, quality, rejections, facts


def submit(source, chunks):
    counts = []
    for rows in chunks:
        batch = ingest(enumerate(rows, 1), source=source, channel="api", chunk_size=CHUNK)
        counts.append((batch.received, batch.accepted, batch.rejected, batch.duplicates))
    return counts


@pytest.mark.django_db(transaction=False)
def test_binary_copy_stores_what_the_text_format_stores(setup, inspection, penalty, province, monkeypatch):
    text_source, _token = register_source("jn-text", "文本格式对照系统", province.jn_market)
    assert RecordWriter.binary_copy

    binary_counts = submit(setup.source, batches(setup, inspection, penalty))
    monkeypatch.setattr(RecordWriter, "binary_copy", False)
    text_counts = submit(text_source, batches(setup, inspection, penalty))

    assert binary_counts == text_counts
    assert binary_counts == [(15, 9, 6, 0), (7, 6, 0, 1), (2, 2, 0, 0)]
    binary, text = outputs(setup.source.name), outputs(text_source.name)
    assert binary == text
    records = binary[0]
    assert set(records) == {"INS-1", "INS-2", "INS-3", "INS-4", "INS-5", "PEN-1", "PEN-2", "COE-1", "LIC-1", "OTH-1"}
    assert (
        records["INS-3"]["subject_code"] == "110105********002X" and records["INS-3"]["sealed"] == "11010519491231002X"
    )
    assert records["PEN-2"]["details"]["fine_amount"] == "1500.50"
    # A naive report time keeps its chunk on the text format, which reads it in the session's zone (UTC).
    assert records["OTH-1"]["reported_at"] == dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)
    assert records["PEN-1"]["is_deleted"] and records["PEN-1"]["version"] == 3
    assert records["INS-5"]["result"] == "再次报送"
