"""The exchange gateway: source systems, the message log, the national outbox and quality counters."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.exchange.choices import Channel, OutboxStatus


class SourceSystem(models.Model):
    """A department business system registered to send supervision records, with its limits."""

    name = models.CharField(_("code name"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=128)
    department = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="source_systems", verbose_name=_("department")
    )
    client = models.OneToOneField(
        "accounts.ApiClient",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="source_system",
        verbose_name=_("API client"),
    )
    max_records_per_call = models.PositiveIntegerField(
        _("records per call"), default=settings.EXCHANGE_MAX_RECORDS_PER_CALL
    )
    max_bytes = models.PositiveIntegerField(_("bytes per call"), default=settings.EXCHANGE_MAX_BYTES)
    requests_per_minute = models.PositiveIntegerField(
        _("calls per minute"), default=settings.EXCHANGE_REQUESTS_PER_MINUTE
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source system")
        verbose_name_plural = _("source systems")

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class Message(models.Model):
    """One submission as received: who, when, the payload's hash and what became of it.

    The centre's signed receipt (`receipt_signature`) goes back to the sender; the audit chain
    holds the same facts, so neither side can later deny what was sent.
    """

    source = models.ForeignKey(SourceSystem, models.PROTECT, related_name="messages", verbose_name=_("source"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    actor = models.CharField(_("sent by"), max_length=150)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    payload_sha256 = models.CharField(_("payload SHA-256"), max_length=64)
    payload_bytes = models.BigIntegerField(_("payload size"))
    status = models.PositiveSmallIntegerField(_("status"))
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    received = models.PositiveIntegerField(_("received"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    batch = models.ForeignKey(
        "core.ImportBatch", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("batch")
    )
    # The audit event that records this message: the receipt names it, and the chain seals it after
    # commit. Messages logged before events were sealed after commit carry the event's hash instead.
    audit_event = models.BigIntegerField(_("audit event"), null=True, blank=True)
    audit_hash = models.CharField(_("audit event hash"), max_length=64, blank=True)
    receipt_signature = models.CharField(_("receipt signature"), max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("message log")
        indexes = [models.Index(fields=["source", "received_at"], name="message_source_time")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.received_at:%Y-%m-%d %H:%M:%S} {self.status}"


class OutboxBatch(models.Model):
    """One national batch (`cd_batch`): the record changes one chunk of a submission wrote, in order.

    `entries` holds `[record id, operation]` pairs; message `n` of the batch has the id
    `<cd_batch>-<n>`. The batch is delivered, retried and acknowledged as a unit; the receiver may
    refuse single messages, which are kept in `refused` with the receiver's reason.
    """

    id = models.BigAutoField(primary_key=True)
    cd_batch = models.CharField(_("national batch number"), max_length=13, unique=True)
    source = models.ForeignKey(SourceSystem, models.PROTECT, related_name="+", verbose_name=_("source"))
    entries = models.JSONField(_("entries"))
    size = models.PositiveIntegerField(_("records"))
    status = models.CharField(_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    superseded = models.PositiveIntegerField(_("superseded"), default=0)
    refused = models.JSONField(_("refused"), default=list, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox batch")
        verbose_name_plural = _("national outbox")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.cd_batch} ({self.size}) {self.status}"


class OutboxMessage(models.Model):
    """A message for the national system other than a record change: the feedback on a national
    warning, queued by the application that answers it (`outbox.queue_message`), delivered in the
    same pushes as the record batches, retried with the same backoff. `message_id` is fixed when it
    is queued: a message sent again after a lost acknowledgement is stored once by the receiver."""

    id = models.BigAutoField(primary_key=True)
    message_id = models.CharField(_("message id"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=32)
    body = models.JSONField(_("message"))
    status = models.CharField(_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    refused_reason = models.TextField(_("reason refused"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("national outbox messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_message_due")]

    def __str__(self) -> str:
        return f"{self.message_id} {self.kind} {self.status}"


class NationalBatch(models.Model):
    """The day's sequence of national batch numbers (cd_batch = YYYYMMDD + 5 digits)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("national batch counter")
        verbose_name_plural = _("national batch counters")

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}{self.last:05d}"


class QualityDay(models.Model):
    """Per report month (its first day), source, department and kind: the counters behind the quality page."""

    day = models.DateField(_("month"))
    source = models.CharField(_("source system"), max_length=64)
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16)
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    completeness_sum = models.FloatField(default=0)
    lag_sum = models.BigIntegerField(default=0)
    within_7 = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        verbose_name = _("data quality counter")
        verbose_name_plural = _("data quality counters")
        constraints = [
            models.UniqueConstraint(fields=["day", "source", "department", "kind"], name="quality_day_key"),
            models.CheckConstraint(
                condition=models.Q(received=models.F("accepted") + models.F("rejected") + models.F("duplicates")),
                name="quality_day_counts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source} {self.department_id} {self.kind}"


class RejectionDay(models.Model):
    """Per report month (its first day), source and department: how many rows each rule rejected."""

    day = models.DateField(_("month"))
    source = models.CharField(_("source system"), max_length=64)
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+")
    code = models.CharField(_("error code"), max_length=64)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        verbose_name = _("rejection counter")
        verbose_name_plural = _("rejection counters")
        constraints = [
            models.UniqueConstraint(fields=["day", "source", "department", "code"], name="rejection_day_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source} {self.code} {self.count}"
