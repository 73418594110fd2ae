"""`jianguan export KIND FILE`: the whole register as .xlsx or .csv (by the file's extension)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianguan.catalog.models import CheckPoint, SupervisionItem
from jianguan.core.models import Department
from jianguan.officers.models import Officer
from jianguan.platform.importing import export_file, import_kinds
from jianguan.subjects.models import Subject


def _querysets():
    return {
        "subjects": Subject.objects.order_by("pk"),
        "officers": Officer.objects.order_by("pk"),
        "catalog": SupervisionItem.objects.order_by("code", "version"),
        "checkpoints": CheckPoint.objects.order_by("item__code", "code"),
        "departments": Department.objects.order_by("path"),
    }


class Command(BaseCommand):
    help = "Export a register to FILE (.xlsx or .csv)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=import_kinds())
        parser.add_argument("file")

    def handle(self, *args, kind, file, **options):
        path = Path(file)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in {"xlsx", "csv"}:
            raise CommandError("the file name must end in .xlsx or .csv")
        path.write_bytes(export_file(kind, _querysets()[kind], fmt))
        self.stdout.write(f"wrote {path}")
