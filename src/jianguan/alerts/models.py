"""Risk warnings (风险预警): an alert about a subject (or a region), the signals fused into it, and
its handling on the `alerts_handle` workflow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.alerts.choices import Disposal, Level, SignalKind, Verdict


class Alert(models.Model):
    """One open alert per fingerprint (a subject, or a region and a signal kind without a subject):
    repeats while it is open add signals to it instead of raising another."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=96)
    is_open = models.BooleanField(_("open"), default=True)
    subject = models.ForeignKey(
        "subjects.Subject", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("subject")
    )
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("department"))
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    title = models.CharField(_("title"), max_length=255)
    score = models.FloatField(_("fusion score"), default=0)
    contributions = models.JSONField(_("contributions"), default=dict)
    sources = models.JSONField(_("sources"), default=list)
    sign_due_at = models.DateTimeField(_("sign for by"))
    item = models.OneToOneField("workflow.WorkflowItem", models.PROTECT, related_name="+")
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    verdict_reason = models.TextField(_("reason"), blank=True)
    disposal = models.CharField(_("disposal"), max_length=16, choices=Disposal.choices, blank=True)
    disposal_ref = models.CharField(_("disposal reference"), max_length=64, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=models.Q(is_open=True), name="alerts_one_open_per_fingerprint"
            )
        ]
        indexes = [models.Index(fields=["department", "is_open"]), models.Index(fields=["level", "is_open"])]

    def __str__(self) -> str:
        return self.number


class Signal(models.Model):
    """One input to an alert: a fact from another application (or a national warning), with the
    level and weight it was given."""

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="signals")
    subject = models.ForeignKey(  # indexed first in alerts_signal_fusion
        "subjects.Subject",
        models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=SignalKind.choices)
    rule = models.CharField(_("rule"), max_length=64, blank=True)
    rule_name = models.CharField(_("rule name"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=64)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    at = models.DateTimeField(_("at"))
    summary = models.CharField(_("summary"), max_length=255)
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        verbose_name = _("signal")
        constraints = [models.UniqueConstraint(fields=["kind", "reference"], name="alerts_signal_once")]
        # What the province-wide fusion reads, in subject order, without visiting the table.
        indexes = [models.Index(fields=["subject", "kind", "level", "at"], name="alerts_signal_fusion")]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class SubjectRisk(models.Model):
    """The fusion score of every subject with signals, recomputed in one pass (`fusion.fuse_all`):
    what the alert page shows for one alert, for the whole province at once. One column per signal
    kind (its points) and the risk grade's points, so the pass is a single aggregation."""

    subject = models.OneToOneField(
        "subjects.Subject", models.DO_NOTHING, primary_key=True, db_constraint=False, related_name="+"
    )
    score = models.FloatField(_("fusion score"))
    monitoring = models.FloatField(default=0)
    complaint_surge = models.FloatField(default=0)
    credit_downgrade = models.FloatField(default=0)
    credit_listing = models.FloatField(default=0)
    spotcheck_failure = models.FloatField(default=0)
    campaign_finding = models.FloatField(default=0)
    national_warning = models.FloatField(default=0)
    risk_grade = models.FloatField(default=0)
    as_of = models.DateTimeField(_("as of"))

    PARTS = (*SignalKind.values, "risk_grade")

    class Meta:
        # No index on the score: the ranking is read in scope (subjects cut by region) and counted for
        # its pages, which reads the rows anyway, while keeping an index of a million scores in random
        # order cost the nightly fusion three times its scan of the signals (bench/fusion.py).
        verbose_name = _("fused risk")

    def __str__(self) -> str:
        return f"{self.subject_id} {self.score:g}"

    @property
    def contributions(self) -> dict[str, float]:
        return {part: round(getattr(self, part), 2) for part in self.PARTS if getattr(self, part)}
