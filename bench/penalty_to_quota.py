"""Benchmark: one penalty sent through the gateway, on a built demo province, until it shows in the
subject's credit file, has moved the subject's risk grade and so the sampling ratio its next random
spot check draws it with. Facts carry it: `records.written` → credit (sync, regrade) →
`credit.grade_changed` → subjects (Subject.risk_grade), which the spot-check pools read.

Baseline (same run): the same gateway call with delivery held, i.e. the ingest alone. The ratio is
end to end / ingest alone: what the channel and its two subscribers add to a department's call.

Run on a demo (`make demo` builds one under var/demo):
  JIANGUAN_VAR_DIR=var/demo .venv/bin/python bench/penalty_to_quota.py [--penalties 5]
Each run adds its penalties to that demo: use a copy if you keep the demo for other work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from common import peak_rss_mib  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--penalties", type=int, default=5, help="subjects to penalise, one call each")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.config.settings")
    import django

    django.setup()
    from django.utils import timezone

    from jianguan.credit.models import CreditRecord
    from jianguan.exchange.models import SourceSystem
    from jianguan.exchange.services import ingest
    from jianguan.facts.services import deferred, deliver, status
    from jianguan.officers.models import Officer
    from jianguan.records.models import Record
    from jianguan.spotcheck.policy import default_quotas
    from jianguan.subjects.models import Subject

    quotas = default_quotas()
    template = Record.objects.filter(kind="penalty", subject__isnull=False).select_related("department").first()
    if template is None:
        sys.exit("No demo here: run `make demo` and point JIANGUAN_VAR_DIR at it.")
    department = template.department
    # A source system may send its own department's data and its subordinates'.
    source = next(
        s for s in SourceSystem.objects.select_related("department") if department.path.startswith(s.department.path)
    )
    crew = list(Officer.objects.filter(department=department)[:2])
    chosen = list(
        Subject.objects.filter(risk_grade="A", region__code__startswith=department.region_id[:4], uscc__isnull=False)
        .exclude(pk__in=Record.objects.filter(kind="penalty").values("subject_id"))
        .order_by("pk")[: args.penalties * 2]
    )
    if len(chosen) < args.penalties * 2:
        sys.exit("The demo holds too few grade-A subjects without penalties in this city.")
    today = timezone.localdate()

    def penalty(subject, n):
        return {
            "kind": "penalty",
            "source_id": f"BENCH-PEN-{subject.pk}-{n}",
            "item_code": template.item.code,
            "department": department.uscc,
            "subject_nature": "2",
            "subject_id_type": "001",
            "subject_code": subject.uscc,
            "subject_name": subject.name,
            "region": subject.region_id,
            "action_date": (today - dt.timedelta(days=3)).isoformat(),
            "reported_at": f"{(today - dt.timedelta(days=1)).isoformat()}T10:00:00+08:00",
            "facts": "未按规定进货查验",
            "basis": "《中华人民共和国食品安全法》第一百二十六条",
            "procedure": "02",
            "decision_no": f"基准罚〔{today.year}〕{subject.pk}号",
            "kinds": ["02"],
            "fine_amount": "5000",
            "reporter": crew[0].name if crew else "",
        }

    baseline, end_to_end, moved = [], [], []
    held, sent = chosen[: args.penalties], chosen[args.penalties :]
    for subject in held:  # baseline: the gateway call alone, delivery held until afterwards
        with deferred():
            start = time.perf_counter()
            ingest(enumerate([penalty(subject, 1)], 1), source=source, channel="api")
            baseline.append(time.perf_counter() - start)
    deliver()
    for subject in sent:
        before = subject.risk_grade
        start = time.perf_counter()
        ingest(enumerate([penalty(subject, 2)], 1), source=source, channel="api")
        # Tasks run at once here (no queue configured): the call returns after its facts are handled.
        deliver()
        took = time.perf_counter() - start
        subject.refresh_from_db()
        record = Record.objects.get(source_id=f"BENCH-PEN-{subject.pk}-2")
        in_file = CreditRecord.objects.filter(record=record).exists()
        end_to_end.append(took)
        moved.append((subject.pk, before, subject.risk_grade, in_file))
    state = status()
    mean_base = sum(baseline) / len(baseline)
    mean_all = sum(end_to_end) / len(end_to_end)
    print(f"penalties: {len(sent)} end to end, {len(held)} baseline, on {Subject.objects.count():,} subjects")
    for pk, before, after, in_file in moved:
        print(
            f"  subject {pk}: grade {before} → {after}; sampling {quotas[before]['ratio']:.0%} → "
            f"{quotas.get(after, quotas[before])['ratio']:.0%}; in the credit file: {'yes' if in_file else 'NO'}"
        )
    print(f"gateway call alone (baseline): {mean_base * 1000:.0f} ms mean")
    print(f"gateway call to new grade and quota: {mean_all * 1000:.0f} ms mean, {max(end_to_end) * 1000:.0f} ms max")
    print(f"ratio end to end / baseline: {mean_all / mean_base:.2f}")
    print(f"throughput: {len(sent) / sum(end_to_end):.1f} penalties/s end to end")
    backlog = sum(s.backlog for s in state.subscribers)
    print(f"backlog after: {backlog} facts; peak RSS {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
