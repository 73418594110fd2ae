"""Staff UI of random spot checks: plans, batches through their states, the draw, tasks and results."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import can_write_department
from jianguan.catalog.models import CheckPoint
from jianguan.core.errors import DomainError, both_languages
from jianguan.platform.lists import NOT_FILTERS, counts_by, list_page
from jianguan.spotcheck import services
from jianguan.spotcheck.choices import BatchStatus, TaskStatus
from jianguan.spotcheck.forms import BatchForm, CancelDrawForm, DrawForm, PlanForm, ResultForm
from jianguan.spotcheck.lists import BATCHES, GRADED_TASKS, TASKS
from jianguan.spotcheck.models import Evidence
from jianguan.spotcheck.objects import describe_pool
from jianguan.spotcheck.permissions import (
    access_batch,
    access_plan,
    access_task,
    acting_officer,
    my_open_tasks,
    visible_batches,
    visible_plans,
    visible_tasks,
)
from jianguan.spotcheck.snapshot import pool_text
from jianguan.spotcheck.verify_draw import PRIORITY


def _or_404(function, *args):
    try:
        return function(*args)
    except DomainError:
        raise Http404 from None


@login_required
def plans(request):
    department = request.user.department
    can_create = bool(department) and can_write_department(request.user, department)
    year = dt.date.today().year
    form = PlanForm(request.POST if request.method == "POST" else None, initial={"year": year})
    if request.method == "POST":
        if not can_create:
            raise Http404
        if form.is_valid():
            try:
                plan = services.create_plan(
                    department, form.cleaned_data["year"], form.cleaned_data["title"], actor=request.user
                )
            except DomainError as exc:
                form.refuse(exc)
            else:
                return redirect(reverse("spotcheck:plan", args=[plan.pk]))
    counts = counts_by(visible_batches(request.user), "status")
    shown_year = request.GET.get("year") or str(year)
    plans = visible_plans(request.user).filter(year=int(shown_year) if shown_year.isdigit() else year)
    return list_page(
        request,
        BATCHES,
        {
            "states": [(code, name, counts.get(code, 0)) for code, name in BatchStatus.choices],
            "plans": plans.annotate(batch_count=Count("batches"))[:50],
            "can_create": can_create,
            "plan_form": form,
            "is_officer": acting_officer(request.user) is not None,
            "year": year,
        },
    )


@login_required
def plan(request, pk: int):
    plan = _or_404(access_plan, request.user, pk)
    can_write = can_write_department(request.user, plan.department)
    form = BatchForm(
        request.user,
        request.POST if request.method == "POST" else None,
        region_hint=plan.department.region.prefix,
    )
    if request.method == "POST":
        if not can_write:
            raise Http404
        if form.is_valid():
            try:
                batch = services.add_batch(plan, **form.batch_arguments(), actor=request.user)
            except DomainError as exc:
                form.refuse(exc, form.service_fields())
            else:
                return redirect(reverse("spotcheck:batch", args=[batch.pk]))
    return render(
        request,
        "spotcheck/plan.html",
        {"plan": plan, "batches": plan.batches.all(), "form": form, "can_write": can_write},
    )


@login_required
def batch(request, pk: int):
    """One batch with its actions and, once drawn, its tasks as a list of the kit (`batch` in the address)."""
    batch = _or_404(access_batch, request.user, pk)
    if request.GET.get("batch", str(pk)) != str(pk):
        return redirect(reverse("spotcheck:batch", args=[pk]))
    return _batch_page(request, batch)


def _strata_labels(draw) -> list[tuple[str, int, int]]:
    """The draw's strata as people read them: the credit grade, or the risk selection added from alerts."""
    if draw is None:
        return []
    return [
        (_("Risk selection (drawn for certain)") if grade == PRIORITY else grade, counts["k"], counts["n"])
        for grade, counts in draw.strata.items()
    ]


def _batch_page(request, batch, draw_form: DrawForm | None = None, cancel_form: CancelDrawForm | None = None):
    """The batch's page, with the draw's or the cancellation's form as posted when it was refused."""
    pk = batch.pk
    draw = getattr(batch, "draw", None) if hasattr(batch, "draw") else None
    graded = visible_batches(request.user, staff_only=True).filter(pk=pk).exists()
    narrowed = any(v for k, v in request.GET.items() if k not in NOT_FILTERS | {"sort", "batch"})
    counts = counts_by(visible_tasks(request.user).filter(draw__batch=batch), "status")
    return list_page(
        request,
        GRADED_TASKS if graded else TASKS,
        {
            "batch": batch,
            "draw": draw,
            "strata": _strata_labels(draw),
            "filtered": narrowed,
            "task_states": [(code, name, counts.get(code, 0)) for code, name in TaskStatus.choices],
            "pool_lines": describe_pool(batch.pool_filter),
            "items": batch.items.all(),
            "participants": services.participants(batch),
            "can_write": can_write_department(request.user, batch.plan.department),
            "overdue": services.publication_overdue(batch),
            "BatchStatus": BatchStatus,
            "graded": graded,
            "additions": batch.additions.select_related("subject") if graded else [],
            "draw_form": draw_form or DrawForm(),
            "cancel_form": cancel_form or CancelDrawForm(),
        },
        defaults={"batch": str(pk)},
    )


@login_required
def my_tasks(request):
    """The officer's open spot-check tasks, nearest deadline first: made for a phone in the field."""
    tasks = list(my_open_tasks(request.user)[:200])
    # The phone's card list keeps its layout; it gains the kit's count (of all the open tasks).
    count = my_open_tasks(request.user).count()
    return render(
        request,
        "spotcheck/my_tasks.html",
        {"tasks": tasks, "count": count, "officer": acting_officer(request.user), "today": timezone.localdate()},
    )


@login_required
@require_POST
def batch_action(request, pk: int, action: str):
    batch = _or_404(access_batch, request.user, pk)
    if action in ("draw", "cancel"):
        return _draw_action(request, batch, action)
    try:
        if action == "approve":
            services.approve_batch(batch, actor=request.user)
        elif action == "commit":
            services.commit_seed(batch, actor=request.user)
        elif action == "publish":
            services.publish_batch(batch, actor=request.user)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.as_body()["message"])
    return redirect(reverse("spotcheck:batch", args=[batch.pk]))


def _draw_action(request, batch, action: str):
    """The draw and its cancellation: through their forms, a refusal shown beside the field on the batch's page."""
    if action == "draw":
        form: DrawForm | CancelDrawForm = DrawForm(request.POST)
        if form.is_valid():
            try:
                services.draw_batch(batch, actor=request.user, public_entropy=form.cleaned_data["public_entropy"])
            except DomainError as exc:
                form.refuse(exc)
            else:
                return redirect(reverse("spotcheck:batch", args=[batch.pk]))
        return _batch_page(request, batch, draw_form=form)
    form = CancelDrawForm(request.POST)
    draw = getattr(batch, "draw", None) if hasattr(batch, "draw") else None
    if draw is None:
        raise Http404
    if form.is_valid():
        try:
            services.cancel_draw(draw, form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            form.refuse(exc)
        else:
            return redirect(reverse("spotcheck:batch", args=[batch.pk]))
    return _batch_page(request, batch, cancel_form=form)


@login_required
def pool(request, pk: int):
    """The frozen pool of a draw (tokens and grades): for staff and auditors, not officers nor the public."""
    batch = _or_404(lambda: access_batch(request.user, pk, staff_only=True))
    if not hasattr(batch, "draw"):
        raise Http404
    response = HttpResponse(pool_text(batch.draw.pool), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=pool-{batch.pk}.tsv"
    return response


def _department_for(user, roles):
    """The participating department a user enters results for: the one their own department is in
    (an officer's: the department of his officer record)."""
    officer = acting_officer(user)
    own = officer.department if officer is not None else getattr(user, "department", None)
    for department, _items in roles:
        if own is not None and own.path.startswith(department.path):
            return department
    return roles[0][0]


@login_required
def result(request, pk: int):
    task = _or_404(access_task, request.user, pk)
    batch = task.draw.batch
    roles = services.participants(batch)
    department = _department_for(request.user, roles)
    items = next(items for d, items in roles if d.pk == department.pk)
    points = list(CheckPoint.objects.filter(item__in=items).order_by("item__code", "order", "code"))
    form = ResultForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        points=points,
        options=batch.result_options,
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.record_result(
                task,
                result=form.cleaned_data["result"],
                check_answers=form.answers(),
                note=form.notes(),
                department=department,
                follow_up=form.cleaned_data.get("follow_up") or "",
                evidence=form.cleaned_data["photos"],
                actor=request.user,
            )
        except DomainError as exc:
            if exc.code.startswith("follow_up"):
                form.add_error("follow_up", both_languages(exc.message))
            else:
                error = both_languages(exc.message)
        else:
            messages.success(request, _("The result was recorded."))
            if acting_officer(request.user) is not None and not can_write_department(
                request.user, batch.plan.department
            ):
                return redirect(reverse("spotcheck:my_tasks"))
            return redirect(reverse("spotcheck:batch", args=[batch.pk]))
    due = batch.ends_on
    return render(
        request,
        "spotcheck/result.html",
        {
            "task": task,
            "batch": batch,
            "department": department,
            "form": form,
            "error": error,
            "due_on": due,
            "team": list(task.officers.select_related("department")),
            "items": items,
            "subject_code": services.subject_verification_code(task),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def evidence(request, sha256: str):
    """An evidence file, for staff who may see its task."""
    item = (
        Evidence.objects.filter(sha256=sha256, result__task__in=visible_tasks(request.user))
        .select_related("result")
        .first()
    )
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), filename=item.name)
