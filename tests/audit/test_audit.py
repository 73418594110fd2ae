import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from jianguan.audit.models import AuditEvent
from jianguan.audit.services import record_batch, record_event, verify_chain
from tests.conftest import set_audit_triggers


def _trigger_off():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")


@pytest.fixture
def chain(db):
    for n in range(5):
        record_event("tester", "test.write", "thing", n, before={"n": n}, after={"n": n + 1, "名称": "测试"})
    record_batch("tester", "test.bulk", "thing", [{"a": 1}, {"a": 2}])
    return list(AuditEvent.objects.order_by("seq"))


def test_chain_verifies_and_counts(chain, capsys):
    assert verify_chain().ok
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip().endswith(f"ok {len(chain)}")


def test_batch_event_holds_row_count_and_hash(chain):
    batch = chain[-1]
    assert batch.after["rows"] == 2 and len(batch.after["rows_sha256"]) == 64


def test_database_refuses_update_and_delete(chain):
    set_audit_triggers(True)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[0].pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[0].pk).delete()
    assert AuditEvent.objects.get(pk=chain[0].pk).action == "test.write"


@pytest.mark.parametrize("field", ["action", "actor", "after", "at"])
def test_editing_any_event_is_caught(chain, field):
    _trigger_off()
    target = chain[2]
    value = {"action": "forged", "actor": "mallory", "after": {"n": 999}, "at": target.at.replace(year=2020)}[field]
    AuditEvent.objects.filter(pk=target.pk).update(**{field: value})
    result = verify_chain()
    assert not result.ok and result.broken_seq == target.seq
    with pytest.raises(CommandError, match=f"broken at event {target.seq}"):
        call_command("audit", "verify")


def test_deleting_an_event_is_caught(chain):
    _trigger_off()
    AuditEvent.objects.filter(pk=chain[1].pk).delete()
    result = verify_chain()
    assert not result.ok and result.broken_seq == chain[1].seq


def test_deleting_the_last_event_is_caught(chain):
    _trigger_off()
    AuditEvent.objects.filter(pk=chain[-1].pk).delete()
    assert not verify_chain().ok
