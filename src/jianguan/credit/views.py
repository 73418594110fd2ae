"""Staff screens of credit: a subject's credit (records, lists, grade with its explanation), the lists."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from jianguan.accounts.scope import restrict
from jianguan.core.errors import DomainError
from jianguan.credit.lists import LIST_RULES
from jianguan.credit.models import ListEntry, RepairRequest
from jianguan.credit.permissions import visible_credit_records
from jianguan.subjects.permissions import access_subject


@login_required
def subject_credit(request, pk: int):
    """信用档案: the subject's credit records (with their publication windows), list entries, risk grade."""
    try:
        subject = access_subject(request.user, pk)
    except DomainError:
        raise Http404 from None
    grade = subject.risk_grades.order_by("-as_of").first()
    return render(
        request,
        "credit/subject.html",
        {
            "subject": subject,
            "records": visible_credit_records(request.user).filter(subject=subject).order_by("-decided_on")[:200],
            "entries": subject.list_entries.select_related("department").order_by("-listed_on"),
            "grade": grade,
            "reasons": LIST_RULES["abnormal_reasons"],
        },
    )


@login_required
def lists(request):
    entries = restrict(ListEntry.objects.select_related("subject", "department"), request.user, department="department")
    status = request.GET.get("status", ListEntry.Status.LISTED)
    page = Paginator(entries.filter(status=status).order_by("-listed_on"), 50).get_page(request.GET.get("page"))
    repairs = RepairRequest.objects.filter(
        credit__in=visible_credit_records(request.user), status=RepairRequest.Status.SUBMITTED
    ).select_related("credit__subject")[:50]
    return render(
        request,
        "credit/lists.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ListEntry.Status.choices,
            "repairs": repairs,
            "reasons": LIST_RULES["abnormal_reasons"],
        },
    )
