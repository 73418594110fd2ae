"""`jianguan workflow escalate [--dry-run] [--json]` and `jianguan workflow load FILE`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from jianguan.workflow.services import define_workflow, escalate_overdue


class Command(BaseCommand):
    help = "Workflow tools: escalate overdue items up the department chain; load a definition file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        esc = sub.add_parser("escalate", help="escalate overdue items")
        esc.add_argument("--dry-run", action="store_true", help="list what would happen, change nothing")
        esc.add_argument("--json", action="store_true", help="print the report as JSON")
        load = sub.add_parser("load", help="store a definition (JSON) as a new version")
        load.add_argument("file")

    def handle(self, *args, **options):
        if options["action"] == "load":
            definition = define_workflow(json.loads(Path(options["file"]).read_text(encoding="utf-8")))
            self.stdout.write(f"{definition.code} v{definition.version}")
            return
        report = escalate_overdue(dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        verb = "would escalate" if report.dry_run else "escalated"
        for entry in report.escalated:
            self.stdout.write(
                f"{verb} {entry['reference']}: department {entry['department']} -> {entry['to_department']}"
            )
        for entry in report.skipped:
            self.stdout.write(f"skip {entry['reference']}: {entry['reason']}")
        self.stdout.write(f"{len(report.escalated)} {verb}, {len(report.skipped)} skipped")
