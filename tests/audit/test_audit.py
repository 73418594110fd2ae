import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from jianguan.audit.models import AuditEvent
from jianguan.audit.services import record_batch, record_event, seal_pending, verify_chain
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
    seal_pending()  # the test's transaction never commits, so the sealer is called here
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


def _recompute_from(seq, key_guess):
    """What someone with write access to the table does: edit, then recompute every later hash with
    the project's own function — but without the audit key, which is not in the database."""
    from django.test import override_settings

    from jianguan.audit.models import AuditHead
    from jianguan.audit.services import hash_of

    events = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEvent.objects.get(seq=seq - 1).hash
    with override_settings(AUDIT_KEY=key_guess):
        for event in events:
            event.prev_hash = prev
            event.hash = hash_of(event, event.seq, prev, keyed=key_guess is not None)
            AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
            prev = event.hash
    AuditHead.objects.filter(pk=1).update(hash=prev)


@pytest.mark.parametrize("key_guess", [None, "audit:jianguan-development-only-not-secret-but-wrong"])
def test_an_edit_with_the_chain_recomputed_is_caught_without_the_key(chain, key_guess):
    _trigger_off()
    AuditEvent.objects.filter(seq=3).update(after={"n": 999})
    _recompute_from(3, key_guess)
    result = verify_chain()
    assert not result.ok and result.broken_seq == 3


def test_cutting_the_chain_back_is_caught_by_the_anchors(chain, tmp_path, capsys):
    from jianguan.audit.models import AuditHead
    from jianguan.audit.services import read_anchors

    call_command("audit", "anchor", "--anchor-dir", str(tmp_path))
    call_command("audit", "verify", "--anchor-dir", str(tmp_path))
    assert capsys.readouterr().out.strip().endswith(f"ok {len(chain)}, 1 anchors")
    # remove the last two events and set the head back: the chain alone still verifies…
    _trigger_off()
    AuditEvent.objects.filter(seq__gt=len(chain) - 2).delete()
    kept = AuditEvent.objects.order_by("seq").last()
    AuditHead.objects.filter(pk=1).update(seq=kept.seq, hash=kept.hash)
    assert verify_chain().ok
    # …but not against its anchor
    result = verify_chain(anchors=read_anchors(tmp_path))
    assert not result.ok and "cut back" in result.reason
    with pytest.raises(CommandError, match="cut back"):
        call_command("audit", "verify", "--anchor-dir", str(tmp_path))


def test_a_forged_anchor_or_a_moved_key_start_is_caught(chain, tmp_path):
    import json

    from jianguan.audit.models import AuditHead
    from jianguan.audit.services import ANCHOR_FILE, read_anchors, write_anchor

    write_anchor(tmp_path)
    line = json.loads((tmp_path / ANCHOR_FILE).read_text())
    forged = {**line, "hash": "f" * 64}
    (tmp_path / ANCHOR_FILE).write_text(json.dumps(forged) + "\n")
    assert "signature" in verify_chain(anchors=read_anchors(tmp_path)).reason
    (tmp_path / ANCHOR_FILE).write_text(json.dumps(line) + "\n")
    assert verify_chain(anchors=read_anchors(tmp_path)).ok
    # claiming the whole chain predates keying (so that it could be recomputed) is caught too
    AuditHead.objects.filter(pk=1).update(keyed_from=len(chain) + 1)
    assert "moved" in verify_chain(anchors=read_anchors(tmp_path)).reason


def test_a_chain_begun_before_keying_verifies_across_the_cut_over(db):
    from jianguan.audit.models import AuditHead

    record_event("tester", "old", "thing", 1)
    seal_pending()
    AuditHead.objects.filter(pk=1).update(keyed_from=3)  # as the migration sets it on an old chain
    # rewrite event 1 as an earlier version hashed it: plain SHA-256
    _trigger_off()
    event = AuditEvent.objects.get(seq=1)
    from jianguan.audit.services import GENESIS, event_hash, hash_of

    plain = event_hash(False, GENESIS, 1, event.at, event.actor, "", "old", "thing", "1", None, None)
    AuditEvent.objects.filter(seq=1).update(hash=plain)
    AuditHead.objects.filter(pk=1).update(hash=plain)
    record_event("tester", "old", "thing", 2)
    record_event("tester", "new", "thing", 3)
    third = AuditEvent.objects.get(seq=3) if verify_chain().ok else None
    assert third is not None and third.hash != hash_of(third, 3, AuditEvent.objects.get(seq=2).hash, keyed=False)


def test_a_write_takes_no_lock_and_its_event_is_sealed_once_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    from jianguan.audit.models import AuditHead

    head = AuditHead.objects.get_or_create(pk=1)[0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        first = record_event("tester", "test.write", "thing", 1)
        record_event("tester", "test.write", "thing", 2, after={"名称": "第二条"})
        # nothing another writer would wait for: the head is not touched while the writer works
        assert AuditHead.objects.get(pk=1).seq == head.seq
        assert AuditEvent.objects.get(pk=first.pk).seq is None
    assert len(callbacks) == 1  # one sealing per transaction, however many events it wrote
    first.refresh_from_db()
    assert (first.seq, first.prev_hash) == (head.seq + 1, head.hash)
    assert AuditHead.objects.get(pk=1).seq == head.seq + 2
    assert verify_chain().ok


def test_a_rolled_back_write_leaves_no_event_and_no_gap(db):
    record_event("tester", "test.write", "thing", 10)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event("tester", "test.write", "thing", 11)
        raise RuntimeError
    record_event("tester", "test.write", "thing", 12)
    result = verify_chain()
    assert result.ok and result.count == 2
    assert list(AuditEvent.objects.order_by("seq").values_list("object_id", flat=True)) == ["10", "12"]


def test_the_only_update_allowed_is_sealing_an_unsealed_event(chain):
    set_audit_triggers(True)
    sealed = chain[0]
    for change in ({"seq": None, "hash": None}, {"hash": "0" * 64}, {"prev_hash": "f" * 64}):
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=sealed.pk).update(**change)
    unsealed = record_event("tester", "test.write", "thing", 99)
    for change in ({"action": "forged"}, {"after": {"n": 1}}, {"seq": 10_000, "hash": "a" * 64, "actor": "mallory"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=unsealed.pk).update(**change)
    assert seal_pending() == 1 and verify_chain().ok


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_do_not_wait_for_each_other_and_both_are_chained(flushable_audit):
    """PostgreSQL: a writer whose transaction stays open does not hold up another writer's commit.
    SQLite takes one write lock for the whole database, so there the second writer runs after it."""
    import threading

    opened, release, done = threading.Event(), threading.Event(), threading.Event()

    def slow_writer():
        from django.db import connection as own

        try:
            with transaction.atomic():
                record_event("slow", "test.write", "thing", "slow")
                opened.set()
                release.wait(10)
        finally:
            own.close()
            done.set()

    if connection.vendor == "postgresql":
        worker = threading.Thread(target=slow_writer)
        worker.start()
        assert opened.wait(10)
        fast = threading.Event()

        def fast_writer():
            from django.db import connection as own

            with transaction.atomic():
                record_event("fast", "test.write", "thing", "fast")
            own.close()
            fast.set()

        threading.Thread(target=fast_writer).start()
        # before events were sealed after commit, this writer queued on the head row until the slow one ended
        assert fast.wait(5), "the second writer waited for the first one's transaction"
        release.set()
        worker.join(10)
    else:
        release.set()
        slow_writer()
        with transaction.atomic():
            record_event("fast", "test.write", "thing", "fast")
    assert done.is_set()
    order = list(AuditEvent.objects.order_by("seq").values_list("actor", "seq"))
    expected = ["fast", "slow"] if connection.vendor == "postgresql" else ["slow", "fast"]
    assert [actor for actor, _seq in order] == expected and all(seq is not None for _a, seq in order)
    assert verify_chain().ok
