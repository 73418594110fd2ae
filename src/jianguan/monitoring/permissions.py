"""Who reads which monitoring data: the watching department and those whose scope covers it, by
department and by the device's region; a source system reads the deliveries it sent. A detection
and its evidence image are read by those who may read the detecting device. Refused readings are
read by department and platform administrators: those their source system's department sent, and
those naming a device they watch."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import restrict, scope_for, scope_q
from jianguan.core.errors import NotFound
from jianguan.monitoring.models import BadReading, Clue, Delivery, Detection, Device

REFUSED_READERS = (Role.DEPARTMENT_ADMIN, Role.PLATFORM_ADMIN)


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


def reads_refused(actor: Any) -> bool:
    return scope_for(actor).has_role(*REFUSED_READERS)


def visible_refused(actor: Any) -> QuerySet[BadReading]:
    scope = scope_for(actor)
    if not scope.has_role(*REFUSED_READERS):
        return BadReading.objects.none()
    by_source = scope_q(scope, department="delivery__source__department", region=None)
    if by_source is None:
        return BadReading.objects.none()
    watched = visible_devices(actor).values("code")
    return BadReading.objects.filter(by_source | Q(device_code__in=watched))


def access(queryset: QuerySet, pk: Any):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
