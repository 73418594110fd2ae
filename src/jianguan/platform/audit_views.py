"""The auditor's screen: search the audit trail, verify its chain, export what the filters found."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.audit.services import verify_chain
from jianguan.platform.lists import ListFilter, ListSpec, list_page, register_list
from jianguan.platform.permissions import reads_audit_trail, visible_audit_events


class AuditFilter(ListFilter):
    actor = django_filters.CharFilter(label=_("Actor"), lookup_expr="contains")
    action = django_filters.CharFilter(label=_("Event"), lookup_expr="startswith")
    object_type = django_filters.CharFilter(label=_("Object type"))
    object_id = django_filters.CharFilter(label=_("Object id"))
    at = django_filters.DateFromToRangeFilter(label=_("Time"), field_name="at__date")


class AuditTable(tables.Table):
    seq = tables.Column(verbose_name=_("Sequence"))
    at = tables.DateTimeColumn(verbose_name=_("Time"), format="Y-m-d H:i:s")
    actor = tables.Column(verbose_name=_("Actor"))
    action = tables.Column(verbose_name=_("Event"))
    object_type = tables.Column(verbose_name=_("Object type"))
    object_id = tables.Column(verbose_name=_("Object id"))
    change = tables.Column(verbose_name=_("Before → after"), accessor="pk", orderable=False)
    hash = tables.Column(verbose_name=_("Hash"), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm table-hover align-top", "id": "results"}
        order_by = ("-seq",)

    def render_change(self, record):
        return format_html(
            '<details><summary>{}</summary><pre class="small mb-0">{}\n→\n{}</pre></details>',
            _("Show"),
            record.before if record.before is not None else "—",
            record.after if record.after is not None else "—",
        )

    def value_change(self, record):
        return f"{record.before} → {record.after}"

    def render_hash(self, value):
        return format_html('<code title="{}">{}…</code>', value, value[:12])


AUDIT = register_list(
    ListSpec("audit", _("Audit trail"), visible_audit_events, AuditFilter, AuditTable, "platform/audit.html")
)


def _auditor(request):
    if not reads_audit_trail(request.user):
        raise Http404


@login_required
def audit_trail(request):
    _auditor(request)
    return list_page(request, AUDIT)


@login_required
@require_POST
def verify(request):
    _auditor(request)
    return render(request, "platform/audit_verify.html", {"result": verify_chain()})
