"""The append-only, hash-chained audit trail (监管过程全记录)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One write by one actor; `hash` covers the fields and the previous event's hash.

    An event is written unsealed (no seq, no hash) inside its writer's transaction, so writers never
    queue on each other; the sealer links it into the chain once that transaction has committed.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True, null=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.CharField(_("actor"), max_length=128)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, unique=True, null=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '…'} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The chain's last sealed event: the sealer's lock (held only while it seals, never by writers)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # The first event whose hash is keyed (HMAC under settings.AUDIT_KEY); events before it were
    # chained with plain SHA-256 by earlier versions. Anchors record it, so it cannot be moved unseen.
    keyed_from = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"head #{self.seq}"
