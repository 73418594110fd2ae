"""Staff screens of non-site monitoring (非现场监管): the device register and a device's page with
its hourly chart, the clue list and a clue's evidence, and the refused readings. Every read goes
through `monitoring.permissions`: a device or clue out of the viewer's scope is not found (404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from jianguan.core.errors import DomainError
from jianguan.monitoring import display, services
from jianguan.monitoring.choices import DETECTOR_KINDS
from jianguan.monitoring.lists import CLUES, DEVICES, REFUSED
from jianguan.monitoring.lists import clues as clue_rows
from jianguan.monitoring.permissions import access, reads_refused, visible_detections, visible_devices
from jianguan.platform.lists import list_page

CLUES_SHOWN = 20
DETECTIONS_SHOWN = 12


def _get(queryset, pk):
    try:
        return access(queryset, pk)
    except DomainError:
        raise Http404 from None


def _help(request) -> dict[str, object]:
    return {"help_url": reverse("help:page", args=["monitoring"]), "refused_tab": reads_refused(request.user)}


def _days(request) -> int:
    try:
        days = int(request.GET.get("days", display.CHART_DAYS[0]))
    except ValueError:
        return display.CHART_DAYS[0]
    return days if days in display.CHART_DAYS else display.CHART_DAYS[0]


def _labelled(clues) -> list:
    shown = list(clues)
    for clue in shown:
        clue.rule_name, clue.level_badge = display.rule_label(clue.rule), display.level_badge(clue.level)
    return shown


@login_required
def devices(request):
    return list_page(request, DEVICES, _help(request))


@login_required
def device(request, pk: int):
    found = _get(visible_devices(request.user).select_related("subject", "department", "region", "source"), pk)
    clues = clue_rows(request.user).filter(device=found).order_by("-last_at", "-pk")
    days = _days(request)
    return render(
        request,
        "monitoring/device.html",
        {
            "device": found,
            "offline": services.is_offline(found),
            "quantity": display.quantity_name(found.quantity),
            "items": found.items.order_by("code"),
            "clues": _labelled(clues[:CLUES_SHOWN]),
            "clue_count": clues.count(),
            "open_count": clues.filter(state="open").count(),
            "chart": display.chart_data(found, days) if found.quantity else None,
            "detections": _detections(request.user, found),
            "days": days,
            "ranges": display.CHART_DAYS,
            **_help(request),
        },
    )


def _detections(user, device) -> list | None:
    """A detector's latest findings (video, kitchen and remote-sensing sources); None for a sensor."""
    if device.kind not in DETECTOR_KINDS:
        return None
    latest = visible_detections(user).filter(device=device).select_related("evidence").order_by("-detected_at", "-pk")
    found = list(latest[:DETECTIONS_SHOWN])
    for detection in found:
        detection.label_name = display.label_name(detection.label)
    return found


@login_required
def detection_image(request, pk: int):
    """A detection's evidence image, for those who may read the detecting device."""
    evidence = _get(visible_detections(request.user).select_related("evidence"), pk).evidence
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.media_type)
    response["X-Content-SHA256"] = evidence.sha256
    return response


@login_required
def device_hours(request, pk: int):
    """The device chart's data (the same the page embeds), for the range picker."""
    found = _get(visible_devices(request.user), pk)
    return JsonResponse(display.chart_data(found, _days(request)))


@login_required
def clues(request):
    return list_page(request, CLUES, _help(request))


@login_required
def clue(request, pk: int):
    found = _get(clue_rows(request.user).select_related("region", "device__region"), pk)
    rule = display.rule_of(found.rule)
    return render(
        request,
        "monitoring/clue.html",
        {
            "clue": found,
            "rule": rule,
            "measured": rule is None or rule["kind"] not in ("silence", "detections"),
            "rule_name": display.rule_label(found.rule),
            "level": display.level_badge(found.level),
            "evidence": display.evidence_rows(found),
            "images": display.evidence_images(request.user, found),
            "quantity": display.quantity_name(found.device.quantity),
            **_help(request),
        },
    )


@login_required
def refused(request):
    return list_page(request, REFUSED, _help(request))
