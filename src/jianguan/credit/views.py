"""Staff screens of credit: a subject's credit (records, lists, grade with its explanation), the lists."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import can_write_department
from jianguan.core.errors import DomainError
from jianguan.credit import lists as list_services
from jianguan.credit import services
from jianguan.credit.display import reason_label, rule_label, scheme_label
from jianguan.credit.forms import (
    CreditFileForm,
    DecideForm,
    EntryForm,
    ListAbnormalForm,
    ListSeriousForm,
    RepairForm,
)
from jianguan.credit.models import ListEntry, RepairRequest
from jianguan.credit.permissions import visible_credit_records, writable_list_entries
from jianguan.credit.registers import LIST_ENTRIES
from jianguan.platform.lists import list_page
from jianguan.subjects.permissions import access_subject

# The forms of the credit file, by the action in the address.
FORMS: dict[str, type[CreditFileForm]] = {
    "repair": RepairForm,
    "decide": DecideForm,
    "list_abnormal": ListAbnormalForm,
    "list_serious": ListSeriousForm,
    "cure": EntryForm,
    "remove": EntryForm,
}
# A form that acts on one row of the page (a list entry, a pending request) and its key in the post.
ROW_KEYS = {"decide": "repair", "cure": "entry", "remove": "entry"}


def _subject_or_404(actor, pk: int):
    try:
        return access_subject(actor, pk)
    except DomainError:
        raise Http404 from None


@login_required
def subject_credit(request, pk: int):
    """信用档案: the subject's credit records (with their publication windows), list entries, risk grade."""
    return _credit_page(request, _subject_or_404(request.user, pk))


def _credit_page(request, subject, action: str = "", failed: CreditFileForm | None = None):
    """The credit file with a fresh form for each action, or the one posted when it was refused."""
    user = request.user
    grade = subject.risk_grades.order_by("-as_of").first()
    records = list(visible_credit_records(user).filter(subject=subject).order_by("-decided_on")[:200])
    for credit in records:
        credit.rule_label = rule_label(credit.rule_version, credit.rule_name)

    def form(name: str) -> CreditFileForm:
        return failed if failed is not None and action == name else FORMS[name](user, subject)

    shown: list[CreditFileForm] = []

    def row(name: str, pk: int) -> CreditFileForm:
        key = ROW_KEYS[name]
        if failed is not None and ROW_KEYS.get(action) == key and str(failed.data.get(key)) == str(pk):
            shown.append(failed)
            return failed
        return FORMS[name](user, subject, initial={key: pk}, auto_id=f"r{pk}-%s")

    entries = subject.list_entries.select_related("department").order_by("-listed_on")
    pending = RepairRequest.objects.filter(credit__subject=subject, status=RepairRequest.Status.SUBMITTED)
    writable = set(
        writable_list_entries(user).filter(subject=subject, status=ListEntry.Status.LISTED).values_list("pk", flat=True)
    )
    entry_rows = [
        (entry, reason_label(entry), row("remove", entry.pk) if entry.pk in writable else None) for entry in entries
    ]
    pending_rows = [(repair, row("decide", repair.pk)) for repair in pending.select_related("credit")]
    # A row's refusal whose row is no longer shown (decided, removed meanwhile) goes above the forms.
    orphan = failed is not None and action in ROW_KEYS and not shown
    return render(
        request,
        "credit/subject.html",
        {
            "subject": subject,
            "records": records,
            "scheme": scheme_label(grade.scheme) if grade else "",
            "entries": entry_rows,
            "grade": grade,
            "can_write": bool(user.department) and can_write_department(user, user.department),
            "pending": pending_rows,
            "abnormal_form": form("list_abnormal"),
            "serious_form": form("list_serious"),
            "repair_form": form("repair"),
            "orphan_errors": [e for errors in failed.errors.values() for e in errors] if orphan else [],
        },
    )


def _perform(action: str, data: dict[str, Any], subject, department, actor) -> None:
    if action == "repair":
        services.request_repair(
            data["credit"],
            applicant=data["applicant"],
            performed=data["performed"],
            statement=data["statement"],
            actor=actor,
        )
    elif action == "decide":
        services.decide_repair(data["repair"], data["approve"] == "yes", data["note"], actor=actor)
    elif action == "list_abnormal":
        list_services.list_abnormal(subject, data["reason"], data["basis_on"], department, actor=actor)
    elif action == "list_serious":
        list_services.list_serious(subject, data["reason"], department, actor=actor)
    elif action == "cure":
        list_services.record_cure(data["entry"], data["on"], actor=actor)
    else:
        list_services.remove(data["entry"], data["on"], data["reason"], actor=actor)


@login_required
@require_POST
def subject_action(request, pk: int, action: str):
    """The staff forms of the credit file: repair requests and decisions, listing, cure and removal."""
    subject = _subject_or_404(request.user, pk)
    if action not in FORMS:
        raise Http404
    department = request.user.department
    if not department or not can_write_department(request.user, department):
        messages.error(request, _("Only an administrator may do this."))
        return redirect(reverse("credit:subject", args=[subject.pk]))
    key = ROW_KEYS.get(action)
    form = FORMS[action](
        request.user, subject, request.POST, auto_id=f"r{request.POST.get(key)}-%s" if key else "id_%s"
    )
    if form.is_valid():
        try:
            _perform(action, form.cleaned_data, subject, department, request.user)
        except DomainError as exc:
            form.refuse(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("credit:subject", args=[subject.pk]))
    return _credit_page(request, subject, action, form)


@login_required
def lists(request):
    repairs = list(
        RepairRequest.objects.filter(
            credit__in=visible_credit_records(request.user), status=RepairRequest.Status.SUBMITTED
        ).select_related("credit__subject")[:50]
    )
    for repair in repairs:
        repair.rule_label = rule_label(repair.credit.rule_version, repair.credit.rule_name)
    # The lists open on the entries in force; "all statuses" is one choice away.
    return list_page(
        request,
        LIST_ENTRIES,
        {"repairs": repairs, "statuses": ListEntry.Status.choices},
        defaults={"status": ListEntry.Status.LISTED},
    )
