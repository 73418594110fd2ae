"""Detections in: the findings of video and remote-sensing analysis run elsewhere (未戴口罩, 老鼠,
违法占地…), each checked, stored once, or kept with its reason like a refused reading; the image of
each stored as evidence (固证) once by its SHA-256, every receipt an audit event; a remote-sensing
polygon matched to the registered sites it covers; the detection rules evaluated on what was
stored (`monitoring.rules.evaluate_detections`). One delivery is one transaction.

Coordinates are WGS-84 (EPSG:4326) longitude, latitude in degrees, as the devices' own coordinates
are. The maps of Chinese map services are drawn in GCJ-02 (Baidu's in BD-09), which lies several
hundred metres (commonly 300-700 m) from WGS-84: a polygon drawn or read on such a map must be
converted to WGS-84 before it is sent, or it covers the wrong sites. Subjects have no coordinates of
their own; a polygon covers a subject when it covers one of the subject's registered devices.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import math
from dataclasses import dataclass
from typing import Any

import orjson
import shapely
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape as geometry_of

from jianguan.audit.services import record_event
from jianguan.core.errors import DomainError, FieldError, lazy_format
from jianguan.core.text import first_forbidden
from jianguan.exchange.models import SourceSystem
from jianguan.monitoring import rules
from jianguan.monitoring.choices import CAMERA_KINDS, DETECTOR_KINDS, DeliveryKind, DeviceKind, DeviceStatus
from jianguan.monitoring.models import Delivery, Detection, Device, Evidence
from jianguan.monitoring.policy import policy
from jianguan.monitoring.services import Outcome, audit_delivery, count_stored, load_body, open_delivery
from jianguan.platform.importing import SIGNATURES

try:  # Pillow comes with fpdf2; without it the first bytes alone decide
    from PIL import Image
except ImportError:  # pragma: no cover
    Image = None

REQUIRED = {"device", "time", "model", "model_version", "label", "confidence", "image"}
MAX_VERTICES = 10_000

REASONS = {
    "malformed": _(
        "A detection is an object with device, time, model, model_version, label, confidence and image "
        "(and a box or a polygon, and an optional id)."
    ),
    "forbidden_character": _("The detection holds a control character."),
    "bad_id": _("The detection id is not a text of at most 64 characters."),
    "bad_model": _("The model name and version are texts of 1 to 64 characters."),
    "bad_time": _("The time is not an ISO 8601 time with its offset, such as 2026-12-07T08:00:00+08:00."),
    "unknown_device": _("No device in service with this code belongs to this source system."),
    "not_a_detector": _("This device is not a video camera, kitchen camera or remote-sensing source."),
    "future_time": _("The time is in the future."),
    "unknown_label": _("The policy knows no such label for this kind of device."),
    "bad_confidence": _("The confidence is not a number from 0 to 1."),
    "bad_box": _("A camera's detection has a box [x, y, w, h] in image pixels (w and h above 0), and no polygon."),
    "bad_polygon": _(
        "A remote-sensing detection has a valid GeoJSON Polygon in WGS-84 longitude and latitude, and no box."
    ),
    "bad_image": _("The image is not base64."),
    "image_too_large": _("The image is larger than the policy allows."),
    "not_an_image": _("The image is not a JPEG or PNG picture."),
}


@dataclass
class Picture:
    data: bytes
    sha256: str
    media_type: str
    width: int | None
    height: int | None


@dataclass
class Checked:
    device: Device
    moment: dt.datetime
    detection_id: str
    model_name: str
    model_version: str
    label: str
    confidence: float
    box: list[float] | None
    polygon: dict[str, Any] | None
    picture: Picture

    def key(self) -> tuple:
        if self.detection_id:
            return (self.device.pk, "id", self.detection_id)
        return (self.device.pk, "at", self.moment, self.label)


def _refused(position: int, code: str, device: str = "", detail: Any = None) -> FieldError:
    message = REASONS[code] if detail is None else format_lazy("{}（{}）", REASONS[code], detail)
    return FieldError(device or "detection", message, code=code, row=position)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _box(value: Any) -> list[float] | None:
    if not isinstance(value, list) or len(value) != 4 or not all(_number(v) for v in value):
        return None
    x, y, w, h = (float(v) for v in value)
    return [x, y, w, h] if x >= 0 and y >= 0 and w > 0 and h > 0 else None


def _polygon(value: Any) -> dict[str, Any] | None:
    """A GeoJSON Polygon (outer ring, then holes) of WGS-84 positions, closed and valid, else None."""
    if not isinstance(value, dict) or value.get("type") != "Polygon":
        return None
    rings = value.get("coordinates")
    if not isinstance(rings, list) or not rings:
        return None
    clean, vertices = [], 0
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            return None
        vertices += len(ring)
        if vertices > MAX_VERTICES:
            return None
        points = []
        for position in ring:
            if not isinstance(position, list) or len(position) not in (2, 3) or not all(_number(v) for v in position):
                return None
            lon, lat = float(position[0]), float(position[1])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                return None
            points.append([lon, lat])
        if points[0] != points[-1]:
            return None
        clean.append(points)
    geometry = {"type": "Polygon", "coordinates": clean}
    shape = geometry_of(geometry)
    return geometry if shape.is_valid and shape.area > 0 else None


def _picture(encoded: str, limit: int) -> Picture | str:
    """The decoded image, or the code refusing it: base64, at most `limit` bytes, a real JPEG or PNG
    by its first bytes and, where Pillow is installed, by decoding its header and structure."""
    if len(encoded) > (limit + 2) // 3 * 4 + 4:
        return "image_too_large"
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return "bad_image"
    if len(data) > limit:
        return "image_too_large"
    if SIGNATURES[".jpg"](data[:16]):
        media_type, expected = "image/jpeg", "JPEG"
    elif SIGNATURES[".png"](data[:16]):
        media_type, expected = "image/png", "PNG"
    else:
        return "not_an_image"
    width = height = None
    if Image is not None:
        try:
            with Image.open(io.BytesIO(data)) as image:
                found, (width, height) = image.format, image.size
                image.verify()
        except Exception:  # Pillow refuses a damaged or disguised file with many kinds of error
            return "not_an_image"
        if found != expected:
            return "not_an_image"
    return Picture(data, hashlib.sha256(data).hexdigest(), media_type, width, height)


def _text(value: Any) -> bool:
    return isinstance(value, str) and first_forbidden(value) is None


def check(position: int, raw: Any, devices: dict[str, Device], now: dt.datetime, settings: dict[str, Any]):
    """The `Checked` detection, or the FieldError refusing it."""
    if not isinstance(raw, dict) or not raw.keys() >= REQUIRED:
        return _refused(position, "malformed")
    code, when, image, detection_id = raw["device"], raw["time"], raw["image"], raw.get("id", "")
    texts = (code, when, raw["model"], raw["model_version"], raw["label"], image)
    if not all(isinstance(v, str) for v in texts) or (
        detection_id is not None and (isinstance(detection_id, bool) or not isinstance(detection_id, str | int))
    ):
        return _refused(position, "malformed", code if isinstance(code, str) else "")
    if not all(_text(v) for v in (*texts[:5], str(detection_id or ""))):
        return _refused(position, "forbidden_character", code)
    detection_id = str(detection_id or "")
    if len(detection_id) > 64:
        return _refused(position, "bad_id", code)
    model_name, model_version = raw["model"].strip(), raw["model_version"].strip()
    if not (0 < len(model_name) <= 64 and 0 < len(model_version) <= 64):
        return _refused(position, "bad_model", code)
    try:
        moment = dt.datetime.fromisoformat(when)
    except ValueError:
        return _refused(position, "bad_time", code)
    if moment.tzinfo is None:
        return _refused(position, "bad_time", code)
    device = devices.get(code)
    if device is None:
        return _refused(position, "unknown_device", code)
    if device.kind not in DETECTOR_KINDS:
        return _refused(position, "not_a_detector", code)
    if moment > now + dt.timedelta(minutes=settings["future_tolerance_minutes"]):
        return _refused(position, "future_time", code)
    label = settings.get("labels", {}).get(raw["label"])
    if label is None or device.kind not in label["device_kinds"]:
        return _refused(position, "unknown_label", code)
    confidence = raw["confidence"]
    if not _number(confidence) or not 0 <= confidence <= 1:
        return _refused(position, "bad_confidence", code)
    box = polygon = None
    if device.kind in CAMERA_KINDS:
        box = _box(raw.get("box"))
        if box is None or raw.get("polygon") is not None:
            return _refused(position, "bad_box", code)
    else:
        polygon = _polygon(raw.get("polygon"))
        if polygon is None or raw.get("box") is not None:
            return _refused(position, "bad_polygon", code)
    limit = settings.get("max_image_bytes", 2 * 1024 * 1024)
    picture = _picture(image, limit)
    if isinstance(picture, str):
        detail = f"{limit // 1024} KB" if picture == "image_too_large" else None
        return _refused(position, picture, code, detail)
    return Checked(
        device,
        moment.astimezone(dt.UTC),
        detection_id,
        model_name,
        model_version,
        raw["label"],
        float(confidence),
        box,
        polygon,
        picture,
    )


def parse_body(body: bytes, source: SourceSystem) -> list[Any]:
    """The detections of one HTTP call: a JSON array, or {"detections": [...]}, within the limits."""
    data = load_body(body, source)
    if isinstance(data, dict):
        data = data.get("detections")
    if not isinstance(data, list):
        raise DomainError("not_a_list", _('Send a JSON array of detections, or {"detections": [...]}.'))
    limit = policy().get("max_detections_per_call", 100)
    if len(data) > limit:
        raise DomainError(
            "too_many_detections", lazy_format(_("At most %(n)d detections per call."), {"n": limit}), status=413
        )
    return data


def _kept_payload(raw: Any) -> str:
    """A refused detection as kept: its image as length and SHA-256 of the text, not its bytes."""
    if isinstance(raw, dict) and isinstance(raw.get("image"), str):
        image = raw["image"]
        raw = {**raw, "image": {"chars": len(image), "sha256": hashlib.sha256(image.encode()).hexdigest()}}
    return orjson.dumps(raw, default=str).decode()[:2000]


def receive(source: SourceSystem, items: list[Any], *, channel: str, actor: Any = None, digest: str = "") -> Outcome:
    """One delivery of detections: checked, stored with their evidence, matched and evaluated in one
    transaction."""
    now = timezone.now()
    settings = policy()
    codes = {raw["device"] for raw in items if isinstance(raw, dict) and isinstance(raw.get("device"), str)}
    devices = {
        d.code: d
        for d in Device.objects.filter(source=source, status=DeviceStatus.ACTIVE, code__in=codes).select_related(
            "subject"
        )
    }
    good, bad = [], []
    for position, raw in enumerate(items, start=1):
        checked = check(position, raw, devices, now, settings)
        if isinstance(checked, FieldError):
            bad.append((position, raw, checked))
        else:
            good.append(checked)
    with transaction.atomic():
        delivery = open_delivery(
            source, channel, items, bad, now, digest, kind=DeliveryKind.DETECTIONS, kept=_kept_payload
        )
        stored = store(good, delivery, actor, now)
        count_stored(delivery, len(good), len(stored))
        clues = rules.evaluate_detections(stored)
        audit_delivery(delivery, actor, "monitoring.detections", clues, detections=[d.pk for d in stored])
    return Outcome(delivery, [error.as_dict() for _p, _r, error in bad], clues)


# ---------------------------------------------------------------- storage


def _stored_before(item: Checked) -> bool:
    found = Detection.objects.filter(device=item.device)
    if item.detection_id:
        return found.filter(detection_id=item.detection_id).exists()
    return found.filter(detection_id="", detected_at=item.moment, label=item.label).exists()


def store(items: list[Checked], delivery: Delivery, actor: Any, now: dt.datetime) -> list[Detection]:
    """Write the detections not stored yet (the first of a repeated key wins), each with its evidence
    and, for a polygon, the devices and subjects it covers; the written ones, in time order."""
    unique: dict[tuple, Checked] = {}
    for item in items:
        unique.setdefault(item.key(), item)
    written = []
    for item in unique.values():
        if _stored_before(item):
            continue
        evidence, first = keep_evidence(item.picture, delivery.source, now)
        try:
            with transaction.atomic():  # a concurrent delivery of the same detection: it is a duplicate
                detection = Detection.objects.create(
                    device=item.device,
                    delivery=delivery,
                    detected_at=item.moment,
                    detection_id=item.detection_id,
                    model_name=item.model_name,
                    model_version=item.model_version,
                    label=item.label,
                    confidence=item.confidence,
                    box=item.box,
                    polygon=item.polygon,
                    evidence=evidence,
                    received_at=now,
                )
        except IntegrityError:
            continue
        if item.polygon is not None:
            covered = covered_devices(item.polygon, exclude=item.device.pk)
            detection.covered_devices.set(covered)
            detection.subjects.set({d.subject_id for d in covered if d.subject_id is not None})
        record_event(
            actor,
            "monitoring.evidence_received",
            "monitoring.evidence",
            evidence.pk,
            after={
                "sha256": evidence.sha256,
                "size": evidence.size,
                "media_type": evidence.media_type,
                "source": delivery.source.name,
                "delivery": delivery.pk,
                "device": item.device.code,
                "detection": detection.pk,
                "first_receipt": first,
            },
        )
        written.append(detection)
    written.sort(key=lambda d: (d.device_id, d.detected_at, d.pk))
    return written


def keep_evidence(picture: Picture, source: SourceSystem, now: dt.datetime) -> tuple[Evidence, bool]:
    """The evidence holding these bytes, stored now if no one sent them before; True when new."""
    found = Evidence.objects.filter(sha256=picture.sha256).first()
    if found is not None:
        return found, False
    evidence = Evidence(
        sha256=picture.sha256,
        size=len(picture.data),
        media_type=picture.media_type,
        width=picture.width,
        height=picture.height,
        source=source,
        received_at=now,
    )
    # Content-addressed: the path is the hash, so the bytes left by a delivery that rolled back are
    # taken as they are rather than written a second time under another name.
    suffix = ".png" if picture.media_type == "image/png" else ".jpg"
    name = f"monitoring/evidence/{picture.sha256[:2]}/{picture.sha256}{suffix}"
    storage = evidence.file.storage
    if storage.exists(name) and _digest(storage, name) == picture.sha256:
        evidence.file.name = name
    else:
        evidence.file.name = storage.save(name, ContentFile(picture.data))
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:  # sent at the same moment by another delivery, which stored it first
        return Evidence.objects.get(sha256=picture.sha256), False
    return evidence, True


def _digest(storage, name: str) -> str:
    with storage.open(name, "rb") as stored:
        return hashlib.file_digest(stored, "sha256").hexdigest()


def covered_devices(polygon: dict[str, Any], exclude: int | None = None) -> list[Device]:
    """The registered devices whose WGS-84 site lies in or on the polygon (the tile source itself
    excepted): a range query on their coordinates, then the exact test."""
    shape = geometry_of(polygon)
    west, south, east, north = shape.bounds
    candidates = list(
        Device.objects.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        ).exclude(kind=DeviceKind.REMOTE_SENSING)
    )
    if exclude is not None:
        candidates = [d for d in candidates if d.pk != exclude]
    if not candidates:
        return []
    shapely.prepare(shape)
    inside = shapely.covers(shape, shapely.points([(d.longitude, d.latitude) for d in candidates]))
    return [d for d, covered in zip(candidates, inside, strict=True) if covered]
