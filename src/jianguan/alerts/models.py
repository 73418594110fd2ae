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

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"
