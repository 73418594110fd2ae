"""`jianguan spotcheck verify DRAW_ID`: recompute a draw from its stored parts; `jianguan spotcheck verify
--file draw-record.json`: recompute a published draw record offline (no database). Prints "ok" or the
first difference."""

import json

from django.core.management.base import BaseCommand, CommandError

from jianguan.spotcheck import verify_draw as offline
from jianguan.spotcheck.models import Draw
from jianguan.spotcheck.services import verify_draw


class Command(BaseCommand):
    help = "Verify a random-check draw: the seed against its commitment, the pool against its hash, the selection."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify")
        verify.add_argument("draw_id", type=int, nargs="?")
        verify.add_argument("--file", help="a draw record (JSON) downloaded from the public page")

    def handle(self, *args, action, draw_id=None, file=None, **options):
        if file:
            with open(file, encoding="utf-8") as handle:
                problems = offline.check(json.load(handle))
            if problems:
                raise CommandError("; ".join(problems))
            self.stdout.write("ok")
            return
        if draw_id is None:
            raise CommandError("give a draw id or --file")
        draw = Draw.objects.select_related("batch").filter(pk=draw_id).first()
        if draw is None:
            raise CommandError(f"no draw {draw_id}")
        result = verify_draw(draw)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write("ok")
