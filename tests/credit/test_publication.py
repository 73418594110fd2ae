"""Credit records: the publication window of each rule version, started and stopped by schedule."""

import datetime as dt

from jianguan.credit.models import CreditRecord
from jianguan.credit.services import refresh_publication, sync_credit_records
from jianguan.exchange.services import ingest

CASES = [
    # (source id, decided on, kinds, procedure, fine, rule version, rule, published months or None)
    ("P19", "2020-05-11", ["02"], "02", 5000, "ndrc-2019", "penalty", 36),
    ("W19", "2020-05-11", ["01"], "02", None, "ndrc-2019", "warning_only", None),
    ("L21", "2022-03-01", ["02"], "02", 5000, "samr-2021", "criticism_or_low_fine", 3),
    ("C21", "2022-03-01", ["08"], "02", None, "samr-2021", "criticism_or_low_fine", 3),
    ("H21", "2022-03-01", ["02", "03"], "02", 50000, "samr-2021", "penalty", 36),
    ("S21", "2022-03-01", ["02"], "01", 200, "samr-2021", "simple_procedure", None),
    ("R26", "2026-05-06", ["05"], "02", None, "ndrc-2026", "serious", 36),
    ("G26", "2026-05-06", ["02"], "02", 3000, "ndrc-2026", "general", 12),
    ("M26", "2026-05-06", ["08"], "02", None, "ndrc-2026", "minor", None),
]


def test_each_rule_version_sets_the_window(setup, penalty):
    batch = ingest(
        enumerate([penalty(c[0], c[1], c[2], c[3], c[4]) for c in CASES], 1), source=setup.source, channel="api"
    )
    assert batch.accepted == len(CASES), list(batch.rows.values_list("errors", flat=True))
    assert sync_credit_records() == len(CASES)
    for source_id, decided, _kinds, _procedure, _fine, version, rule, months in CASES:
        credit = CreditRecord.objects.get(record__source_id=source_id)
        assert (credit.rule_version, credit.rule_name) == (version, rule), source_id
        day = dt.date.fromisoformat(decided)
        if months is None:
            assert credit.publish_from is None and credit.publish_until is None and not credit.is_public
        else:
            assert credit.publish_from == day
            assert credit.publish_until == day.replace(
                year=day.year + months // 12, month=(day.month - 1 + months % 12) % 12 + 1
            )
            assert credit.publish_due > day  # 7 working days later


def test_publication_starts_and_stops_on_schedule(setup, penalty):
    ingest(enumerate([penalty("L21", "2022-03-01", ["02"], fine=5000)], 1), source=setup.source, channel="api")
    sync_credit_records()
    credit = CreditRecord.objects.get()
    assert credit.publish_until == dt.date(2022, 6, 1)
    refresh_publication(dt.date(2022, 2, 28))
    credit.refresh_from_db()
    assert not credit.is_public  # not decided yet
    assert refresh_publication(dt.date(2022, 3, 1)) == {"started": 1, "stopped": 0}
    refresh_publication(dt.date(2022, 5, 31))
    credit.refresh_from_db()
    assert credit.is_public
    assert refresh_publication(dt.date(2022, 6, 1)) == {"started": 0, "stopped": 1}
    credit.refresh_from_db()
    assert not credit.is_public


def test_spot_check_results_become_credit_records(setup, inspection):
    ingest(
        enumerate([inspection("SC-1", plan_id="SC7-1"), inspection("DAILY-1")], 1), source=setup.source, channel="api"
    )
    assert sync_credit_records() == 1
    credit = CreditRecord.objects.get()
    assert credit.kind == "spotcheck" and credit.rule_name == "spotcheck_result"
    assert credit.publish_until == dt.date(2031, 3, 2) and credit.is_public


def test_a_second_sync_updates_the_window_and_keeps_publication_and_repair(setup, penalty):
    """The upsert by record: the rule's fields rewritten from the record, the row and its id kept,
    its publication flag and repair left as they were."""
    from django.utils import timezone

    from jianguan.records.models import Record

    ingest(enumerate([penalty("U21", "2022-03-01", ["02"], fine=5000)], 1), source=setup.source, channel="api")
    assert sync_credit_records(refresh=False) == 1
    credit = CreditRecord.objects.get()
    assert not credit.is_public and credit.rule_name == "criticism_or_low_fine"
    repaired = timezone.now()
    CreditRecord.objects.filter(pk=credit.pk).update(is_public=True, repaired_at=repaired, title="x")
    Record.objects.filter(pk=credit.record_id).update(action_date=dt.date(2022, 4, 1))
    assert sync_credit_records(refresh=False) == 1
    again = CreditRecord.objects.get()
    assert again.pk == credit.pk and again.title == credit.title
    assert (again.decided_on, again.publish_from, again.publish_until) == (
        dt.date(2022, 4, 1),
        dt.date(2022, 4, 1),
        dt.date(2022, 7, 1),
    )
    assert again.is_public and again.repaired_at == repaired
    assert again.updated_at >= credit.updated_at
