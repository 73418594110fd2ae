"""`jianguan keys status` and `jianguan keys rotate`: the sealing key ring and what each key sealed.

To rotate: add a new id:secret at the end of JIANGUAN_SEALING_KEYS on every process (the new key
seals from then on, old keys still unseal), run `jianguan keys rotate`, and remove the old key only
once `keys status` shows nothing left under it. Rotation goes table by table in batches, each batch
in its own transaction, and picks up only values not yet under the newest key: after a kill it is
simply run again.
"""

from __future__ import annotations

import sys

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from jianguan.core.pii import key_id_of, resealed, ring, sealing_key_id


def sealed_columns() -> list[tuple[type, str]]:
    """Every column holding sealed values: by convention, the fields whose name ends in `_sealed`."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name.endswith("_sealed")
    ]


def _not_newest(field: str) -> Q:
    newest = sealing_key_id()
    stale = ~Q(**{f"{field}__startswith": f"{newest}:"}) & ~Q(**{field: ""})
    if newest == "legacy":  # legacy values carry no id: then everything with an id is stale
        stale = Q(**{f"{field}__contains": ":"})
    return stale


class Command(BaseCommand):
    help = "Show or rotate the sealing keys of personal data."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "rotate"])
        parser.add_argument("--batch", type=int, default=1000, help="values re-sealed per transaction")

    def handle(self, *args, action, batch, **options):
        if action == "status":
            return self.status()
        if sealing_key_id() == "legacy":
            raise CommandError("JIANGUAN_SEALING_KEYS is empty: add a key (id:secret) before rotating")
        total = 0
        for model, field in sealed_columns():
            label = f"{model._meta.db_table}.{field}"
            todo = model.objects.filter(_not_newest(field))
            remaining = todo.count()
            done, last = 0, 0
            while True:
                rows = list(todo.filter(pk__gt=last).order_by("pk").only("pk", field)[:batch])
                if not rows:
                    break
                for row in rows:
                    setattr(row, field, resealed(getattr(row, field)) or getattr(row, field))
                with transaction.atomic():
                    model.objects.bulk_update(rows, [field])
                done, last = done + len(rows), rows[-1].pk
                sys.stderr.write(f"\r{label}: {done}/{remaining}")
            if remaining:
                sys.stderr.write("\n")
            total += done
        self.stdout.write(f"re-sealed {total} values under key {sealing_key_id()}")

    def status(self):
        known = set(ring())
        self.stdout.write(f"sealing key: {sealing_key_id()}; ring: {', '.join(known)}")
        for model, field in sealed_columns():
            counts: dict[str, int] = {}
            values = model.objects.exclude(**{field: ""}).values_list(field, flat=True).iterator(chunk_size=5000)
            for value in values:
                key_id = key_id_of(value)
                counts[key_id] = counts.get(key_id, 0) + 1
            shown = ", ".join(f"{k} {n}{'' if k in known else ' (KEY MISSING)'}" for k, n in sorted(counts.items()))
            self.stdout.write(f"{model._meta.db_table}.{field}: {shown or 'none'}")
