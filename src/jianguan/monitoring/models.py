"""Monitoring points, their readings (stored compactly: one narrow row per reading, an aggregate per
device and hour for screens), refused readings with their reason, the rules' running state per
device, and the clues (线索) rule hits make."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.monitoring.choices import Channel, ClueState, DeviceKind, DeviceStatus, Level


class Device(models.Model):
    """A monitoring point: a sensor, logger or camera at a subject's site, watched by one department."""

    code = models.CharField(_("device code"), max_length=64, unique=True)
    source = models.ForeignKey(
        "exchange.SourceSystem", models.PROTECT, related_name="devices", verbose_name=_("source system")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    subject = models.ForeignKey(
        "subjects.Subject", models.PROTECT, null=True, blank=True, related_name="devices", verbose_name=_("subject")
    )
    department = models.ForeignKey(
        "core.Department", models.PROTECT, related_name="devices", verbose_name=_("watching department")
    )
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="devices", verbose_name=_("region"))
    address = models.CharField(_("site address"), max_length=300, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    items = models.ManyToManyField(
        "catalog.SupervisionItem", blank=True, related_name="devices", verbose_name=_("supervision items")
    )
    quantity = models.CharField(_("measured quantity"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monitoring device")
        indexes = [models.Index(fields=["department", "status"]), models.Index(fields=["last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Reading(models.Model):
    """One measured value. Keyed by (device, time): a reading sent twice is stored once. On
    PostgreSQL the table is partitioned by month of `measured_at` (migration 0002)."""

    pk = models.CompositePrimaryKey("device_id", "measured_at")
    device = models.ForeignKey(Device, models.DO_NOTHING, db_constraint=False, related_name="+")
    measured_at = models.DateTimeField(_("measured at"))
    value = models.FloatField(_("value"))
    reading_id = models.CharField(_("reading id"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("reading")

    def __str__(self) -> str:
        return f"{self.device_id} {self.measured_at:%Y-%m-%d %H:%M} {self.value:g}"


class ReadingHour(models.Model):
    """Count, sum, minimum and maximum of a device's readings in one hour, for screens."""

    device = models.ForeignKey(Device, models.CASCADE, related_name="hours")
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField(_("readings"))
    total = models.FloatField(_("sum"))
    minimum = models.FloatField(_("minimum"))
    maximum = models.FloatField(_("maximum"))

    class Meta:
        verbose_name = _("hourly aggregate")
        constraints = [models.UniqueConstraint(fields=["device", "hour"], name="monitoring_hour_unique")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.hour:%Y-%m-%d %H}:00 ×{self.count}"


class Delivery(models.Model):
    """One call or one MQTT batch of readings, with every submitted reading accounted for."""

    source = models.ForeignKey("exchange.SourceSystem", models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    submitted = models.PositiveIntegerField(_("submitted"))
    accepted = models.PositiveIntegerField(_("accepted"))
    duplicates = models.PositiveIntegerField(_("duplicates"))
    rejected = models.PositiveIntegerField(_("rejected"))
    payload_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("reading delivery")

    def __str__(self) -> str:
        return f"{self.pk} {self.accepted}/{self.submitted}"


class BadReading(models.Model):
    """A refused reading, kept with its reason: never dropped silently."""

    delivery = models.ForeignKey(Delivery, models.CASCADE, related_name="bad")
    position = models.PositiveIntegerField(_("position"))
    device_code = models.CharField(_("device code"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=32)
    payload = models.TextField(_("payload"))

    class Meta:
        verbose_name = _("refused reading")
        indexes = [models.Index(fields=["reason"])]

    def __str__(self) -> str:
        return f"{self.position} {self.reason}"


class RuleState(models.Model):
    """What a rule remembers of one device between readings: the last reading it saw and since when
    the condition has held. Rules advance on readings newer than `last_at` only."""

    rule = models.CharField(max_length=64)
    device = models.ForeignKey(Device, models.CASCADE, related_name="+")
    last_at = models.DateTimeField(null=True)
    last_value = models.FloatField(null=True)
    holding_since = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "device"], name="monitoring_rulestate_unique")]

    def __str__(self) -> str:
        return f"{self.rule} {self.device_id}"


class Clue(models.Model):
    """违法线索: a rule's hit on a device, with its evidence. Hits of the same rule on the same device
    within the rule's merge window update this clue instead of opening another."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    rule = models.CharField(_("rule"), max_length=64)
    rule_version = models.CharField(_("policy version"), max_length=64)
    device = models.ForeignKey(Device, models.PROTECT, related_name="clues", verbose_name=_("device"))
    subject = models.ForeignKey(
        "subjects.Subject", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("subject")
    )
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name=_("department"))
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    state = models.CharField(_("state"), max_length=8, choices=ClueState.choices, default=ClueState.OPEN)
    first_at = models.DateTimeField(_("first hit"))
    last_at = models.DateTimeField(_("last hit"))
    hits = models.PositiveIntegerField(_("hits"), default=1)
    evidence = models.JSONField(_("evidence"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("clue")
        indexes = [
            models.Index(fields=["rule", "device", "state"]),
            models.Index(fields=["department", "state"]),
        ]

    def __str__(self) -> str:
        return self.number
