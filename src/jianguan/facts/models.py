"""Domain facts (领域事实): what one application publishes and others act on, and each subscriber's cursor."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Fact(models.Model):
    """One domain fact, written by the service that caused it, inside its transaction.

    `seq` is the fact's number in commit order: given after the writer's transaction commits (as the
    audit chain seals), so that a subscriber's cursor never passes a fact still being written.
    """

    seq = models.BigIntegerField(_("number"), unique=True, null=True)
    name = models.CharField(_("fact"), max_length=64)
    at = models.DateTimeField(_("time"))
    department = models.ForeignKey(
        "core.Department", models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    region = models.CharField(_("region"), max_length=6, blank=True)
    # A plain id: the subjects register lives above this layer.
    subject_id = models.BigIntegerField(_("subject"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    audit_event = models.ForeignKey(
        "audit.AuditEvent", models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        indexes = [
            models.Index(fields=["name", "seq"], name="fact_name_seq"),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="fact_unnumbered"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '…'} {self.name} {self.object_type}:{self.object_id}"


class FactHead(models.Model):
    """The last fact numbered: the numberer's lock (held only while it numbers, never by publishers)."""

    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"facts numbered up to {self.seq}"


class Subscription(models.Model):
    """A subscriber's progress: every fact it listens to up to `cursor` has been handled."""

    key = models.CharField(_("subscriber"), max_length=100, unique=True)
    cursor = models.BigIntegerField(_("cursor"), default=0)
    delivered = models.BigIntegerField(_("facts handled"), default=0)
    delivered_at = models.DateTimeField(_("last handled"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    failing_seq = models.BigIntegerField(_("failing fact"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.key} @ {self.cursor}"
