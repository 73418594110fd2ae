"""Monitoring API: readings and detections in from source systems; devices, their hourly readings,
detections with their evidence images, clues and deliveries within the reader's scope."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router

from jianguan.accounts.models import ApiClient
from jianguan.core.errors import DomainError
from jianguan.exchange.services import source_of_client
from jianguan.monitoring import detections, services
from jianguan.monitoring.choices import Channel
from jianguan.monitoring.models import BadReading, Clue, Delivery, Detection, Device
from jianguan.monitoring.permissions import (
    access,
    visible_clues,
    visible_deliveries,
    visible_detections,
    visible_devices,
)
from jianguan.platform.apitools import page

router = Router(tags=["monitoring"])

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": 'A JSON array of readings, or {"readings": [...]}: each {"device": code, "time": ISO 8601 '
        'with offset, "value": number, "unit": the quantity\'s unit, "id": optional reading id}. A reading '
        "already stored for the same device and time is counted as a duplicate.",
        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}},
    }
}


_DETECTIONS_DOC = {
    "requestBody": {
        "required": True,
        "description": 'A JSON array of detections, or {"detections": [...]}: each {"device": code of a video or '
        'kitchen camera or remote-sensing source, "time": ISO 8601 with offset, "model": name, "model_version", '
        '"label": a label of the monitoring policy, "confidence": 0-1, "box": [x, y, w, h] in image pixels '
        '(cameras) or "polygon": a GeoJSON Polygon in WGS-84 longitude/latitude (remote sensing; convert GCJ-02 '
        'map coordinates first, they lie several hundred metres off), "image": base64 JPEG or PNG, "id": optional '
        "detection id}. A detection already stored for the same device and id (or, without an id, the same "
        "device, time and label) is counted as a duplicate.",
        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}},
    }
}
_IMAGE_DOC = {
    "responses": {
        200: {
            "description": "The evidence image / 证据图片",
            "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}, "image/png": {}},
        }
    }
}


def delivery_out(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "kind": delivery.kind,
        "channel": delivery.channel,
        "received_at": delivery.received_at,
        "submitted": delivery.submitted,
        "accepted": delivery.accepted,
        "duplicates": delivery.duplicates,
        "rejected": delivery.rejected,
    }


def device_out(device: Device) -> dict[str, Any]:
    return {
        "id": device.pk,
        "code": device.code,
        "kind": device.kind,
        "name": device.name,
        "subject": device.subject_id,
        "department": device.department_id,
        "region": device.region_id,
        "address": device.address,
        "longitude": device.longitude,
        "latitude": device.latitude,
        "quantity": device.quantity,
        "status": device.status,
        "last_seen_at": device.last_seen_at,
        "offline": services.is_offline(device),
    }


def clue_out(clue: Clue) -> dict[str, Any]:
    return {
        "id": clue.pk,
        "number": clue.number,
        "rule": clue.rule,
        "rule_version": clue.rule_version,
        "device": clue.device_id,
        "subject": clue.subject_id,
        "department": clue.department_id,
        "region": clue.region_id,
        "level": clue.level,
        "state": clue.state,
        "first_at": clue.first_at,
        "last_at": clue.last_at,
        "hits": clue.hits,
        "evidence": clue.evidence,
    }


def detection_out(detection: Detection) -> dict[str, Any]:
    evidence = detection.evidence
    return {
        "id": detection.pk,
        "device": detection.device_id,
        "device_code": detection.device.code,
        "detected_at": detection.detected_at,
        "detection_id": detection.detection_id,
        "model": detection.model_name,
        "model_version": detection.model_version,
        "label": detection.label,
        "confidence": detection.confidence,
        "box": detection.box,
        "polygon": detection.polygon,
        "covered_devices": [d.pk for d in detection.covered_devices.all()],
        "subjects": [s.pk for s in detection.subjects.all()],
        "evidence": {
            "sha256": evidence.sha256,
            "size": evidence.size,
            "media_type": evidence.media_type,
            "width": evidence.width,
            "height": evidence.height,
            "received_at": evidence.received_at,
        },
        "received_at": detection.received_at,
        "delivery": detection.delivery_id,
    }


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A time from a query in UTC: an offset PostgreSQL refuses (beyond ±15:59, which ISO 8601 and
    Python allow) or none at all (read as the platform's zone) is never handed to the database as is."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment.astimezone(dt.UTC)


def _detections(actor):
    return (
        visible_detections(actor).select_related("device", "evidence").prefetch_related("covered_devices", "subjects")
    )


def _intake(request, refusal, parse, receive) -> dict[str, Any]:
    """One call of a source system's API client: checked, parsed, received, answered with the counts."""
    client = request.auth
    if not isinstance(client, ApiClient):
        raise DomainError("api_client_only", refusal, status=403)
    source = source_of_client(client)
    services.check_rate(source, timezone.now())
    items = parse(request.body, source)
    outcome = receive(
        source, items, channel=Channel.HTTP, actor=client, digest=hashlib.sha256(request.body).hexdigest()
    )
    return {**delivery_out(outcome.delivery), "errors": outcome.errors, "clues": [c.number for c in outcome.clues]}


@router.post("/readings", response=dict, summary="Readings in from a source system", openapi_extra=_BODY_DOC)
def post_readings(request):
    refusal = _("Only a source system's API client may send readings.")
    return _intake(request, refusal, services.parse_body, services.receive)


@router.post("/detections", response=dict, summary="Detections in from a source system", openapi_extra=_DETECTIONS_DOC)
def post_detections(request):
    refusal = _("Only a source system's API client may send detections.")
    return _intake(request, refusal, detections.parse_body, detections.receive)


@router.get("/detections", response=dict, summary="Detections in scope, newest first")
def list_detections(
    request,
    label: str = "",
    device: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
):
    start, end = _utc(start), _utc(end)
    found = _detections(request.auth).order_by("-detected_at", "-pk")
    if label:
        found = found.filter(label=label)
    if device is not None:
        found = found.filter(device_id=device)
    if start is not None:
        found = found.filter(detected_at__gte=start)
    if end is not None:
        found = found.filter(detected_at__lte=end)
    return page(found, limit, offset, detection_out)


@router.get("/detections/{detection_id}", response=dict, summary="One detection, with its evidence's hash")
def get_detection(request, detection_id: int):
    return detection_out(access(_detections(request.auth), detection_id))


@router.get("/detections/{detection_id}/image", summary="A detection's evidence image", openapi_extra=_IMAGE_DOC)
def detection_image(request, detection_id: int):
    evidence = access(visible_detections(request.auth).select_related("evidence"), detection_id).evidence
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.media_type)
    response["X-Content-SHA256"] = evidence.sha256
    response["Content-Disposition"] = f'inline; filename="{evidence.sha256}.{evidence.media_type.split("/")[1]}"'
    return response


@router.get("/deliveries/{delivery_id}", response=dict, summary="One delivery, with its refused readings")
def get_delivery(request, delivery_id: int):
    delivery = access(visible_deliveries(request.auth), delivery_id)
    bad = BadReading.objects.filter(delivery=delivery).order_by("position")
    return {
        **delivery_out(delivery),
        "refused": [
            {"position": b.position, "device": b.device_code, "reason": b.reason, "payload": b.payload} for b in bad
        ],
    }


@router.get("/devices", response=dict, summary="Monitoring devices in scope")
def list_devices(request, kind: str = "", offline: bool = False, limit: int = 50, offset: int = 0):
    devices = visible_devices(request.auth).order_by("code")
    if kind:
        devices = devices.filter(kind=kind)
    if offline:
        devices = devices.filter(services.offline_q())
    return page(devices, limit, offset, device_out)


@router.get("/devices/{device_id}/hours", response=dict, summary="A device's hourly aggregates")
def device_hours(request, device_id: int, start: dt.datetime | None = None, end: dt.datetime | None = None):
    device = access(visible_devices(request.auth), device_id)
    return {"device": device_out(device), "hours": services.hours(device, _utc(start), _utc(end))}


@router.get("/clues", response=dict, summary="Clues in scope, newest first")
def list_clues(request, state: str = "", level: str = "", limit: int = 50, offset: int = 0):
    clues = visible_clues(request.auth).order_by("-last_at", "-pk")
    if state:
        clues = clues.filter(state=state)
    if level:
        clues = clues.filter(level=level)
    return page(clues, limit, offset, clue_out)


@router.get("/clues/{clue_id}", response=dict)
def get_clue(request, clue_id: int):
    return clue_out(access(visible_clues(request.auth), clue_id))
