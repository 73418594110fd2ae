"""Rectification's policy, subject-file panel, the fact it publishes and the findings it subscribes to:
each opens one order, once, whichever application found the problem."""

from django.utils.translation import gettext_lazy as _

from jianguan.facts.services import declare, subscribe
from jianguan.records.panels import register_panel
from jianguan.rectification import policy, services  # noqa: F401  (policy registers itself)
from jianguan.rectification.display import rectification_panel

register_panel(rectification_panel)

# A rectification order closed: {"number", "source", "outcome", "action", "overdue"}.
declare("rectification.closed", _("Rectification order closed"))
subscribe(
    "complaints.rectification_requested",
    services.rectifications_requested,
    key="rectification.from_complaints",
    label=_("Rectification orders asked for by 12345 handlers"),
    batch=50,
)
subscribe(
    "spotcheck.result_recorded",
    services.rectifications_for_findings,
    key="rectification.from_spot_checks",
    label=_("Rectification orders for spot-check findings"),
    batch=50,
)
subscribe(
    "joint.campaign_finding",
    services.rectifications_for_campaigns,
    key="rectification.from_campaigns",
    label=_("Rectification orders for campaign findings"),
    batch=50,
)
