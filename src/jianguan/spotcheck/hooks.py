"""Spot checks' policy and the facts they publish."""

from django.utils.translation import gettext_lazy as _

from jianguan.facts.services import declare
from jianguan.spotcheck import policy  # noqa: F401  (registers the policy)

# One department's result for a task: {"batch", "result", "finding", "follow_up", "record",
# "failed": [check point codes], "entered_by"}.
declare("spotcheck.result_recorded", _("Spot-check result recorded"))
