"""`jianguan outbox status|deliver|retry-refused`: the national outbox from the command line."""

import json

from django.core.management.base import BaseCommand, CommandError

from jianguan.exchange.outbox import backlog, deliver_all, retry_refused
from jianguan.exchange.transport import TransportError


class Command(BaseCommand):
    help = "Show the national outbox, deliver what is due, or re-queue refused entries."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "deliver", "retry-refused"])

    def handle(self, *args, action, **options):
        if action == "status":
            self.stdout.write(json.dumps(backlog(), default=str, ensure_ascii=False))
        elif action == "deliver":
            try:
                report = deliver_all()
            except TransportError as exc:
                raise CommandError(f"no transport: {exc}") from None
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(f"re-queued {retry_refused()} entries")
