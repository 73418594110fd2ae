"""整改: orders to put a finding right, whatever found it (a spot check, a 12345 demand, a campaign)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.rectification.choices import ReportChannel, SourceKind


class Rectification(models.Model):
    """整改: an order to put a finding right by a deadline, reported on and reviewed."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    source_kind = models.CharField(_("source"), max_length=12, choices=SourceKind.choices)
    source_ref = models.CharField(_("source reference"), max_length=64)
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="+", verbose_name=_("subject"))
    department = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="+", verbose_name=_("issuing department")
    )
    requirement = models.TextField(_("what to put right"))
    due_on = models.DateField(_("due on"))
    item = models.OneToOneField("workflow.WorkflowItem", models.PROTECT, related_name="rectification")
    state = models.CharField(_("state"), max_length=16, db_index=True)
    report = models.TextField(_("subject's report"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_via = models.CharField(_("reported through"), max_length=12, blank=True, choices=ReportChannel.choices)
    review = models.TextField(_("review"), blank=True)
    # The re-inspection's answer per point of the requirement: [{"point": text, "rectified": bool}].
    reinspection = models.JSONField(_("re-inspection"), default=list, blank=True)
    access_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        # The table keeps the name it had when joint supervision owned the orders.
        db_table = "joint_rectification"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_kind", "source_ref", "department"], name="joint_rectification_once")
        ]
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")

    def __str__(self) -> str:
        return self.number

    @property
    def source_label(self) -> str:
        """What the order came from, in words: 专项整治检查 12 rather than `campaign-task-12`."""
        number = self.source_ref.rsplit("-", 1)[-1]
        if self.source_kind == SourceKind.CAMPAIGN:
            return _("Campaign check no. %(n)s") % {"n": number}
        if self.source_kind == SourceKind.COMPLAINT:
            return _("12345 work order %(n)s") % {"n": self.source_ref}
        if self.source_kind == SourceKind.ALERT:
            return _("Risk warning no. %(n)s") % {"n": number}
        return _("Inspection record no. %(n)s") % {"n": number}

    @property
    def source_record_id(self) -> int | None:
        """The inspection record a failed check item came from, if that is the source."""
        prefix = "record-"
        if self.source_kind == SourceKind.RECORD and self.source_ref.startswith(prefix):
            return int(self.source_ref.removeprefix(prefix))
        return None


class Evidence(models.Model):
    """A photo taken at the re-inspection (复查照片)."""

    order = models.ForeignKey(Rectification, models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="rectification/%Y/%m")
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size"))
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        db_table = "rectification_evidence"
        verbose_name = _("re-inspection photo")
        verbose_name_plural = _("re-inspection photos")

    def __str__(self) -> str:
        return self.name
