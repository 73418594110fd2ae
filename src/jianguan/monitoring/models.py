"""Monitoring points, their readings (stored compactly: one narrow row per reading, an aggregate per
device and hour for screens), the detections of video and remote-sensing analysis with their
evidence images, refused readings and detections with their reason, the rules' running state per
device, and the clues (线索) rule hits make."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jianguan.monitoring.choices import Channel, ClueState, DeliveryKind, DeviceKind, DeviceStatus, Level


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
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["last_seen_at"]),
            models.Index(fields=["longitude", "latitude"], name="monitoring_device_lonlat"),
        ]

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
    """One call or one MQTT batch of readings or of detections, with every submitted item accounted for."""

    source = models.ForeignKey("exchange.SourceSystem", models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=DeliveryKind.choices, default=DeliveryKind.READINGS)
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
    """A refused reading or detection, kept with its reason: never dropped silently (a detection's
    image is kept as its size and SHA-256, not its bytes)."""

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


class Evidence(models.Model):
    """固证: an image received with a detection, stored once by its SHA-256 whoever sends it again;
    each receipt is an audit event (`monitoring.evidence_received`), the chain of custody."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size"))
    media_type = models.CharField(_("media type"), max_length=32)
    width = models.PositiveIntegerField(_("width"), null=True)
    height = models.PositiveIntegerField(_("height"), null=True)
    file = models.FileField(_("file"), upload_to="monitoring/evidence", max_length=160)
    source = models.ForeignKey(
        "exchange.SourceSystem", models.PROTECT, related_name="+", verbose_name=_("first sent by")
    )
    received_at = models.DateTimeField(_("first received at"))

    class Meta:
        verbose_name = _("evidence image")

    def __str__(self) -> str:
        return self.sha256


class Detection(models.Model):
    """智能识别结果: a finding of a video or remote-sensing analysis model on one device, with its
    image. Stored once by (device, detection id), or by (device, time, label) when it has no id. A
    camera's finding has a box in image pixels; a remote-sensing one a WGS-84 polygon, with the
    devices and subjects it covers."""

    device = models.ForeignKey(Device, models.PROTECT, related_name="detections", verbose_name=_("device"))
    delivery = models.ForeignKey(Delivery, models.PROTECT, related_name="detections")
    detected_at = models.DateTimeField(_("detected at"))
    detection_id = models.CharField(_("detection id"), max_length=64, blank=True)
    model_name = models.CharField(_("model"), max_length=64)
    model_version = models.CharField(_("model version"), max_length=64)
    label = models.CharField(_("label"), max_length=32)
    confidence = models.FloatField(_("confidence"))
    box = models.JSONField(_("box [x, y, w, h]"), null=True)
    polygon = models.JSONField(_("polygon (GeoJSON, WGS-84)"), null=True)
    evidence = models.ForeignKey(Evidence, models.PROTECT, related_name="detections", verbose_name=_("evidence"))
    covered_devices = models.ManyToManyField(Device, blank=True, related_name="+", verbose_name=_("devices covered"))
    subjects = models.ManyToManyField(
        "subjects.Subject", blank=True, related_name="+", verbose_name=_("subjects covered")
    )
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("detection")
        indexes = [models.Index(fields=["device", "detected_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "detection_id"],
                condition=~models.Q(detection_id=""),
                name="monitoring_detection_id_unique",
            ),
            models.UniqueConstraint(
                fields=["device", "detected_at", "label"],
                condition=models.Q(detection_id=""),
                name="monitoring_detection_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.detected_at:%Y-%m-%d %H:%M} {self.label}"


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
