"""Workflow: the fact it publishes."""

from django.utils.translation import gettext_lazy as _

from jianguan.facts.services import declare

# An overdue item moved to the superior department: {"workflow" (definition code), "reference",
# "from", "to" (department ids), "level"}. The application owning the item follows it.
declare("workflow.escalated", _("Workflow item escalated"))
