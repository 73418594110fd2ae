"""Code values of the supervision-item catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class ItemStatus(models.TextChoices):
    VALID = "valid", _("In force")
    INVALID = "invalid", _("Withdrawn")


class CheckType(models.TextChoices):
    DAILY = "daily", _("Routine inspection")
    RANDOM = "random", _("Random inspection")
    SPECIAL = "special", _("Special inspection")
    TEMPORARY = "temporary", _("Ad-hoc inspection")
