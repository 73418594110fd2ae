"""Staff screens of joint supervision: overview, licence claims and the never-supervised report,
notices, assistance requests, campaigns with their progress and merged form,
overlapping visits and the key-matter list."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.catalog.key_matters import current_key_matters
from jianguan.catalog.models import SupervisionItem
from jianguan.core.errors import DomainError, screen_text
from jianguan.core.tabular import write_xlsx
from jianguan.joint import services
from jianguan.joint.choices import ASSIST_WORKFLOW, CLAIM_WORKFLOW, CampaignTaskStatus
from jianguan.joint.forms import STEP_FORMS, BulkClaimForm, BulkReadForm, CampaignCheckForm
from jianguan.joint.lists import (
    ASSISTANCE,
    CAMPAIGNS,
    CLAIMS,
    NOTICES,
    assistance_states,
    campaign_states,
    claim_states,
)
from jianguan.joint.permissions import (
    access,
    claimable_claims,
    visible_assistance,
    visible_campaigns,
    visible_claims,
    visible_notices,
)
from jianguan.platform.apitools import file_response
from jianguan.platform.lists import counts_by, list_page
from jianguan.workflow.labels import action_label, state_label, state_labels
from jianguan.workflow.services import deadline_colour


def _get(queryset, pk):
    try:
        return access(queryset, pk)
    except DomainError:
        raise Http404 from None


def _state_counts(queryset, field: str, workflow: str, register: str) -> list[tuple[str, str, int, str]]:
    """(state, its name, count, link to the register filtered on that state), in the workflow's order."""
    counts = counts_by(queryset, field)
    link = reverse(register)
    return [
        (code, name, counts[code], f"{link}?state={code}")
        for code, name in state_labels(workflow).items()
        if code in counts
    ]


@login_required
def overview(request):
    user = request.user
    counts = {
        "claims": _state_counts(visible_claims(user), "item__state", CLAIM_WORKFLOW, "joint:claims"),
        "assistance": _state_counts(visible_assistance(user), "state", ASSIST_WORKFLOW, "joint:assistance_list"),
        "notices": visible_notices(user).count(),
        "campaigns": visible_campaigns(user).count(),
    }
    return render(
        request,
        "joint/overview.html",
        {
            "counts": counts,
            "matters": current_key_matters(),
            "overlaps": services.overlapping_inspections(user)[:20],
        },
    )


def _never_supervised(user) -> dict:
    """The never-supervised report shown under the claims: its first rows and how many of each gap."""
    report = services.never_supervised(user)
    reasons = {"unclaimed": 0, "not_inspected": 0}
    for row in report:
        reasons[row["reason"]] += 1
    return {"report": report[:200], "reasons": reasons, "total": len(report)}


def _claims_context(user, form: BulkClaimForm | None = None) -> dict:
    return {"states": claim_states(user), "claim_form": form, **_never_supervised(user)}


@login_required
def claims(request):
    if request.GET.get("format") == "xlsx":
        report = services.never_supervised(request.user)
        headers = [str(_("Subject")), str(_("Supervising department")), str(_("Licence issued on")), str(_("Gap"))]
        gaps = {"unclaimed": str(_("Not claimed")), "not_inspected": str(_("Not inspected"))}
        rows = [[r["subject"], r["department"], r["issued_on"], gaps[r["reason"]]] for r in report]
        return file_response(write_xlsx(headers, rows, title="never-supervised"), "never-supervised.xlsx", "xlsx")
    if request.GET.get("export"):
        return list_page(request, CLAIMS)  # the claims' file: no report to compute beside it
    return list_page(request, CLAIMS, _claims_context(request.user))


@login_required
@require_POST
def claims_bulk(request):
    """Claim the licences ticked on the claims list, all in one transaction; a refusal comes back on
    the list beside the button, the ticks kept."""
    form = BulkClaimForm(claimable_claims(request.user), request.POST)
    if form.is_valid():
        tasks = list(form.cleaned_data["tasks"].select_related("item__definition", "department", "subject"))
        try:
            with transaction.atomic():
                for task in tasks:
                    refused = task
                    services.claim(task, request.user)
        except DomainError as exc:
            form.add_error(
                "tasks", _("%(subject)s: %(error)s") % {"subject": refused.subject.name, "error": screen_text(exc)}
            )
        else:
            messages.success(request, _("%(n)s licences claimed.") % {"n": len(tasks)})
            query = request.GET.urlencode()
            return redirect(reverse("joint:claims") + (f"?{query}" if query else ""))
    response = list_page(request, CLAIMS, _claims_context(request.user, form))
    response.status_code = 400
    return response


@login_required
def notices(request):
    return list_page(request, NOTICES, {"read_form": BulkReadForm(visible_notices(request.user))})


@login_required
@require_POST
def notices_read(request):
    """Read receipts for the notices ticked on the list, recorded as opening each one records them."""
    form = BulkReadForm(visible_notices(request.user), request.POST)
    if form.is_valid():
        try:
            read = services.read_notices(list(form.cleaned_data["notices"]), request.user)
        except DomainError as exc:
            form.add_error("notices", str(exc.message))
            for refused in exc.errors:
                form.add_error("notices", str(refused.message))
        else:
            messages.success(request, _("%(n)s notices marked read.") % {"n": len(read)})
            query = request.GET.urlencode()
            return redirect(reverse("joint:notices") + (f"?{query}" if query else ""))
    response = list_page(request, NOTICES, {"read_form": form})
    response.status_code = 400
    return response


@login_required
def notice(request, pk: int):
    found = _get(visible_notices(request.user).select_related("sender", "subject"), pk)
    mine = found.recipients.filter(department_id=getattr(request.user, "department_id", None)).first()
    if mine is not None and mine.read_at is None:
        with contextlib.suppress(DomainError):  # a reader without a working role leaves no receipt
            services.read_notice(mine, request.user)
    return render(
        request,
        "joint/notice.html",
        {"notice": found, "mine": mine, "recipients": found.recipients.select_related("department")},
    )


@login_required
def assistance_list(request):
    return list_page(request, ASSISTANCE, {"states": assistance_states(request.user)})


@login_required
def assistance(request, pk: int):
    found = _get(
        visible_assistance(request.user).select_related("requester", "assignee", "subject", "item__definition"), pk
    )
    mine = getattr(request.user, "department_id", None)
    return render(
        request,
        "joint/assistance.html",
        {
            "request_": found,
            "card": deadline_colour(found.item),
            "assisting": mine == found.assignee_id,
            "state": state_label(found.item),
            "history": [
                (
                    t,
                    action_label(found.item, t.action),
                    state_label(found.item, t.from_state),
                    state_label(found.item, t.to_state),
                )
                for t in found.item.transitions.all()
            ],
        },
    )


@login_required
def campaigns(request):
    return list_page(request, CAMPAIGNS, {"states": campaign_states(request.user)})


def _point_sources(campaign) -> dict[str, str]:
    """Each point of the combined sheet → the items (and their departments' sector) it comes from."""
    codes = {source.rsplit("-", 1)[0] for p in campaign.form for source in p["sources"]}
    names = dict(SupervisionItem.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        p["code"]: "；".join(dict.fromkeys(names.get(s.rsplit("-", 1)[0], s) for s in p["sources"]))
        for p in campaign.form
    }


@login_required
def campaign(request, pk: int):
    found = _get(visible_campaigns(request.user).select_related("lead", "key_matter"), pk)
    progress = services.campaign_progress(found)
    tasks = found.tasks.select_related("subject", "department")
    mine = tasks.filter(department_id=getattr(request.user, "department_id", None), status="assigned")
    plot = {
        "type": "bar",
        "stacked": True,
        "horizontal": True,
        "categories": [r["department"] for r in progress["by_department"]],
        "series": [
            {"name": str(_("Checked")), "data": [r["done"] for r in progress["by_department"]]},
            {"name": str(_("To check")), "data": [r["tasks"] - r["done"] for r in progress["by_department"]]},
        ],
    }
    sources = _point_sources(found)
    return render(
        request,
        "joint/campaign.html",
        {
            "campaign": found,
            "progress": progress,
            "plot": plot,
            "sheet": [(p, sources[p["code"]]) for p in found.form],
            "mine": mine.order_by("subject__name")[:50],
            "mine_count": mine.count(),
            "participants": found.participants.order_by("path"),
            "tasks": Paginator(tasks.order_by("status", "subject__name"), 50).get_page(request.GET.get("page")),
        },
    )


@login_required
def campaign_check(request, pk: int, task: int):
    """一表通查 for one subject: the officer answers every point of the combined sheet."""
    found = _get(visible_campaigns(request.user), pk)
    checked = found.tasks.select_related("subject", "department").filter(pk=task).first()
    if checked is None:
        raise Http404
    form = CampaignCheckForm(found.form, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_campaign_result(
                checked, request.user, form.results(), form.cleaned_data["checked_on"], notes=form.notes()
            )
        except DomainError as exc:
            form.add_error(None, screen_text(exc))
        else:
            messages.success(request, _("The check of %(subject)s is recorded.") % {"subject": checked.subject.name})
            return redirect(reverse("joint:campaign", args=[found.pk]))
    sources = _point_sources(found)
    return render(
        request,
        "joint/campaign_check.html",
        {
            "campaign": found,
            "task": checked,
            "form": form,
            "rows": [{**row, "sources": sources[row["point"]["code"]]} for row in form.rows()],
            "done": checked.status != CampaignTaskStatus.ASSIGNED,
        },
    )


@dataclass(frozen=True)
class Step:
    """One form of the joint screens: what it acts on (None for a new object), the service call,
    the page the form lives on, and where a success leads (the service's result → address; back
    to the page it came from when None)."""

    target: Callable[[Any, int], Any] | None
    save: Callable[[Any, Any, Any], Any]
    page: Callable[[HttpRequest, int], HttpResponse]
    then: Callable[[Any], str] | None = None


def _recipient(user, pk: int):
    found = _get(visible_notices(user), pk)
    recipient = found.recipients.filter(department=user.department).first()
    if recipient is None:
        raise Http404
    return recipient


def _assistance(user, pk: int):
    return _get(visible_assistance(user), pk)


def _send_notice(form, _target, user):
    data = form.cleaned_data
    return services.send_notice(
        user.department,
        list(data["recipients"]),
        title=data["title"],
        body=data["body"],
        subject=data["subject"],
        case_reference=data["case_reference"],
        reply_within=data["reply_within"],
        actor=user,
    )


def _request_assistance(form, _target, user):
    data = form.cleaned_data
    return services.request_assistance(
        user.department,
        data["assignee"],
        data["subject"],
        data["matters"],
        working_days=data["working_days"],
        justification=data["justification"],
        actor=user,
    )


def _create_campaign(form, _target, user):
    data = form.cleaned_data
    return services.create_campaign(
        user.department,
        title=data["title"],
        participants=list(data["participants"]),
        item_ids=[item.pk for item in data["items"]],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        target_filter=form.target_filter(),
        justification=data["justification"],
        actor=user,
    )


def _forward(form, found, user):
    return services.forward_assistance(found, user, form.cleaned_data["to"], form.cleaned_data["reason"])


def _reply(form, found, user):
    return services.reply_assistance(found, user, form.cleaned_data["findings"], form.record_ids())


STEPS: dict[str, Step] = {
    "claim_end": Step(
        lambda user, pk: _get(visible_claims(user), pk),
        lambda form, task, user: services.end_claim(task, user, form.cleaned_data["reason"]),
        lambda request, pk: claim_end(request, pk),
        lambda task: reverse("joint:claims"),
    ),
    "notice_send": Step(
        None, _send_notice, lambda request, pk: notices(request), lambda sent: reverse("joint:notice", args=[sent.pk])
    ),
    "notice_reply": Step(
        _recipient,
        lambda form, recipient, user: services.reply_notice(recipient, user, form.cleaned_data["text"]),
        notice,
    ),
    "assistance_new": Step(
        None,
        _request_assistance,
        lambda request, pk: assistance_list(request),
        lambda made: reverse("joint:assistance", args=[made.pk]),
    ),
    "assistance_decline": Step(
        _assistance,
        lambda form, found, user: services.decline_assistance(found, user, form.cleaned_data["reason"]),
        assistance,
    ),
    "assistance_forward": Step(_assistance, _forward, assistance),
    "assistance_reply": Step(_assistance, _reply, assistance),
    "campaign_new": Step(
        None,
        _create_campaign,
        lambda request, pk: campaigns(request),
        lambda made: reverse("joint:campaign", args=[made.pk]),
    ),
}

# Steps without a field: a button whose refusal comes back as a message.
BUTTONS: dict[str, tuple[Callable[[Any, int], Any], Callable[[Any, Any], Any]]] = {
    "claim_claim": (lambda user, pk: _get(visible_claims(user), pk), services.claim),
    "assistance_accept": (_assistance, services.accept_assistance),
}


@login_required
def claim_end(request, pk: int):
    """The form that ends a licence claim (this department does not supervise the licence), with its reason."""
    task = _get(visible_claims(request.user).select_related("subject", "department", "item__definition"), pk)
    return render(request, "joint/claim_end.html", {"task": task, "state": state_label(task.item)})


@login_required
@require_POST
def act(request, kind: str, pk: int, action: str):
    """Every form of the joint screens posts here: its form checks the fields, the service decides
    and audits; a refusal is shown on the form's own page beside the field it concerns."""
    name, user = f"{kind}_{action}", request.user
    back = request.META.get("HTTP_REFERER") or reverse("joint:overview")
    if name in BUTTONS:
        find, perform = BUTTONS[name]
        try:
            perform(find(user, pk), user)
        except DomainError as exc:
            messages.error(request, screen_text(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect(back)
    step = STEPS.get(name)
    if step is None:
        raise Http404
    target = step.target(user, pk) if step.target is not None else None
    form = STEP_FORMS[name](user, request.POST, target=target)
    if form.is_valid():
        try:
            done = step.save(form, target, user)
        except DomainError as exc:
            form.refuse(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(step.then(done) if step.then else back)
    request.refused_form = (name, form)
    return step.page(request, pk)
