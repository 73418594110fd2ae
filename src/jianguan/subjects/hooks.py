"""The subject register keeps each subject's risk grade from the credit app's published changes."""

from django.utils.translation import gettext_lazy as _

from jianguan.facts.services import subscribe
from jianguan.subjects import services

subscribe(
    "credit.grade_changed",
    services.apply_risk_grades,
    key="subjects.risk_grade",
    label=_("Risk grade shown on the subject register"),
    batch=2000,
)
