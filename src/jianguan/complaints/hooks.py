"""12345's importer, policy, subject-file panel and the facts it publishes."""

from django.utils.translation import gettext_lazy as _

from jianguan.complaints import importing, policy  # noqa: F401  (register the importer and the policy)
from jianguan.complaints.display import subject_panel
from jianguan.facts.services import declare
from jianguan.records.panels import register_panel

register_panel(subject_panel)

# The lead unit's reply found the demand true: {"number", "kind", "category"}.
declare("complaints.found_true", _("12345 demand found true"))
# The lead unit asks for a rectification order: {"number", "requirement", "requested_by"}.
declare("complaints.rectification_requested", _("Rectification requested for a 12345 demand"))
# A county × first-level class above its bound: {"region", "class", "class_name", "week", "count", "baseline_mean", "threshold"}.
declare("complaints.surge_detected", _("12345 surge detected"))
