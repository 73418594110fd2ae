"""Deadline colours and escalation skip reasons."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineColour(models.TextChoices):
    GREEN = "green", _("On time")
    YELLOW = "yellow", _("Deadline near")
    RED = "red", _("Overdue")
    NONE = "none", _("No deadline")


class SkipReason(models.TextChoices):
    TOP_OF_CHAIN = "top_of_chain", _("The department has no superior to escalate to")
    ESCALATED_RECENTLY = "escalated_recently", _("Already escalated; next escalation not yet due")
    CHANGED_CONCURRENTLY = "changed_concurrently", _("The item changed while the job ran")
