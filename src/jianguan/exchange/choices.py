"""Code values of the exchange gateway."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    API = "api", _("API")
    FILE = "file", _("File upload")
    CLI = "cli", _("Command line")
    CORRECTION = "correction", _("Correction in the UI")


class Operation(models.TextChoices):
    INSERT = "i", _("Insert")
    UPDATE = "u", _("Update")
    DELETE = "d", _("Delete")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Delivered")
    SENT_WITH_REFUSALS = "refused", _("Delivered; some messages refused")
