"""Who reads which joint work: a department sees what was sent to it or by it, within its scope
(its own subtree: a superior sees its subordinates' work), and what its region grants."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jianguan.accounts.scope import scope_for, scope_q
from jianguan.core.errors import NotFound
from jianguan.joint.choices import CampaignTaskStatus
from jianguan.joint.models import AssistRequest, Campaign, CampaignTask, ClaimTask, Notice


def _either(actor: Any, *lookups: str) -> Q | None:
    """Rows whose department at any of `lookups` is in the actor's scope (department dimension)."""
    scope = scope_for(actor)
    combined = None
    for lookup in lookups:
        condition = scope_q(scope, department=lookup, region=None)
        if condition is None:
            return None
        combined = condition if combined is None else combined | condition
    return combined


def _restrict(queryset: QuerySet, actor: Any, *lookups: str) -> QuerySet:
    """The rows in scope, as a semi-join on their ids: a lookup through a many-valued relation
    (a notice's recipients, a campaign's participants) repeats a row, and DISTINCT over the wide
    rows a list selects (JSON columns included) is what the planner must not be left to do."""
    condition = _either(actor, *lookups)
    if condition is None:
        return queryset.none()
    return queryset.filter(pk__in=queryset.model.objects.filter(condition).values("pk"))


def visible_claims(actor: Any) -> QuerySet[ClaimTask]:
    return _restrict(ClaimTask.objects.all(), actor, "department")


def claimable_claims(actor: Any) -> QuerySet[ClaimTask]:
    """The visible licence claims still waiting to be claimed."""
    return visible_claims(actor).filter(item__state="pending", item__is_closed=False)


def visible_assistance(actor: Any) -> QuerySet[AssistRequest]:
    return _restrict(AssistRequest.objects.all(), actor, "requester", "assignee", "forwarded_from")


def visible_notices(actor: Any) -> QuerySet[Notice]:
    return _restrict(Notice.objects.all(), actor, "sender", "recipients__department")


def visible_campaigns(actor: Any) -> QuerySet[Campaign]:
    return _restrict(Campaign.objects.all(), actor, "lead", "participants")


def access(queryset: QuerySet, pk: Any):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def open_campaign_tasks(actor: Any) -> QuerySet[CampaignTask]:
    """The subjects the actor's departments are still to check in campaigns, the campaign's end first."""
    return (
        _restrict(CampaignTask.objects.filter(status=CampaignTaskStatus.ASSIGNED), actor, "department")
        .select_related("campaign", "subject")
        .order_by("campaign__ends_on", "pk")
    )
