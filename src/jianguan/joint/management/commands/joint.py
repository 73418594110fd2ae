"""`jianguan joint setup|sync-claims|never-supervised|overlaps [--json]`.

setup: define the joint workflows and load the key-matter list; sync-claims: claim tasks for new
licences and first inspections of claimed ones; never-supervised: the report of licences approved
but never supervised (all departments); overlaps: subjects inspected by several departments recently.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from jianguan.accounts.scope import Scope, ScopeGrant
from jianguan.core.errors import DomainError
from jianguan.joint import services


class _Everyone:
    """The command runs as the platform: every department and region."""

    is_authenticated = True
    is_active = True


class Command(BaseCommand):
    help = "Joint supervision housekeeping and reports."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["setup", "sync-claims", "never-supervised", "overlaps"])
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        everyone = _Everyone()
        everyone._jianguan_scope = Scope((ScopeGrant(None, None),), frozenset({"platform_admin"}))
        try:
            if action == "setup":
                result = services.setup()
            elif action == "sync-claims":
                result = services.sync_claims()
            elif action == "never-supervised":
                rows = services.never_supervised(everyone)
                result = {"count": len(rows), "rows": rows}
            else:
                result = services.overlapping_inspections(everyone)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        elif isinstance(result, dict) and "rows" in result:
            for row in result["rows"]:
                self.stdout.write(f"{row['issued_on']}  {row['reason']:<14} {row['department']}  {row['subject']}")
            self.stdout.write(f"{result['count']} licences")
        else:
            self.stdout.write(str(result))
