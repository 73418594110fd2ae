"""`jianguan credit sync|refresh|grade [--on DATE] [--scheme national|shandong]`.

sync: credit records from supervision actions; refresh: publication by schedule; grade: risk grades.
"""

import datetime as dt

from django.core.management.base import BaseCommand

from jianguan.credit.services import grade_subjects, refresh_publication, sync_credit_records


class Command(BaseCommand):
    help = "Create credit records from penalties and spot-check results, or refresh what is public today."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sync", "refresh", "grade"])
        parser.add_argument("--on", type=dt.date.fromisoformat, help="the day (default today)")
        parser.add_argument("--scheme", default="national", help="grading scheme: national (A–D) or shandong (A–E)")

    def handle(self, *args, action, on, scheme, **options):
        if action == "sync":
            self.stdout.write(f"credit records: {sync_credit_records()}")
        elif action == "refresh":
            self.stdout.write(str(refresh_publication(on)))
        else:
            self.stdout.write(f"grades: {grade_subjects(on, scheme)}")
