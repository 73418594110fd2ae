"""The exchange pipeline: rules, idempotency, resumption, linking, quarantine and counts."""

import datetime as dt
import json

import pytest

from jianguan.core.models import ImportBatch, ImportRow
from jianguan.exchange.models import OutboxBatch, QualityDay, RejectionDay
from jianguan.exchange.services import correct_row, ingest
from jianguan.platform.importing import row_data
from jianguan.records.models import Record
from jianguan.subjects.models import Subject


def run(setup, records, **kwargs):
    return ingest(enumerate(records, 1), source=setup.source, channel="api", **kwargs)


def errors_of(batch):
    return {(row.row_number, e["code"], e["field"]) for row in batch.rows.all() for e in row.errors}


def operations():
    return [op for outbox in OutboxBatch.objects.order_by("id") for _record, op in outbox.entries]


def assert_counts_add_up(batch):
    assert batch.received == batch.accepted + batch.rejected + batch.duplicates
    assert batch.rows.count() == batch.rejected + batch.duplicates


def test_a_valid_inspection_is_stored_linked_and_queued(setup, inspection):
    batch = run(setup, [inspection()])
    assert (batch.received, batch.accepted, batch.rejected, batch.duplicates) == (1, 1, 0, 0)
    record = Record.objects.get()
    assert record.subject == setup.subject
    assert record.item == setup.item
    assert record.department.name == "济南市历下区市场监督管理局"
    assert record.details["check_items"][1] == {"code": "0102", "result": "fail"}
    assert record.report_lag == 2  # 2026-03-02 (Mon) → 03-04 (Wed)
    outbox = OutboxBatch.objects.get()
    assert outbox.entries == [[record.pk, "i"]] and outbox.size == 1
    assert outbox.cd_batch.startswith(dt.date.today().strftime("%Y%m%d")) and len(outbox.cd_batch) == 13


RULE_CASES = [
    ("officers_too_few", "officers", {"officers": [{"name": "王执法", "certificate_no": "CERT000001"}]}),
    ("reported_before_action", "reported_at", {"reported_at": "2026-03-01T10:00:00+08:00"}),
    ("reported_in_future", "reported_at", {"reported_at": "2099-01-01T10:00:00+08:00"}),
    ("subject_code_invalid", "subject_code", {"subject_code": "91370102MA0000000X"}),
    ("subject_nature_mismatch", "subject_nature", {"subject_id_type": "111", "subject_code": "11010519491231002X"}),
    ("item_unknown", "item_code", {"item_code": "99999999999999"}),
    ("item_not_in_force", "item_code", {"action_date": "2019-06-03", "reported_at": "2019-06-05T10:00:00+08:00"}),
    ("department_unknown", "department", {"department": "91370000000000000X"}),
    ("region_unknown", "region", {"region": "379999"}),
    ("officer_unknown", "officers.0.certificate_no", {"officers": [{"name": "甲", "certificate_no": "NOPE"}] * 2}),
    ("implementation_code_invalid", "implementation_code", {"implementation_code": "12345"}),
    ("missing", "form", {"form": None}),
    ("enum", "form", {"form": "03"}),
    ("string_pattern_mismatch", "item_code", {"item_code": "3701"}),
    ("extra_forbidden", "colour", {"colour": "red"}),
]


@pytest.mark.parametrize(("code", "field", "change"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_every_rule_rejects_with_its_code_and_a_row_message(setup, inspection, code, field, change):
    record = inspection()
    record.update(change)
    if change.get("form", "x") is None:
        del record["form"]
    batch = run(setup, [inspection("OK-1"), record])
    assert (batch.accepted, batch.rejected) == (1, 1)
    row = batch.rows.get()
    assert row.row_number == 2
    assert any(e["code"] == code and e["field"] == field for e in row.errors), row.errors
    error = next(e for e in row.errors if e["code"] == code)
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    assert row_data(row, reveal=True) == record  # quarantined as sent, for those correcting it
    assert RejectionDay.objects.get(code=code).count == 1


def test_officer_rules_certificate_sector_and_name(setup, inspection, province):
    from jianguan.officers.models import Officer

    expired = Officer.objects.get(pk=setup.officers[1].pk)
    expired.certificate_valid_until = dt.date(2026, 1, 1)
    expired.save()
    env_officer = setup.officers[2]
    first = {"name": setup.officers[0].name, "certificate_no": setup.officers[0].certificate_no}
    batch = run(
        setup,
        [
            inspection("A", officers=[first, {"name": expired.name, "certificate_no": expired.certificate_no}]),
            inspection("B", officers=[first, {"name": env_officer.name, "certificate_no": env_officer.certificate_no}]),
            inspection("C", officers=[first, {"name": "冒名者", "certificate_no": expired.certificate_no}]),
        ],
    )
    codes = {(r, c) for r, c, _f in errors_of(batch)}
    assert codes == {(1, "officer_certificate_invalid"), (2, "officer_wrong_sector"), (3, "officer_name_mismatch")}


def test_penalty_rules(setup, inspection):
    base = inspection("P", kind="penalty")
    for name in ("form", "officers", "check_items"):
        base.pop(name)
    base.update(
        facts="销售过期食品",
        basis="《食品安全法》第一百二十四条",
        procedure="02",
        decision_no="济历市监罚〔2026〕12号",
        kinds=["01", "02"],
        fine_amount="5000.00",
        opened_on="2026-02-20",
        closed_on="2026-03-03",
    )
    cases = [
        dict(base, source_id="P1"),
        dict(base, source_id="P2", closed_on="2026-02-10", opened_on="2026-02-01", action_date="2026-01-30"),
        dict(base, source_id="P3", closed_on="2026-02-10"),
        dict(base, source_id="P4", closed_on="2026-03-05"),
        dict(base, source_id="P5", fine_amount=None),
        dict(base, source_id="P6", kinds=["15"]),
    ]
    batch = run(setup, cases)
    assert {(r, c) for r, c, _f in errors_of(batch)} == {
        (2, "decided_before_opened"),
        (3, "closed_before_opened"),
        (4, "reported_before_closed"),
        (5, "fine_amount_missing"),
        (6, "enum"),
    }
    penalty = Record.objects.get(source_id="P1")
    assert penalty.details["kinds"] == ["01", "02"] and penalty.details["fine_amount"] == "5000.00"


def test_coercion_and_licence_rules(setup, inspection):
    common = inspection("X")
    for name in ("form", "officers", "check_items", "kind"):
        common.pop(name)
    batch = run(
        setup,
        [
            dict(common, kind="coercion", source_id="C1", coercion_kind="1", measure_type="02", ended_on="2026-03-20"),
            dict(common, kind="coercion", source_id="C2", coercion_kind="1", execution_type="02"),
            dict(
                common, kind="coercion", source_id="C3", coercion_kind="2", execution_type="05", ended_on="2026-02-01"
            ),
            dict(common, kind="licence", source_id="L1", licence_no="JY13701020001", valid_from="2026-03-02"),
            dict(
                common, kind="licence", source_id="L2", licence_no="JY2", valid_from="2026-03-02", valid_to="2025-01-01"
            ),
            dict(common, kind="other", source_id="O1", measure="约谈"),
        ],
    )
    assert {(r, c) for r, c, _f in errors_of(batch)} == {
        (2, "coercion_type_missing"),
        (3, "ended_before_started"),
        (5, "validity_reversed"),
    }
    assert set(Record.objects.values_list("kind", flat=True)) == {"coercion", "licence", "other"}


def test_resubmission_is_idempotent_and_changes_are_updates(setup, inspection):
    first = run(setup, [inspection("A"), inspection("B")])
    again = run(setup, [inspection("A"), inspection("B")])
    assert (again.accepted, again.duplicates) == (0, 2)
    assert {r.errors[0]["code"] for r in again.rows.all()} == {"duplicate_unchanged"}
    changed = run(setup, [inspection("A", result="发现问题已责令改正"), inspection("B")])
    assert (changed.accepted, changed.duplicates) == (1, 1)
    assert Record.objects.count() == 2
    record = Record.objects.get(source_id="A")
    assert (record.version, record.result, record.batch_id) == (2, "发现问题已责令改正", changed.pk)
    assert operations() == ["i", "i", "u"]
    for batch in (first, again, changed):
        assert_counts_add_up(batch)


def test_the_same_record_twice_in_one_call_is_written_once(setup, inspection):
    batch = run(setup, [inspection("A"), inspection("A"), inspection("A", result="已整改")])
    assert (batch.received, batch.accepted, batch.duplicates) == (3, 2, 1)
    assert Record.objects.get().result == "已整改"


def test_withdrawal_marks_deleted_and_queues_a_delete(setup, inspection):
    run(setup, [inspection("A")])
    batch = run(setup, [{"source_id": "A", "deleted": True}, {"source_id": "never-sent", "deleted": True}])
    assert (batch.accepted, batch.rejected) == (1, 1)
    assert errors_of(batch) == {(2, "delete_unknown", "source_id")}
    assert Record.objects.get().is_deleted
    assert operations() == ["i", "d"]


def test_unknown_identity_creates_a_provisional_subject(setup, inspection):
    from jianguan.core.codes import uscc_with_check

    new_code = uscc_with_check("91370102MA00000X9")
    batch = run(setup, [inspection("N", subject_code=new_code, subject_name="新发现的个体店")])
    assert batch.accepted == 1
    subject = Subject.objects.get(uscc=new_code)
    assert subject.provisional and subject.name == "新发现的个体店" and subject.region_id == "370102"
    assert Record.objects.get().subject == subject


def test_citizen_identity_is_hashed_masked_and_sealed(setup, inspection):
    from jianguan.core.pii import decrypt

    batch = run(
        setup,
        [
            inspection(
                "Z", subject_nature="1", subject_id_type="111", subject_code="11010519491231002X", subject_name="张三丰"
            )
        ],
    )
    assert batch.accepted == 1
    record = Record.objects.get()
    assert record.subject_code == "110105********002X"
    assert "11010519491231002X" not in record.subject_code_sealed
    assert decrypt(record.subject_code_sealed) == "11010519491231002X"
    subject = record.subject
    assert subject.kind == "person" and subject.id_number_masked == "110105********002X"
    assert subject.uscc is None and len(subject.id_number_hash) == 64


def test_a_client_cannot_write_another_departments_data(setup, inspection, province):
    batch = run(
        setup,
        [
            inspection("Q", department=province.shinan_market.uscc, region="370202"),
            inspection("E", department=province.jn_env.uscc),
        ],
    )
    assert errors_of(batch) == {
        (1, "department_out_of_scope", "department"),
        (2, "department_out_of_scope", "department"),
    }
    assert not Record.objects.exists()
    # The rows count under the source's own department, not the department they named.
    assert set(QualityDay.objects.values_list("department_id", flat=True)) == {province.jn_market.pk}


def test_malformed_rows_each_get_their_reason(setup, inspection):
    huge = inspection("H", subject_name="名" * 1_000_000)
    rows = [
        inspection("W", action_date=20260302, officers="张三,李四"),
        "not an object",
        huge,
        {"source_id": "K"},
        inspection("OK"),
    ]
    batch = run(setup, rows)
    assert (batch.received, batch.accepted, batch.rejected) == (5, 1, 4)
    codes = errors_of(batch)
    assert (1, "list_type", "officers") in codes
    assert (2, "not_an_object", "__all__") in codes
    assert (3, "string_too_long", "subject_name") in codes
    assert (4, "union_tag_not_found", "__all__") in codes or any(r == 4 for r, _c, _f in codes)
    assert_counts_add_up(batch)


class Interrupted(Exception):
    pass


def test_an_interrupted_batch_resumes_without_loss_or_duplication(setup, inspection):
    records = [inspection(f"R{i}") for i in range(1, 26)]
    records[7]["region"] = "bad"

    def killed_after(n):
        for number, record in enumerate(records, 1):
            if number > n:
                raise Interrupted
            yield number, record

    with pytest.raises(Interrupted):
        ingest(killed_after(12), source=setup.source, channel="cli", chunk_size=5, payload_sha256="f" * 64)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.processed, batch.received) == ("running", 10, 10)
    assert Record.objects.count() == 9  # rows 1–10 committed, row 8 rejected; 11–12 rolled back
    resumed = ingest(
        enumerate(records, 1), source=setup.source, channel="cli", chunk_size=5, resume=batch, payload_sha256="f" * 64
    )
    assert resumed.pk == batch.pk and resumed.status == "completed"
    assert (resumed.received, resumed.accepted, resumed.rejected, resumed.duplicates) == (25, 24, 1, 0)
    assert Record.objects.count() == 24
    assert len(operations()) == 24
    assert ImportRow.objects.filter(batch=batch).count() == 1


def test_a_finished_batch_cannot_be_resumed(setup, inspection):
    from jianguan.core.errors import DomainError

    batch = run(setup, [inspection()])
    with pytest.raises(DomainError) as exc:
        run(setup, [inspection()], resume=batch)
    assert exc.value.code == "resume_finished"


def test_a_quarantined_row_is_corrected_and_marked(setup, inspection):
    bad = inspection("FIX", region="379999")
    batch = run(setup, [bad])
    fixed = dict(bad, region="370102")
    new_batch = correct_row(batch, 1, fixed)
    assert (new_batch.accepted, new_batch.resubmits_id) == (1, batch.pk)
    assert batch.rows.get().resolved_by_id == new_batch.pk
    assert Record.objects.get().source_id == "FIX"


def test_quality_counters_follow_the_rows(setup, inspection):
    late = inspection("LATE", action_date="2026-01-05", reported_at="2026-03-04T10:00:00+08:00")
    run(setup, [inspection("ON-TIME"), late, inspection("BAD", region="x")])
    counters = QualityDay.objects.all()
    assert sum(c.received for c in counters) == 3
    assert sum(c.accepted for c in counters) == 2 and sum(c.rejected for c in counters) == 1
    assert sum(c.within_7 for c in counters) == 1
    from jianguan.exchange.quality import quality_report

    report = quality_report(None, "source")
    assert report["total"]["received"] == 0  # no actor, no scope: nothing visible


def test_preparation_in_a_worker_process_gives_the_same_result(setup, inspection, province):
    from jianguan.exchange.services import register_source

    twin, _token = register_source("jn-case-twin", "同一数据的第二个来源", province.jn_market)
    records = [inspection(f"P{i}") for i in range(1, 41)]
    records[3]["region"] = "379999"
    records[9] = dict(records[8])  # sent twice: unchanged
    records[20]["subject_code"] = records[20]["subject_code"][:-1] + "0"
    lines = [(n, json.dumps(r, ensure_ascii=False).encode()) for n, r in enumerate(records, 1)]
    sequential = ingest(iter(lines), source=setup.source, channel="cli", chunk_size=7)
    parallel = ingest(iter(lines), source=twin, channel="cli", chunk_size=7, parallel=True)
    counts = [(b.received, b.accepted, b.rejected, b.duplicates) for b in (sequential, parallel)]
    assert counts[0] == counts[1] == (40, 37, 2, 1)
    columns = (
        "source_id",
        "subject_id",
        "item_id",
        "department_id",
        "action_date",
        "details",
        "content_hash",
        "report_lag",
    )
    assert list(Record.objects.filter(source="jn-case").order_by("source_id").values_list(*columns)) == list(
        Record.objects.filter(source="jn-case-twin").order_by("source_id").values_list(*columns)
    )
    assert errors_of(sequential) == errors_of(parallel)


def test_the_last_row_of_a_chunk_decides_the_final_state(setup, inspection):
    run(setup, [inspection("K1"), inspection("K2")])
    batch = run(
        setup,
        [
            {"source_id": "K1", "deleted": True},
            inspection("K1", result="撤回后重新报送"),  # withdrawn, then sent again: alive
            inspection("K2", result="更正"),
            {"source_id": "K2", "deleted": True},  # corrected, then withdrawn: withdrawn
            inspection("K3"),
            {"source_id": "K3", "deleted": True},  # new and withdrawn in one call: nothing stored
        ],
    )
    assert (batch.received, batch.accepted, batch.rejected, batch.duplicates) == (6, 6, 0, 0)
    k1, k2 = Record.objects.get(source_id="K1"), Record.objects.get(source_id="K2")
    assert (k1.is_deleted, k1.result) == (False, "撤回后重新报送")
    assert k2.is_deleted
    assert not Record.objects.filter(source_id="K3").exists()
    assert operations()[-2:] == ["u", "d"]
