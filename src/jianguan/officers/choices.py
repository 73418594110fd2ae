"""Code values of enforcement officers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Certificate suspended")
    RETIRED = "retired", _("Left enforcement")
