"""Code values of random spot checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    DRAWN = "drawn", _("Drawn")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Draw cancelled")


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Team assigned")
    UNASSIGNED = "unassigned", _("No team: constraints not met")
    COMPLETED = "completed", _("Result recorded")


# Default sampling per risk grade (data, editable per batch): A 2 %, B 5 %, C 20 %, D 100 %.
DEFAULT_QUOTAS = {
    "A": {"ratio": 0.02, "minimum": 0, "maximum": None},
    "B": {"ratio": 0.05, "minimum": 0, "maximum": None},
    "C": {"ratio": 0.20, "minimum": 0, "maximum": None},
    "D": {"ratio": 1.00, "minimum": 0, "maximum": None},
}
# Until credit grading exists every subject counts as grade B.
DEFAULT_GRADE = "B"
