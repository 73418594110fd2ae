"""`jianguan ingest` on JSON lines, JSON arrays and Excel; the national outbox against the stand-in."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jianguan.exchange.models import OutboxBatch
from jianguan.records.models import Record


def ingest_cli(path, *args):
    out = io.StringIO()
    call_command("ingest", str(path), "--source", "jn-case", "--json", "--quiet", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_json_lines_with_a_broken_line(setup, inspection, tmp_path):
    path = tmp_path / "records.jsonl"
    lines = [json.dumps(inspection("L1")), '{"kind": "inspection", ', "", json.dumps(inspection("L3"))]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"source_id": "\xff"}\n')
    counts = ingest_cli(path)
    assert (counts["received"], counts["accepted"], counts["rejected"], counts["duplicates"]) == (4, 2, 2, 0)
    assert set(counts) == {"batch", "received", "accepted", "rejected", "duplicates"}
    from jianguan.core.models import ImportRow

    codes = {(r.row_number, r.errors[0]["code"]) for r in ImportRow.objects.all()}
    assert codes == {(2, "invalid_json"), (5, "invalid_utf8")}


def test_json_array_is_streamed_and_a_broken_array_writes_nothing(setup, inspection, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps([inspection("A1"), inspection("A2")], ensure_ascii=False), encoding="utf-8")
    assert ingest_cli(good)["accepted"] == 2
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([inspection("A3"), inspection("A4")])[:-30], encoding="utf-8")
    with pytest.raises(CommandError, match="JSON"):
        ingest_cli(broken)
    assert Record.objects.count() == 2


def test_excel_with_formulas_merged_cells_and_dates_as_text(setup, province, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    officers = setup.officers[:2]
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
            "检查项结果",
        ]
    )
    names = "、".join(o.name for o in officers)
    certs = "、".join(o.certificate_no for o in officers)
    base = [
        province.lixia_market.uscc,
        2,
        1,
        setup.subject.uscc,
        setup.subject.name,
        370102,
        "2026年3月2日",
        "2026/3/4 10:00",
        1,
        names,
        certs,
        "0101:合格;0102:不合格",
    ]
    sheet.append(["XL-1", 37010001000000, *base])
    sheet.append(["XL-2", '=A2&"x"', *base])  # a formula no program calculated
    sheet.append(["XL-3", "37010001000000", *base[:7], "2026-03-04 09:00", *base[8:]])
    sheet.append(["XL-4", None, *base])  # merged with the item code above
    sheet.merge_cells("B4:B5")
    path = tmp_path / "检查记录.xlsx"
    book.save(path)
    counts = ingest_cli(path, "--kind", "inspection")
    assert (counts["received"], counts["accepted"], counts["rejected"]) == (4, 3, 1)
    record = Record.objects.get(source_id="XL-1")
    assert str(record.action_date) == "2026-03-02" and record.details["form"] == "01"
    assert record.subject_id_type == "001" and record.subject_nature == "2"
    assert Record.objects.get(source_id="XL-4").item_code == "37010001000000"
    from jianguan.core.models import ImportBatch
    from jianguan.platform.importing import rejected_rows_file

    batch = ImportBatch.objects.get()
    row = batch.rows.get()
    assert row.row_number == 3 and row.errors[0]["code"] == "cell_invalid" and row.errors[0]["field"] == "item_code"
    download = openpyxl.load_workbook(io.BytesIO(rejected_rows_file(batch)))
    first = list(download.active.iter_rows(values_only=True))
    assert first[0][0] == "来源记录编号" and first[1][0] == "XL-2"


def test_unknown_source_is_a_clear_error(db, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("{}\n")
    with pytest.raises(CommandError):
        call_command("ingest", str(path), "--source", "nobody", stdout=io.StringIO())


def test_outbox_waits_for_a_failing_receiver_then_delivers_each_record_once(setup, inspection, standin):
    import datetime as dt

    from django.utils import timezone

    from jianguan.exchange.outbox import backlog, deliver, deliver_all
    from jianguan.exchange.services import ingest
    from jianguan.exchange.transport import HttpTransport

    ingest(enumerate([inspection(f"O{i}") for i in range(5)], 1), source=setup.source, channel="api")
    ingest(
        enumerate([inspection("O1", result="已整改"), {"source_id": "O2", "deleted": True}], 1),
        source=setup.source,
        channel="api",
    )
    assert backlog()["pending"] == 7 and backlog()["pending_batches"] == 2
    transport = HttpTransport(standin.url, timeout=5)
    standin.fail_next = 2
    report = deliver(transport)
    # O2 was withdrawn before its insert went out: only the withdrawal is sent.
    assert (report.attempted, report.deferred, report.delivered) == (6, 6, 0) and "503" in report.error
    outbox = OutboxBatch.objects.first()
    assert outbox.attempts == 1 and outbox.next_attempt_at > timezone.now() and "503" in outbox.last_error
    assert deliver(transport).attempted == 0  # backing off: nothing due yet
    later = timezone.now() + dt.timedelta(minutes=5)
    assert deliver(transport, now=later).deferred == 6  # second failure
    OutboxBatch.objects.update(next_attempt_at=timezone.now())
    report = deliver_all(transport)
    assert (report.delivered, report.deferred, report.refused, report.superseded) == (6, 0, 0, 1)
    assert backlog()["pending"] == 0 and backlog()["sent"] == 6 and backlog()["superseded"] == 1
    stats = standin.store.stats()
    assert stats["messages"] == 6 and stats["records"] == 5
    assert stats["by_operation"] == {"i": 4, "u": 1, "d": 1}
    # A redelivery (an acknowledgement lost on the way back) is stored once at the receiver.
    OutboxBatch.objects.update(status="pending", next_attempt_at=timezone.now())
    assert deliver_all(transport).delivered == 6
    assert standin.store.stats()["messages"] == 6


def test_refused_messages_are_kept_with_the_reason(setup, inspection, standin):
    from jianguan.exchange.outbox import backlog, deliver_all
    from jianguan.exchange.services import ingest
    from jianguan.exchange.transport import Delivery

    ingest(enumerate([inspection("R1"), inspection("R2")], 1), source=setup.source, channel="api")

    class Picky:
        def send(self, messages, audit_head=None):
            first, second = (m["message_id"] for m in messages)
            return Delivery(accepted=[first], refused={second: "cd_source unknown"})

    report = deliver_all(Picky())
    assert (report.delivered, report.refused) == (1, 1)
    outbox = OutboxBatch.objects.get()
    assert outbox.status == "refused" and outbox.refused[0][1] == "cd_source unknown"
    assert backlog()["failed"] == 1


def test_standin_refuses_messages_that_break_the_format(setup, inspection, standin):
    from jianguan.exchange.national import message_for
    from jianguan.exchange.services import ingest

    ingest(enumerate([inspection("F1")], 1), source=setup.source, channel="api")
    record = Record.objects.get()
    good = message_for("2026112900001-1", "i", "2026112900001", record, record.received_at)
    bad = dict(good, message_id="2026112900001-2", cd_batch="20261129", data=dict(good["data"], officers=[]))
    answer = standin.store.receive({"messages": [good, bad]})
    assert answer["accepted"] == ["2026112900001-1"]
    assert answer["refused"][0]["message_id"] == "2026112900001-2" and "cd_batch" in answer["refused"][0]["reason"]


def test_each_push_leaves_the_audit_head_with_the_receiver_and_verify_checks_against_it(
    setup, inspection, standin, settings, capsys
):
    from jianguan.audit.models import AuditEvent, AuditHead
    from jianguan.audit.services import seal_pending, verify_chain
    from jianguan.exchange.outbox import deliver_all
    from jianguan.exchange.services import ingest
    from jianguan.exchange.transport import HttpTransport
    from tests.conftest import set_audit_triggers

    settings.NATIONAL_URL = standin.url
    transport = HttpTransport(standin.url, timeout=5)
    ingest(enumerate([inspection("H1"), inspection("H2")], 1), source=setup.source, channel="api")
    seal_pending()  # as after the ingest's commit
    head = AuditHead.objects.get(pk=1)
    assert deliver_all(transport).delivered == 2
    assert [(h["seq"], h["hash"]) for h in standin.store.audit_heads()] == [(head.seq, head.hash)]
    assert transport.audit_heads() == [(head.seq, head.hash)]
    kept = AuditEvent.objects.filter(action="exchange.deliver").get()
    assert kept.after["audit_head_kept"] == head.seq
    call_command("audit", "verify", "--national")
    assert capsys.readouterr().out.strip().endswith("1 heads kept by the national receiver")

    # cut the chain back to before the head the receiver kept: the chain alone verifies, not against it
    set_audit_triggers(False)
    try:
        AuditEvent.objects.filter(seq__gte=head.seq).delete()
        last = AuditEvent.objects.order_by("seq").last()
        AuditHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)
        assert verify_chain().ok
        result = verify_chain(witnessed=transport.audit_heads())
        assert not result.ok and "receiver kept" in result.reason
        with pytest.raises(CommandError, match="receiver kept"):
            call_command("audit", "verify", "--national")
    finally:
        set_audit_triggers(True)


def test_a_malformed_audit_head_is_refused_by_the_standin(standin):
    with pytest.raises(ValueError, match="audit_head"):
        standin.store.receive({"messages": [], "audit_head": {"seq": 0, "hash": "x"}})
