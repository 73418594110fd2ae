"""Code values of supervised subjects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Natural person")
    OTHER = "other", _("Other")


class SubjectStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Licence revoked")
    CANCELLED = "cancelled", _("Deregistered")
