"""Enforcement officers (执法人员) and their declared conflicts of interest."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.officers.choices import OfficerStatus


class Officer(models.Model):
    """An enforcement officer with an enforcement certificate (执法证)."""

    name = models.CharField(_("name"), max_length=64, db_index=True)
    certificate_no = models.CharField(_("certificate number"), max_length=32, unique=True)
    department = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="officers", verbose_name=_("department")
    )
    sectors = models.ManyToManyField("core.Sector", related_name="officers", verbose_name=_("sectors"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OfficerStatus.choices, default=OfficerStatus.ACTIVE, db_index=True
    )
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    home_region = models.ForeignKey(
        "core.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("home county")
    )
    # The staff account the officer signs in with: what links a login to the tasks drawn for him.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer",
        verbose_name=_("user account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.name} ({self.certificate_no})"


class Conflict(models.Model):
    """A conflict of interest an officer declared with a subject (利害关系): grounds for recusal."""

    officer = models.ForeignKey(Officer, models.CASCADE, related_name="conflicts")
    subject = models.ForeignKey("subjects.Subject", models.CASCADE, related_name="officer_conflicts")
    reason = models.CharField(_("reason"), max_length=200)
    declared_at = models.DateField(_("declared on"))

    class Meta:
        ordering = ["officer", "subject"]
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [models.UniqueConstraint(fields=["officer", "subject"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.officer} ↔ {self.subject}: {self.reason}"
