"""`jianguan spotcheck verify DRAW_ID`: recompute a draw from its published parts; prints "ok" or the first difference."""

from django.core.management.base import BaseCommand, CommandError

from jianguan.spotcheck.models import Draw
from jianguan.spotcheck.services import verify_draw


class Command(BaseCommand):
    help = "Verify a random-check draw: the seed against its commitment, the pool against its hash, the selection."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify")
        verify.add_argument("draw_id", type=int)

    def handle(self, *args, action, draw_id, **options):
        draw = Draw.objects.select_related("batch").filter(pk=draw_id).first()
        if draw is None:
            raise CommandError(f"no draw {draw_id}")
        result = verify_draw(draw)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write("ok")
