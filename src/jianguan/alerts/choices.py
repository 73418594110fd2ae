from django.db import models
from django.utils.translation import gettext_lazy as _

ALERT_WORKFLOW = "alerts_handle"


class Level(models.TextChoices):
    """Warning levels, most severe first (no official rule found: a platform design, see domain §11)."""

    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    BLUE = "blue", _("Blue")


SEVERITY = {Level.RED: 4, Level.ORANGE: 3, Level.YELLOW: 2, Level.BLUE: 1}


class SignalKind(models.TextChoices):
    MONITORING = "monitoring", _("Monitoring clue")
    SURGE = "complaint_surge", _("12345 surge")
    DOWNGRADE = "credit_downgrade", _("Credit risk downgrade")
    LISTING = "credit_listing", _("Credit list entry")
    SPOT_CHECK = "spotcheck_failure", _("Spot-check failure")
    CAMPAIGN = "campaign_finding", _("Campaign finding")
    NATIONAL = "national_warning", _("National risk warning")


class Verdict(models.TextChoices):
    TRUE = "true", _("True")
    FALSE = "false", _("False")
    UNDETERMINED = "undetermined", _("Not determinable")


class Disposal(models.TextChoices):
    RECTIFICATION = "rectification", _("Open a rectification order")
    REFER = "refer", _("Refer a case")
    SPOT_CHECK = "spot_check", _("Add to a spot-check risk selection")
    CAMPAIGN = "campaign", _("Add to a campaign's targets")
    NOTIFY = "notify", _("Notify another department")
