"""抄告: notices sent to other departments, read receipts and replies within a deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import require_department_staff
from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_event
from jianguan.core.calendar import deadline_after
from jianguan.core.errors import DomainError, FieldError, lazy_format
from jianguan.core.models import Department
from jianguan.joint.models import (
    Notice,
    NoticeRecipient,
)
from jianguan.subjects.models import Subject


def send_notice(
    sender: Department,
    recipients: list[Department],
    *,
    title: str,
    body: str,
    actor: Any,
    subject: Subject | None = None,
    case_reference: str = "",
    reply_within: int | None = None,
    now: dt.datetime | None = None,
) -> Notice:
    require_department_staff(actor, sender)
    now = now or timezone.now()
    recipients = [d for d in dict.fromkeys(recipients) if d.pk != sender.pk]
    if not recipients:
        raise DomainError("no_recipients", _("Name at least one other department to notify."))
    if not title.strip() or not body.strip():
        raise DomainError("empty_notice", _("A notice needs a title and content."))
    reply_due = None
    if reply_within:
        reply_due, _p = deadline_after(now, working_days=reply_within)
    with transaction.atomic():
        notice = Notice.objects.create(
            sender=sender,
            subject=subject,
            case_reference=case_reference,
            title=title.strip(),
            body=body.strip(),
            reply_due=reply_due,
            sent_by=staff_user(actor),
            sent_at=now,
        )
        NoticeRecipient.objects.bulk_create([NoticeRecipient(notice=notice, department=d) for d in recipients])
        record_event(
            actor, "joint.notice", "notice", notice.pk, after={"to": [d.pk for d in recipients], "reply_due": reply_due}
        )
    return notice


def read_notice(recipient: NoticeRecipient, actor: Any, now: dt.datetime | None = None) -> NoticeRecipient:
    """The read receipt: the first reader of the receiving department."""
    require_department_staff(actor, recipient.department)
    now = now or timezone.now()
    if NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
        read_at=now, read_by=staff_user(actor)
    ):
        record_event(
            actor, "joint.notice_read", "notice", recipient.notice_id, after={"department": recipient.department_id}
        )
    recipient.refresh_from_db()
    return recipient


def reply_notice(recipient: NoticeRecipient, actor: Any, text: str, now: dt.datetime | None = None) -> NoticeRecipient:
    if not text.strip():
        raise DomainError("empty_reply", _("A reply needs content."))
    read_notice(recipient, actor, now)
    now = now or timezone.now()
    if not NoticeRecipient.objects.filter(pk=recipient.pk, replied_at__isnull=True).update(
        reply=text.strip(), replied_at=now
    ):
        raise DomainError("already_replied", _("This notice was already answered."), status=409)
    record_event(
        actor, "joint.notice_reply", "notice", recipient.notice_id, after={"department": recipient.department_id}
    )
    recipient.refresh_from_db()
    return recipient


def read_notices(notices: list[Notice], actor: Any, now: dt.datetime | None = None) -> list[NoticeRecipient]:
    """Read receipts for several notices at once, each as `read_notice` records it, all or none: a
    notice not addressed to the actor's department is named and nothing is recorded."""
    department_id = getattr(actor, "department_id", None)
    receipts = {r.notice_id: r for r in NoticeRecipient.objects.filter(notice__in=notices, department_id=department_id)}
    refused = [
        FieldError(str(n.pk), lazy_format(_("%(title)s: not addressed to your department."), {"title": n.title}))
        for n in notices
        if n.pk not in receipts
    ]
    if refused:
        raise DomainError("not_addressed", _("Some chosen notices are not addressed to your department."), refused)
    with transaction.atomic():
        return [read_notice(receipts[n.pk], actor, now) for n in notices]
