"""Notices (抄告) as a list of the list kit: read or unread by the viewer's department, reply due or
overdue, sending department and date sent; recipients tick notices to mark them read together."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jianguan.core.models import Department
from jianguan.joint.models import NoticeRecipient
from jianguan.joint.permissions import visible_notices
from jianguan.platform.lists import ChooseColumn, DepartmentFilterMixin, ListSpec, YesNoFilter, register_list
from jianguan.workflow.labels import deadline_text


class NoticeFilter(DepartmentFilterMixin):
    unread = YesNoFilter(label=_("Unread by my department"), method="by_unread")
    reply = django_filters.ChoiceFilter(
        label=_("Reply"),
        method="by_reply",
        choices=[("due", _("Reply due")), ("overdue", _("Reply overdue"))],
        empty_label=_("All"),
    )
    sent_at = django_filters.DateFromToRangeFilter(label=_("Sent on"))

    def prepare(self) -> None:
        super().prepare()
        sender = self.filters["department"]
        sender.label, sender.field_name = _("Sending department"), "sender"
        # The senders of the notices the viewer sees (another department's notices to it included).
        sender.queryset = Department.objects.filter(pk__in=self.queryset.values("sender")).order_by("path")

    def by_unread(self, queryset, name, value):
        """Notices addressed to the viewer's department: not yet read by it (yes) or read (no)."""
        mine = NoticeRecipient.objects.filter(
            notice=OuterRef("pk"), department_id=getattr(self.actor, "department_id", None), read_at__isnull=value
        )
        return queryset.filter(Exists(mine))

    def by_reply(self, queryset, name, value):
        """A reply is asked and a recipient has not answered: its deadline still ahead (due) or passed (overdue)."""
        waiting = Exists(NoticeRecipient.objects.filter(notice=OuterRef("pk"), replied_at__isnull=True))
        now = timezone.now()
        when = Q(reply_due__gte=now) if value == "due" else Q(reply_due__lt=now)
        return queryset.filter(when, waiting)


class NoticeTable(tables.Table):
    select = ChooseColumn(
        accessor="pk",
        exclude_from_export=True,
        attrs={
            "td__input": {
                "name": "notices",
                "form": "bulk-read",
                "class": "form-check-input",
                "aria-label": lambda record: record.title,
            }
        },
    )
    sent_at = tables.DateTimeColumn(verbose_name=_("Sent"), format="Y-m-d", attrs={"td": {"class": "text-nowrap"}})
    sender = tables.Column(verbose_name=_("Sender"), accessor="sender__name", order_by="sender__path")
    title = tables.Column(verbose_name=_("Title"), linkify=("joint:notice", [tables.A("pk")]))
    subject = tables.Column(verbose_name=_("Subject"), accessor="subject__name", order_by="subject__name")
    mine = tables.Column(
        verbose_name=_("Read"), empty_values=(), orderable=False, attrs={"td": {"class": "text-nowrap"}}
    )
    reply_due = tables.Column(verbose_name=_("Reply due"), attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "notices"}
        order_by = ("-sent_at",)

    def value_sent_at(self, record):
        return timezone.localtime(record.sent_at).strftime("%Y-%m-%d %H:%M")

    def render_select(self, value, bound_column, record):
        if not record.addressed_to_me or record.read_by_me:
            return ""
        return bound_column.column.render(value, bound_column, record)

    def render_mine(self, record):
        return self.value_mine(record) or "—"

    def value_mine(self, record):
        if not record.addressed_to_me:
            return ""
        return gettext("Read") if record.read_by_me else gettext("Unread")

    def render_reply_due(self, record):
        text = deadline_text(record.reply_due)
        if record.reply_due is not None and record.reply_due < timezone.now():
            return format_html('<span class="badge text-bg-danger">{}</span> {}', _("Reply overdue"), text)
        return text

    def value_reply_due(self, record):
        return deadline_text(record.reply_due)


def _notices(actor):
    """Visible notices, each knowing whether it is addressed to the viewer's department and read by it."""
    mine = NoticeRecipient.objects.filter(notice=OuterRef("pk"), department_id=getattr(actor, "department_id", None))
    return (
        visible_notices(actor)
        .select_related("sender", "subject")
        .annotate(addressed_to_me=Exists(mine), read_by_me=Exists(mine.filter(read_at__isnull=False)))
    )


NOTICES = register_list(
    ListSpec("joint_notices", _("Notices"), _notices, NoticeFilter, NoticeTable, "joint/notices.html")
)
