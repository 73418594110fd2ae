"""`jianguan risk evaluate --history FILE --test-from DATE [--test-to DATE] [--json]`.

FILE is a CSV history with columns subject_id, date and failed (0/1), plus any attributes; other
names can be mapped with --rename OLD=NEW, `failed` derived with --failed-from COLUMN (> 0), and
columns known only after the inspection excluded with --drop. With --json the last line is one
JSON object of the figures.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jianguan.credit.targeting import evaluate, load_history, platform_history, rank_subjects
from jianguan.subjects.models import Subject


class Command(BaseCommand):
    help = "Evaluate the learned risk targeting on an inspection history, with Chicago's protocol."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate")
        ev.add_argument("--history", required=True)
        ev.add_argument("--test-from", required=True, type=dt.date.fromisoformat)
        ev.add_argument("--test-to", type=dt.date.fromisoformat)
        ev.add_argument("--rename", action="append", default=[], help="OLD=NEW, e.g. License=subject_id")
        ev.add_argument("--failed-from", help="derive failed = (COLUMN > 0)")
        ev.add_argument("--drop", action="append", default=[], help="a column not known before the inspection")
        ev.add_argument("--json", action="store_true")
        rank = sub.add_parser("rank", help="score the platform's subjects from its own inspections")
        rank.add_argument("--top", type=int, default=50)
        rank.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        if action == "rank":
            self._rank(options["top"], options["json"])
            return
        self._evaluate(**options)

    def _rank(self, top, as_json):
        ranked = rank_subjects(platform_history(), timezone.localdate(), top)
        names = dict(Subject.objects.filter(pk__in=ranked["subject_id"].tolist()).values_list("pk", "name"))
        rows = [
            {
                "subject_id": int(r.subject_id),
                "name": names.get(int(r.subject_id), ""),
                "score": round(float(r.score), 4),
            }
            for r in ranked.itertuples()
        ]
        for row in rows:
            self.stdout.write(f"{row['score']:.3f}  {row['subject_id']}  {row['name']}")
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))

    def _evaluate(self, *, history, test_from, test_to, rename, failed_from, drop, **options):
        try:
            mapping = dict(item.split("=", 1) for item in rename)
        except ValueError:
            raise CommandError("--rename takes OLD=NEW") from None
        try:
            frame = load_history(history, mapping, failed_from)
            result = evaluate(frame, test_from, test_to, set(drop))
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"failures found in the first half: model {result['model_first_half_share']:.1%}, "
            f"real order {result['real_first_half_share']:.1%}, baseline {result['baseline_first_half_share']:.1%}; "
            f"found {result['days_earlier']} days earlier on average (baseline {result['baseline_days_earlier']}); "
            f"{result['test_failures']} failures in {result['test_inspections']} test inspections"
        )
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
