"""`jianguan import KIND FILE [--map THEIRS=OURS ...] [--set FIELD=VALUE ...] [--source NAME [--remember]] [--json]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.core.errors import DomainError
from jianguan.platform.importing import (
    Mapping,
    import_kinds,
    remember_mapping,
    remembered_mapping,
    run_import,
    summary,
)


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values or []:
        left, sep, right = value.partition("=")
        if not sep or not left.strip():
            raise CommandError(f"{option} takes NAME=VALUE, got {value!r}")
        pairs[left.strip()] = right.strip()
    return pairs


class Command(BaseCommand):
    help = "Import a register file (.xlsx or .csv) and print the counts."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=import_kinds())
        parser.add_argument("file")
        parser.add_argument(
            "--map",
            action="append",
            metavar="THEIRS=OURS",
            help="read their column THEIRS as our field OURS (OURS empty: ignore the column); repeatable",
        )
        parser.add_argument(
            "--set",
            action="append",
            metavar="FIELD=VALUE",
            help="fill FIELD where the file gives none; {COLUMN} or {COLUMN:0N} takes a cell of the row; repeatable",
        )
        parser.add_argument("--source", help="the source whose remembered mapping to start from")
        parser.add_argument("--remember", action="store_true", help="remember this mapping for --source")
        parser.add_argument("--json", action="store_true", help="end with one JSON object of counts")

    def handle(self, *args, kind, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        source = (options.get("source") or "").strip()
        mapping = (remembered_mapping(kind, source) if source else None) or Mapping()
        mapping.columns.update(_pairs(options.get("map"), "--map"))
        mapping.fixed.update(_pairs(options.get("set"), "--set"))
        if options["remember"] and not source:
            raise CommandError("--remember needs --source NAME")
        try:
            if options["remember"]:
                remember_mapping(kind, source, mapping)
            batch = run_import(
                kind, path.read_bytes(), path.name, mapping=mapping if (mapping.columns or mapping.fixed) else None
            )
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
