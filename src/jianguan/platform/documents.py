"""Documents generated from the code (the OpenAPI document, the data standard): a command writes
one, or with --check fails when the committed copy is not current (`make test` runs the checks)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class GeneratedDocumentCommand(BaseCommand):
    """`jianguan NAME FILE [--check]`; a subclass gives `render()` and the make target that rewrites it."""

    make_target = ""

    def render(self) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, file, check, **options):
        path = Path(file)
        current = self.render()
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != current:
                raise CommandError(f"{path} is not current: run `make {self.make_target}` and commit it")
            self.stdout.write(f"{path} is current")
            return
        path.write_text(current, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
