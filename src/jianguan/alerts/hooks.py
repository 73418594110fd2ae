"""Alerts: the facts it takes signals from, and the facts it publishes."""

from django.utils.translation import gettext_lazy as _

from jianguan.alerts import policy, subscribers  # noqa: F401  (the policy registers itself)
from jianguan.facts.services import declare, subscribe

# An alert raised: {"number", "level", "sources"}; an alert closed: {"number", "level", "verdict",
# "sources", "signed_on_time", "closed_on_time"}.
declare("alerts.raised", _("Risk alert raised"))
declare("alerts.closed", _("Risk alert closed"))

for name, handler, label in [
    ("monitoring.clue_raised", subscribers.on_clues, _("Alerts from monitoring clues")),
    ("complaints.surge_detected", subscribers.on_surges, _("Alerts from 12345 surges")),
    ("credit.grade_changed", subscribers.on_grades, _("Alerts from credit-risk downgrades")),
    ("credit.listed", subscribers.on_listings, _("Alerts from credit list entries")),
    ("spotcheck.result_recorded", subscribers.on_spot_checks, _("Alerts from spot-check findings")),
    ("joint.campaign_finding", subscribers.on_campaigns, _("Alerts from campaign findings")),
    ("workflow.escalated", subscribers.on_escalations, _("Escalated alerts to the superior department")),
]:
    subscribe(name, handler, key=f"alerts.{name}", label=label, batch=100)
