"""`jianguan datastandard FILE [--check]`: write the data standard document, or check it is current."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.records.standard_doc import render


class Command(BaseCommand):
    help = "Write docs/data-standard.md from the schemas; with --check, fail if FILE is not current."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, file, check, **options):
        path = Path(file)
        current = render()
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != current:
                raise CommandError(f"{path} is not current: run `make datastandard` and commit it")
            self.stdout.write(f"{path} is current")
            return
        path.write_text(current, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
