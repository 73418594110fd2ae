"""跨部门综合监管重点事项: the key matters several sectors supervise together, as versioned data.

The list ships as ``data/key_matters.json``; each load stores a new version of every matter whose
content changed. Spot checks and joint supervision both ask ``required_sectors`` which sectors must
take part when a plan or campaign covers a matter's items.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.audit.services import record_event
from jianguan.catalog.models import KeyMatter, SupervisionItem
from jianguan.core.errors import DomainError, lazy_format
from jianguan.core.models import Sector

_DATA = Path(__file__).resolve().parent / "data"


def load_key_matters(today: dt.date | None = None) -> int:
    """Store the list as a new version of each matter whose content changed."""
    data = json.loads((_DATA / "key_matters.json").read_text(encoding="utf-8"))
    today = today or timezone.localdate()
    sectors = {s.code: s for s in Sector.objects.all()}
    stored = 0
    with transaction.atomic():
        for matter in data["matters"]:
            lead = sectors.get(matter["lead_sector"])
            if lead is None:
                continue
            cooperating = [sectors[c] for c in matter["cooperating_sectors"] if c in sectors]
            words = Q()
            for word in matter["item_keywords"]:
                words |= Q(name__contains=word)
            items = list(
                SupervisionItem.objects.filter(words, sector__in=[lead, *cooperating], parent__isnull=True).values_list(
                    "pk", flat=True
                )
            )
            latest = KeyMatter.objects.filter(code=matter["code"]).order_by("-version").first()
            signature = (matter["name"], lead.pk, sorted(c.pk for c in cooperating), sorted(items), matter["measures"])
            if latest is not None and signature == (
                latest.name,
                latest.lead_sector_id,
                sorted(latest.cooperating_sectors.values_list("pk", flat=True)),
                sorted(latest.items.values_list("pk", flat=True)),
                latest.measures,
            ):
                continue
            entry = KeyMatter.objects.create(
                code=matter["code"],
                version=(latest.version + 1) if latest else 1,
                name=matter["name"],
                lead_sector=lead,
                measures=matter["measures"],
                review_on=today + relativedelta(months=matter["review_months"]),
                effective_from=today,
                list_version=data["version"],
            )
            entry.cooperating_sectors.set(cooperating)
            entry.items.set(items)
            record_event(
                None, "catalog.key_matter", "key_matter", entry.pk, after={"code": entry.code, "version": entry.version}
            )
            stored += 1
    return stored


def current_key_matters():
    """The newest version of each matter."""
    latest = {}
    for matter in KeyMatter.objects.order_by("code", "-version").prefetch_related("cooperating_sectors", "items"):
        latest.setdefault(matter.code, matter)
    return list(latest.values())


def required_sectors(item_ids: set[int]) -> dict[str, set[int]]:
    """For the key matters whose items a joint plan or campaign covers: matter code → sectors that must take part."""
    out = {}
    for matter in current_key_matters():
        if item_ids & {i.pk for i in matter.items.all()}:
            out[matter.code] = {matter.lead_sector_id, *(s.pk for s in matter.cooperating_sectors.all())}
    return out


def require_sectors(item_ids: set[int], sector_ids: set[int]) -> None:
    """Refuse joint work on a key matter's items unless every sector the matter names takes part."""
    for code, sectors in required_sectors(item_ids).items():
        missing = sectors - sector_ids
        if missing:
            names = "、".join(Sector.objects.filter(pk__in=missing).values_list("name", flat=True))
            raise DomainError(
                "key_matter_departments",
                lazy_format(
                    _("Key matter %(code)s requires these sectors to take part: %(names)s."),
                    {"code": code, "names": names},
                ),
            )
