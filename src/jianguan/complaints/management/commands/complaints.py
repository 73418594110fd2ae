"""`jianguan complaints train|evaluate FILE --text-column C --label-column L [--json]`, and the
work-order housekeeping: `setup` (category tree, dispatch catalogue, workflow), `retrain` (models
from confirmed orders), `overdue` (red cards and 督办), `surges` (last week's surges).

train: fits the classifier on a labelled CSV (with --holdout SHARE it keeps a stratified share out
and writes it to --holdout-file for evaluate). evaluate: scores the trained model on a labelled
file; with --json the last line is one JSON object with accuracy, macro_f1 and per_class.
"""

import json
from pathlib import Path

import orjson
from django.core.management.base import BaseCommand, CommandError

from jianguan.complaints import analysis, classifier, services
from jianguan.complaints.history import import_history
from jianguan.complaints.policy import load_taxonomy
from jianguan.core.errors import DomainError


class Command(BaseCommand):
    help = "Train or evaluate the complaint classifier on a labelled CSV file."

    def add_arguments(self, parser):
        parser.add_argument(
            "action", choices=["train", "evaluate", "setup", "retrain", "overdue", "surges", "import-history"]
        )
        parser.add_argument("file", nargs="?")
        parser.add_argument("--text-column")
        parser.add_argument("--label-column")
        parser.add_argument("--limit", type=int, help="retrain: the newest N confirmed orders")
        parser.add_argument("--holdout", type=float, default=0.0, help="train: share of rows kept out (stratified)")
        parser.add_argument("--holdout-file", help="train: where to write the rows kept out")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, action, file, text_column, label_column, holdout, holdout_file, **options):
        if action in ("setup", "retrain", "overdue", "surges"):
            return self.housekeeping(action, options)
        if action == "import-history":
            return self.import_history(file, options)
        if not (file and text_column and label_column):
            raise CommandError("train and evaluate need FILE, --text-column and --label-column")
        try:
            frame = classifier.read_labelled(file, text_column, label_column)
            if action == "train":
                if holdout:
                    from sklearn.model_selection import train_test_split

                    if not holdout_file:
                        raise ValueError("--holdout needs --holdout-file")
                    frame, kept = train_test_split(frame, test_size=holdout, stratify=frame["label"], random_state=2026)
                    kept.rename(columns={"text": text_column, "label": label_column}).to_csv(holdout_file, index=False)
                classifier.train(frame)
                result = {
                    "trained_on": int(len(frame)),
                    "labels": sorted(frame["label"].unique()),
                    "model": str(classifier.model_path()),
                }
                self.stdout.write(f"trained on {len(frame)} texts, {len(result['labels'])} labels: {result['model']}")
            else:
                result = classifier.evaluate(classifier.load(), frame)
                self.stdout.write(
                    f"accuracy {result['accuracy']:.4f}, macro-F1 {result['macro_f1']:.4f} on {result['examples']} texts"
                )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))

    def housekeeping(self, action, options):
        try:
            if action == "setup":
                categories, rules = load_taxonomy()
                result = {"categories": categories, "dispatch_rules": rules}
            elif action == "retrain":
                result = services.train_from_orders(options.get("limit"))
            elif action == "overdue":
                result = services.flag_overdue()
            else:
                result = {"surges": [str(s) for s in analysis.detect_surges()]}
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False) if options["json"] else str(result))

    def import_history(self, file, options):
        """Past work orders with their steps, from a JSON array or JSON lines file; progress per chunk."""

        if not file:
            raise CommandError("import-history needs FILE (a JSON array or JSON lines)")
        try:
            raw = Path(file).read_bytes()
            stripped = raw.lstrip()
            rows = (
                orjson.loads(raw)
                if stripped.startswith(b"[")
                else [orjson.loads(line) for line in raw.splitlines() if line.strip()]
            )
        except (OSError, orjson.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        totals = {"received": 0, "accepted": 0, "rejected": 0, "duplicate": 0, "errors": []}
        chunk = 5000
        try:
            for start in range(0, len(rows), chunk):
                part = import_history(rows[start : start + chunk])
                for key in ("received", "accepted", "rejected", "duplicate"):
                    totals[key] += part[key]
                totals["errors"] += [{**e, "row": e["row"] + start} for e in part["errors"]]
                self.stdout.write(
                    f"  {min(start + chunk, len(rows))}/{len(rows)} rows: {totals['accepted']} accepted, {totals['rejected']} rejected, {totals['duplicate']} duplicates"
                )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        for error in totals["errors"][:50]:
            self.stdout.write(f"row {error['row']}: {error['code']} {error['message']}")
        if options["json"]:
            self.stdout.write(json.dumps(totals, ensure_ascii=False))
