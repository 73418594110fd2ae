"""`jianguan import subjects|officers|catalog|checkpoints|departments FILE [--json]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.core.errors import DomainError
from jianguan.platform.importing import import_kinds, run_import, summary


class Command(BaseCommand):
    help = "Import a register file (.xlsx or .csv) and print the counts."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=import_kinds())
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="end with one JSON object of counts")

    def handle(self, *args, kind, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            batch = run_import(kind, path.read_bytes(), path.name)
        except DomainError as exc:
            body = exc.as_body()
            if options["json"]:
                self.stdout.write(json.dumps({"error": body}, ensure_ascii=False))
            raise CommandError(f"{body['message']} / {body['message_en']}") from None
        counts = summary(batch)
        for row in batch.rows.all():
            reasons = "; ".join(e["message"] for e in row.errors)
            self.stdout.write(f"row {row.row_number}: {row.outcome}: {reasons}")
        self.stdout.write(
            f"received {counts['received']}, accepted {counts['accepted']}, "
            f"rejected {counts['rejected']}, duplicates {counts['duplicates']} (batch {batch.pk})"
        )
        if options["json"]:
            self.stdout.write(json.dumps(counts))
