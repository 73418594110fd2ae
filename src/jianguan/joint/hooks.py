"""Joint supervision's policy, subject-file panels and the facts it publishes."""

from django.utils.translation import gettext_lazy as _

from jianguan.facts.services import declare
from jianguan.joint import policy  # noqa: F401  (registers the policy)
from jianguan.joint.display import subject_panels
from jianguan.records.panels import register_panel

for panel in subject_panels:
    register_panel(panel)

# A campaign check with failed points: {"campaign", "task", "failed": [point contents], "recorded_by"}.
declare("joint.campaign_finding", _("Campaign check found a problem"))
