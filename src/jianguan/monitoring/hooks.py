"""Monitoring's policy, background task, subject-file panel and the fact it publishes."""

from django.utils.translation import gettext_lazy as _

from jianguan.facts.services import declare
from jianguan.monitoring import policy, tasks  # noqa: F401  (the policy registers itself)
from jianguan.monitoring.display import clues_panel
from jianguan.records.panels import register_panel

register_panel(clues_panel)

# A monitoring rule opened a clue: {"number", "rule", "level", "device"}; subject, department, region set.
declare("monitoring.clue_raised", _("Monitoring clue raised"))
