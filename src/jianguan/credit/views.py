"""Staff screens of credit: a subject's credit (records, lists, grade with its explanation), the lists."""

from __future__ import annotations

import datetime as dt

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
from jianguan.credit.lists import list_rules
from jianguan.credit.models import ListEntry, RepairRequest
from jianguan.credit.permissions import visible_credit_records
from jianguan.credit.registers import LIST_ENTRIES
from jianguan.platform.lists import list_page
from jianguan.subjects.permissions import access_subject


@login_required
def subject_credit(request, pk: int):
    """信用档案: the subject's credit records (with their publication windows), list entries, risk grade."""
    try:
        subject = access_subject(request.user, pk)
    except DomainError:
        raise Http404 from None
    grade = subject.risk_grades.order_by("-as_of").first()
    records = list(visible_credit_records(request.user).filter(subject=subject).order_by("-decided_on")[:200])
    for credit in records:
        credit.rule_label = rule_label(credit.rule_version, credit.rule_name)
    return render(
        request,
        "credit/subject.html",
        {
            "subject": subject,
            "records": records,
            "scheme": scheme_label(grade.scheme) if grade else "",
            "entries": [
                (entry, reason_label(entry))
                for entry in subject.list_entries.select_related("department").order_by("-listed_on")
            ],
            "grade": grade,
            "reasons": list_rules()["abnormal_reasons"],
            "can_write": bool(request.user.department) and can_write_department(request.user, request.user.department),
            "pending": RepairRequest.objects.filter(credit__subject=subject, status=RepairRequest.Status.SUBMITTED),
        },
    )


def _day(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        raise DomainError("invalid_date", _("Give the date as YYYY-MM-DD.")) from None


@login_required
@require_POST
def subject_action(request, pk: int, action: str):
    """The staff forms of the credit file: repair requests and decisions, listing, cure and removal."""
    try:
        subject = access_subject(request.user, pk)
    except DomainError:
        raise Http404 from None
    department = request.user.department
    post = request.POST
    try:
        if not department or not can_write_department(request.user, department):
            raise DomainError("forbidden", _("Only an administrator may do this."), status=403)
        if action == "repair":
            credit = visible_credit_records(request.user).get(pk=post.get("credit"), subject=subject)
            services.request_repair(
                credit,
                applicant=post.get("applicant", "").strip() or subject.name,
                performed=post.get("performed") == "on",
                statement=post.get("statement", ""),
                actor=request.user,
            )
        elif action == "decide":
            repair = RepairRequest.objects.get(pk=post.get("repair"), credit__subject=subject)
            services.access_credit_record_for_write(request.user, repair.credit)
            services.decide_repair(repair, post.get("approve") == "yes", post.get("note", ""), actor=request.user)
        elif action == "list_abnormal":
            list_services.list_abnormal(
                subject, post.get("reason", ""), _day(post.get("basis_on")), department, actor=request.user
            )
        elif action == "list_serious":
            list_services.list_serious(
                subject, post.get("reason", "").strip() or "serious_violation", department, actor=request.user
            )
        elif action in ("cure", "remove"):
            entry = ListEntry.objects.get(
                pk=post.get("entry"), subject=subject, department__path__startswith=department.path
            )
            if action == "cure":
                list_services.record_cure(entry, _day(post.get("on")), actor=request.user)
            else:
                list_services.remove(entry, _day(post.get("on")), post.get("reason", ""), actor=request.user)
        else:
            raise Http404
    except (DomainError, ListEntry.DoesNotExist, RepairRequest.DoesNotExist) as exc:
        message = exc.as_body()["message"] if isinstance(exc, DomainError) else _("Not found.")
        messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("credit:subject", args=[subject.pk]))


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
