"""`jianguan audit verify [--anchor-dir DIR]` and `jianguan audit anchor [--anchor-dir DIR]`.

verify recomputes the keyed hash chain and, with anchors, checks that every anchored head is still
in the chain as signed (nothing edited, nothing cut back). anchor appends the current head, signed
with the audit key, to DIR/checkpoints.jsonl: keep DIR where the application's database user
cannot write (another host, write-once storage). DIR defaults to JIANGUAN_AUDIT_ANCHOR_DIR.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jianguan.audit.services import read_anchors, verify_chain, write_anchor


class Command(BaseCommand):
    help = "Audit trail tools. verify: check the chain (and its anchors); anchor: record the head outside the database."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument("--anchor-dir", default=settings.AUDIT_ANCHOR_DIR, help="where checkpoints.jsonl is kept")

    def handle(self, *args, action, anchor_dir, **options):
        if action == "anchor":
            if not anchor_dir:
                raise CommandError("name the anchor directory: --anchor-dir or JIANGUAN_AUDIT_ANCHOR_DIR")
            anchor = write_anchor(anchor_dir)
            self.stdout.write(f"anchored {anchor.seq} {anchor.hash}" if anchor else "nothing to anchor yet")
            return
        try:
            anchors = read_anchors(anchor_dir) if anchor_dir else []
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        result = verify_chain(anchors=anchors)
        if result.ok:
            self.stdout.write(f"ok {result.count}" + (f", {result.anchors} anchors" if anchors else ""))
            return
        raise CommandError(f"broken at event {result.broken_seq}: {result.reason} ({result.count} events verified)")
