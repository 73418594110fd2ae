"""`jianguan complaints train|evaluate FILE --text-column C --label-column L [--json]`.

train: fits the classifier on a labelled CSV (with --holdout SHARE it keeps a stratified share out
and writes it to --holdout-file for evaluate). evaluate: scores the trained model on a labelled
file; with --json the last line is one JSON object with accuracy, macro_f1 and per_class.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from jianguan.complaints import classifier


class Command(BaseCommand):
    help = "Train or evaluate the complaint classifier on a labelled CSV file."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["train", "evaluate"])
        parser.add_argument("file")
        parser.add_argument("--text-column", required=True)
        parser.add_argument("--label-column", required=True)
        parser.add_argument("--holdout", type=float, default=0.0, help="train: share of rows kept out (stratified)")
        parser.add_argument("--holdout-file", help="train: where to write the rows kept out")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, action, file, text_column, label_column, holdout, holdout_file, **options):
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
