"""`jianguan openapi FILE [--check]`: write the OpenAPI document, or check the committed one is current."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.config.api import api


def render() -> str:
    return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the API's OpenAPI document to FILE; with --check, fail if FILE is not current."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, file, check, **options):
        path = Path(file)
        current = render()
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != current:
                raise CommandError(f"{path} is not current: run `make openapi` and commit it")
            self.stdout.write(f"{path} is current")
            return
        path.write_text(current, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
