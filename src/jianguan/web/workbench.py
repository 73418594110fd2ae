"""The workbench: each role's first screen shows that role's own work, nearest deadline first.

Work that moves through a workflow (12345 orders, licence claims, assistance requests, rectification
orders) is read generically: a queue names a workflow and the states in which the role acts, and
lists the open items of those states that the actor may see (the workflow's scope check), with
their deadlines. Other panels come from the applications' own read functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import scope_for
from jianguan.core.models import Region
from jianguan.exchange.permissions import visible_rejections
from jianguan.joint.permissions import open_campaign_tasks
from jianguan.monitoring.display import level_label, rule_label
from jianguan.monitoring.lists import level_rank
from jianguan.monitoring.permissions import visible_clues, visible_devices
from jianguan.monitoring.services import offline_q
from jianguan.officers.permissions import visible_officers
from jianguan.platform.permissions import visible_batches
from jianguan.spotcheck.permissions import my_open_tasks
from jianguan.subjects.permissions import visible_subjects
from jianguan.workflow.labels import state_label
from jianguan.workflow.models import WorkflowItem
from jianguan.workflow.permissions import visible_items
from jianguan.workflow.services import deadline_colour

SHOWN = 8


def _complaint(item: WorkflowItem) -> str:
    return reverse("complaints:detail", args=[item.reference])


def _claim(item: WorkflowItem) -> str:
    return reverse("joint:claims") + f"?state={item.state}"


def _assistance(item: WorkflowItem) -> str:
    return reverse("joint:assistance", args=[item.assistance.pk])


def _alert(item: WorkflowItem) -> str:
    return f"{reverse('alerts:list')}?q={item.reference}"


def _rectification(item: WorkflowItem) -> str:
    return reverse("rectification:detail", args=[item.rectification.pk])


@dataclass(frozen=True)
class Queue:
    key: str
    title: Any
    roles: tuple[str, ...]
    workflow: str
    states: tuple[str, ...]
    link: Callable[[WorkflowItem], str]
    more: str
    related: tuple[str, ...] = ()
    # Complaint titles are the citizen's words: the queue shows the number and the state, not the text.
    show_title: bool = True


OFFICE = (Role.DEPARTMENT_ADMIN, Role.OFFICER)

QUEUES: tuple[Queue, ...] = (
    Queue(
        "intake",
        _("12345 intake: to dispatch"),
        (Role.HOTLINE_OPERATOR,),
        "complaints_order",
        ("received",),
        _complaint,
        "complaints:queue",
        show_title=False,
    ),
    Queue(
        "returns",
        _("Returned by departments: to review"),
        (Role.HOTLINE_OPERATOR,),
        "complaints_order",
        ("returned",),
        _complaint,
        "complaints:queue",
        show_title=False,
    ),
    Queue(
        "return_calls",
        _("Answered: return calls to make"),
        (Role.HOTLINE_OPERATOR,),
        "complaints_order",
        ("replied",),
        _complaint,
        "complaints:queue",
        show_title=False,
    ),
    Queue(
        "orders",
        _("12345 work orders to sign for and handle"),
        OFFICE,
        "complaints_order",
        ("dispatched", "handling"),
        _complaint,
        "complaints:queue",
        show_title=False,
    ),
    Queue("claims", _("Licences to claim"), OFFICE, "joint_claim", ("pending",), _claim, "joint:claims"),
    Queue(
        "assistance",
        _("Assistance requests to answer"),
        OFFICE,
        "joint_assist",
        ("requested", "accepted"),
        _assistance,
        "joint:assistance_list",
        related=("assistance",),
    ),
    Queue(
        "alerts",
        _("Risk alerts to sign for and handle"),
        OFFICE,
        "alerts_handle",
        ("issued", "signed", "disposing", "disposed", "fed_back"),
        _alert,
        "alerts:list",
    ),
    Queue(
        "rectification",
        _("Rectification reports to review and re-inspections"),
        OFFICE,
        "joint_rectify",
        ("reported", "reinspection"),
        _rectification,
        "rectification:orders",
        related=("rectification",),
    ),
)


@dataclass
class Row:
    title: str
    # The line under the title: the item's state, or what the work belongs to (batch, campaign).
    detail: str
    due: Any
    colour: str
    url: str
    provisional: bool = False
    # A date deadline (a batch's last day of checks), where the work has no workflow deadline.
    due_day: Any = None


@dataclass
class Panel:
    key: str
    title: Any
    count: int
    rows: list[Row]
    more_url: str = ""
    overdue: int = 0
    note: Any = ""
    links: list[tuple[Any, str]] = field(default_factory=list)


def _queue_panel(actor: Any, queue: Queue, now) -> Panel:
    items = visible_items(actor).filter(definition__code=queue.workflow, state__in=queue.states, is_closed=False)
    counts = items.aggregate(n=Count("pk"), overdue=Count("pk", filter=Q(next_due_at__lt=now)))
    shown = items.select_related("definition", *queue.related).order_by("next_due_at", "pk")[:SHOWN]
    rows = [
        Row(
            title=f"{item.reference} {item.title}" if queue.show_title else item.reference,
            detail=state_label(item),
            due=item.next_due_at,
            colour=deadline_colour(item, now),
            url=queue.link(item),
            provisional=item.due_is_provisional,
        )
        for item in shown
    ]
    return Panel(queue.key, queue.title, counts["n"], rows, reverse(queue.more), counts["overdue"])


def _spot_check_tasks(actor: Any) -> Panel:
    """The officer's own spot-check tasks still to check, the batch's last day first."""
    tasks = my_open_tasks(actor)
    today = timezone.localdate()
    rows = [
        Row(
            title=f"{task.subject.name}",
            detail=task.draw.batch.title,
            due=None,
            colour="red" if task.due_on and task.due_on < today else "green",
            url=reverse("spotcheck:result", args=[task.pk]),
            due_day=task.due_on,
        )
        for task in tasks[:SHOWN]
    ]
    late = tasks.filter(draw__batch__ends_on__lt=today).count()
    return Panel("spot_checks", _("My spot-check tasks"), tasks.count(), rows, reverse("spotcheck:my_tasks"), late)


def _campaign_tasks(actor: Any) -> Panel:
    """Subjects to check in campaigns (一表通查), each opening the merged check form."""
    tasks = open_campaign_tasks(actor)
    today = timezone.localdate()
    rows = [
        Row(
            title=task.subject.name,
            detail=task.campaign.title,
            due=None,
            colour="red" if task.campaign.ends_on < today else "green",
            url=reverse("joint:campaign_check", args=[task.campaign_id, task.pk]),
            due_day=task.campaign.ends_on,
        )
        for task in tasks[:SHOWN]
    ]
    late = tasks.filter(campaign__ends_on__lt=today).count()
    return Panel("campaign_checks", _("Campaign checks to make"), tasks.count(), rows, reverse("joint:campaigns"), late)


def _monitoring(actor: Any) -> Panel:
    """Open monitoring clues, red and orange first, and how many watched devices are offline."""
    clues = visible_clues(actor).filter(state="open")
    shown = clues.select_related("device", "subject").annotate(rank=level_rank()).order_by("rank", "-last_at", "-pk")
    rows = [
        Row(
            title=f"{clue.number} {rule_label(clue.rule)}",
            detail=" · ".join(
                part for part in (level_label(clue.level), clue.device.code, getattr(clue.subject, "name", "")) if part
            ),
            due=None,
            colour=clue.level,
            url=reverse("monitoring:clue", args=[clue.pk]),
        )
        for clue in shown[:SHOWN]
    ]
    offline = visible_devices(actor).filter(offline_q()).count()
    devices_url = reverse("monitoring:devices")
    return Panel(
        "monitoring",
        _("Monitoring clues to look into"),
        clues.count(),
        rows,
        reverse("monitoring:clues") + "?state=open",
        links=[(_("%(n)s devices offline") % {"n": offline}, f"{devices_url}?offline=true")],
    )


def _data_quality(actor: Any) -> Panel:
    batches = visible_batches(actor).filter(rejected__gt=0).order_by("-created_at")
    rows = [
        Row(
            title=f"{batch.filename}",
            detail=str(_("%(n)s rows rejected") % {"n": batch.rejected}),
            due=None,
            colour="",
            url=reverse("web:import_batch", args=[batch.pk]),
        )
        for batch in batches[:SHOWN]
    ]
    month = timezone.localdate().replace(day=1)
    rejected = sum(visible_rejections(actor).filter(day__gte=month).values_list("count", flat=True))
    return Panel(
        "quality",
        _("Data-quality problems: rejected rows to correct"),
        batches.count(),
        rows,
        reverse("exchange:quality"),
        note=_("%(n)s records rejected by the gateway this month") % {"n": rejected},
    )


def _area(actor: Any) -> Panel:
    """The leader's and analyst's overview: subjects by city, open and overdue work in their area."""
    now = timezone.now()
    open_items = visible_items(actor).filter(is_closed=False)
    by_city: dict[str, list[int]] = {}
    for row in open_items.values("region_id").annotate(n=Count("pk"), late=Count("pk", filter=Q(next_due_at__lt=now))):
        city = row["region_id"][:4] + "00"
        counts = by_city.setdefault(city, [0, 0])
        counts[0] += row["n"]
        counts[1] += row["late"]
    names = dict(Region.objects.filter(code__in=by_city).values_list("code", "name"))
    rows = [
        Row(
            names.get(code, code),
            str(_("%(n)s open, %(late)s overdue") % {"n": n, "late": late}),
            None,
            "red" if late else "",
            "",
        )
        for code, (n, late) in sorted(by_city.items(), key=lambda kv: -kv[1][1])[:SHOWN]
    ]
    total = sum(n for n, _late in by_city.values())
    return Panel(
        "area", _("Open work in your area by city"), total, rows, "", overdue=sum(late for _n, late in by_city.values())
    )


def subjects_by_city(actor: Any) -> list[list[Any]]:
    counts: dict[str, int] = {}
    for row in visible_subjects(actor).values("region_id").order_by().annotate(n=Count("id")):
        city = row["region_id"][:4] + "00"
        counts[city] = counts.get(city, 0) + row["n"]
    names = dict(Region.objects.filter(code__in=counts).values_list("code", "name"))
    return sorted(([names.get(code, code), n] for code, n in counts.items()), key=lambda x: -x[1])[:20]


PanelSource = Callable[[Any], Panel | None]
# Panels from other applications (their own read functions), registered by the front.
EXTRA_PANELS: list[tuple[tuple[str, ...], PanelSource]] = []


def register_panel(roles: tuple[str, ...], source: PanelSource) -> None:
    EXTRA_PANELS.append((roles, source))


REPORTS = (
    (_("Complaint analysis"), "complaints:dashboard"),
    (_("Data quality"), "exchange:quality"),
    (_("Credit lists"), "credit:lists"),
    (_("Random spot checks"), "spotcheck:plans"),
    (_("Supervision actions"), "records:list"),
    (_("Alerts dashboard"), "alerts:dashboard"),
    (_("Fused risk of subjects"), "alerts:risks"),
)


def workbench(actor: Any) -> dict[str, Any]:
    """What the actor's first screen shows: the panels of every role they hold, their own work first."""
    scope = scope_for(actor)
    now = timezone.now()
    panels: list[Panel] = []
    if scope.has_role(Role.OFFICER):
        panels.append(_spot_check_tasks(actor))
    if scope.has_role(Role.OFFICER, Role.DEPARTMENT_ADMIN):
        panels.append(_campaign_tasks(actor))
    for queue in QUEUES:
        if scope.has_role(*queue.roles):
            panels.append(_queue_panel(actor, queue, now))
    if scope.has_role(Role.OFFICER, Role.DEPARTMENT_ADMIN):
        panels.append(_monitoring(actor))
    for roles, source in EXTRA_PANELS:
        if scope.has_role(*roles) and (panel := source(actor)) is not None:
            panels.append(panel)
    if scope.has_role(Role.DEPARTMENT_ADMIN, Role.PLATFORM_ADMIN):
        panels.append(_data_quality(actor))
    if scope.has_role(Role.LEADER, Role.ANALYST, Role.PLATFORM_ADMIN):
        panels.append(_area(actor))
    overview = scope.has_role(Role.LEADER, Role.ANALYST, Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN)
    return {
        "panels": panels,
        "roles": sorted(scope.roles),
        "reports": [(label, reverse(name)) for label, name in REPORTS]
        if scope.has_role(Role.ANALYST, Role.LEADER)
        else [],
        "auditor": scope.has_role(Role.AUDITOR),
        "platform_admin": scope.has_role(Role.PLATFORM_ADMIN),
        "overview": overview,
        "subject_count": visible_subjects(actor).count() if overview else None,
        "officer_count": visible_officers(actor).count() if overview else None,
        "chart": subjects_by_city(actor) if overview else [],
        "now": now,
    }
