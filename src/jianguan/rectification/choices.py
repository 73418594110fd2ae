"""Code values of rectification orders."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    """What a rectification order comes from."""

    RECORD = "record", _("Failed check item (inspection record)")
    COMPLAINT = "complaint", _("Complaint found true")
    ALERT = "alert", _("Risk alert")
    CAMPAIGN = "campaign", _("Campaign check")


class ReportChannel(models.TextChoices):
    """How the subject's report reached the department."""

    STAFF = "staff", _("Entered by staff")
    PORTAL = "portal", _("Through the public portal")


# The workflow keeps the code it was defined with when joint supervision owned the orders.
RECTIFY_WORKFLOW = "joint_rectify"

# Photos of a re-inspection (the camera button of its form): images only, a few per visit.
PHOTO_TYPES = (".jpg", ".jpeg", ".png")
PHOTO_MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
