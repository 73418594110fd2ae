"""Who reads which alerts: the handling department and those whose scope covers it, by department
and by the alert's region."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jianguan.accounts.scope import restrict
from jianguan.alerts.models import Alert, SubjectRisk
from jianguan.core.errors import NotFound


def visible_alerts(actor: Any) -> QuerySet[Alert]:
    return restrict(Alert.objects.all(), actor, department="department", region="region__code")


def access_alert(actor: Any, pk: Any) -> Alert:
    found = visible_alerts(actor).select_related("item__definition", "department", "subject").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def visible_risks(actor: Any) -> QuerySet[SubjectRisk]:
    """The fused risk of the subjects in the actor's regions (subjects are cut by region, as in the register)."""
    return restrict(SubjectRisk.objects.all(), actor, region="subject__region__code")
