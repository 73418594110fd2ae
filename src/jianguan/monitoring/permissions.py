"""Who reads which monitoring data: the watching department and those whose scope covers it, by
department and by the device's region; a source system reads the deliveries it sent. A detection
and its evidence image are read by those who may read the detecting device."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jianguan.accounts.scope import restrict
from jianguan.core.errors import NotFound
from jianguan.monitoring.models import Clue, Delivery, Detection, Device


def visible_devices(actor: Any) -> QuerySet[Device]:
    return restrict(Device.objects.all(), actor, department="department", region="region__code")


def visible_clues(actor: Any) -> QuerySet[Clue]:
    return restrict(Clue.objects.all(), actor, department="department", region="region__code")


def visible_detections(actor: Any) -> QuerySet[Detection]:
    return restrict(Detection.objects.all(), actor, department="device__department", region="device__region__code")


def visible_deliveries(actor: Any) -> QuerySet[Delivery]:
    source = getattr(actor, "source_system", None)
    if source is not None:
        return Delivery.objects.filter(source=source)
    return restrict(Delivery.objects.all(), actor, department="source__department", region=None)


def access(queryset: QuerySet, pk: Any):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
