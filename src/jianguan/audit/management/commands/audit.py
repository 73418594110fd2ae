"""`jianguan audit verify`: check the whole audit chain."""

from django.core.management.base import BaseCommand, CommandError

from jianguan.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. verify: recompute the hash chain and report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(f"ok {result.count}")
            return
        raise CommandError(f"broken at event {result.broken_seq}: {result.reason} ({result.count} events verified)")
