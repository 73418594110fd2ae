"""Credit's facts, its subscriber on new supervision actions and its daily publication refresh (Huey)."""

from django.utils.translation import gettext_lazy as _

from jianguan.credit import services, tasks  # noqa: F401
from jianguan.credit.permissions import public_action_ids
from jianguan.facts.services import declare, subscribe
from jianguan.records.permissions import register_public_actions

# Per subject whose grade moved: {"scheme", "as_of", "from", "to", "score", "previous_score",
# "indicators": {indicator: [points before, points now]}}.
declare("credit.grade_changed", _("Risk grade changed"))
# A subject put on or taken off a credit list: {"list", "reason", "entry"}.
declare("credit.listed", _("Put on a credit list"))
declare("credit.delisted", _("Taken off a credit list"))
subscribe(
    "records.written",
    services.sync_written,
    key="credit.sync_records",
    label=_("Credit records and risk grades of new supervision actions"),
    batch=20,
)

# What the portal shows anyone, the subject's one file shows every member of staff too.
register_public_actions(public_action_ids)
