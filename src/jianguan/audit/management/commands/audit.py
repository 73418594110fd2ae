"""`jianguan audit verify [--anchor-dir DIR]` and `jianguan audit anchor [--anchor-dir DIR]`.

verify recomputes the keyed hash chain and, with anchors, checks that every anchored head is still
in the chain as signed (nothing edited, nothing cut back). anchor appends the current head, signed
with the audit key, to DIR/checkpoints.jsonl: keep DIR where the application's database user
cannot write (another host, write-once storage). DIR defaults to JIANGUAN_AUDIT_ANCHOR_DIR.
verify --national also checks the chain against the heads the national receiver acknowledged
keeping (each push carries the head; settings.AUDIT_NATIONAL_HEADS fetches them).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from jianguan.audit.services import read_anchors, verify_chain, write_anchor


class Command(BaseCommand):
    help = "Audit trail tools. verify: check the chain (and its anchors); anchor: record the head outside the database."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument("--anchor-dir", default=settings.AUDIT_ANCHOR_DIR, help="where checkpoints.jsonl is kept")
        parser.add_argument(
            "--national", action="store_true", help="check against the heads the national receiver kept too"
        )

    def handle(self, *args, action, anchor_dir, national=False, **options):
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
        witnessed = None
        if national:
            try:
                witnessed = import_string(settings.AUDIT_NATIONAL_HEADS)()
            except Exception as exc:  # the receiver's failure, whatever its kind, is the answer
                raise CommandError(f"the national receiver's heads could not be read: {exc}") from None
        result = verify_chain(anchors=anchors, witnessed=witnessed)
        if result.ok:
            self.stdout.write(
                f"ok {result.count}"
                + (f", {result.anchors} anchors" if anchors else "")
                + (f", {result.witnessed} heads kept by the national receiver" if national else "")
            )
            return
        raise CommandError(f"broken at event {result.broken_seq}: {result.reason} ({result.count} events verified)")
