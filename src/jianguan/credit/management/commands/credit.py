"""`jianguan credit sync|refresh [--on DATE]`: credit records from supervision actions; publication by schedule."""

import datetime as dt

from django.core.management.base import BaseCommand

from jianguan.credit.services import refresh_publication, sync_credit_records


class Command(BaseCommand):
    help = "Create credit records from penalties and spot-check results, or refresh what is public today."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sync", "refresh"])
        parser.add_argument("--on", type=dt.date.fromisoformat, help="the day to refresh for (default today)")

    def handle(self, *args, action, on, **options):
        if action == "sync":
            self.stdout.write(f"credit records: {sync_credit_records()}")
        else:
            self.stdout.write(str(refresh_publication(on)))
