"""What operators watch: /health (database, task queue, national outbox) and /metrics (Prometheus).

/health answers 200 when the database answers and the queue is reachable, 503 otherwise; an outbox
whose oldest record has waited longer than JIANGUAN_OUTBOX_WARN_MINUTES is reported as "warn"
(still 200: the platform serves, the national link needs a look). /metrics is open to the
addresses in JIANGUAN_METRICS_FROM only (default: this host). Under gunicorn with several workers,
request counts are summed over the workers through PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py).
"""

from __future__ import annotations

import ipaddress
import os
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Sum
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from jianguan.audit.models import AuditEvent, AuditHead
from jianguan.core.choices import ImportStatus
from jianguan.core.models import ImportBatch
from jianguan.exchange.outbox import backlog

REQUESTS = Counter("jianguan_http_requests", "HTTP requests answered", ["method", "view", "status"])
LATENCY = Histogram(
    "jianguan_http_request_seconds",
    "Time to answer an HTTP request",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10),
)


def _queue_depth() -> int:
    return HUEY.pending_count()


def _checks() -> dict[str, Any]:
    checks: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except DatabaseError as exc:
        checks["database"] = {"status": "fail", "error": str(exc)[:200]}
        return checks
    try:
        checks["queue"] = {"status": "ok", "pending": _queue_depth()}
    except Exception as exc:  # noqa: BLE001 - any failure of the broker is what this check reports
        checks["queue"] = {"status": "fail", "error": str(exc)[:200]}
    outbox = backlog()
    oldest = outbox["oldest_pending_at"]
    waited = (timezone.now() - oldest).total_seconds() if oldest else 0
    late = waited > settings.OUTBOX_WARN_MINUTES * 60
    checks["outbox"] = {
        "status": "warn" if late else "ok",
        "pending": outbox["pending"],
        "oldest_wait_seconds": int(waited),
        "last_error": outbox["last_error"][:200],
    }
    return checks


@never_cache
def live(request):
    """Liveness: the process answers (no database, no queue): for restarts, and as the load baseline."""
    return HttpResponse(b"ok", content_type="text/plain")


@never_cache
def health(request):
    checks = _checks()
    failed = any(check["status"] == "fail" for check in checks.values())
    status = "fail" if failed else ("warn" if any(c["status"] == "warn" for c in checks.values()) else "ok")
    return JsonResponse({"status": status, "checks": checks}, status=503 if failed else 200)


class PlatformCollector:
    """Gauges read from the database at scrape time: the same for every worker, so not summed."""

    def collect(self):
        outbox = backlog()
        oldest = outbox["oldest_pending_at"]
        yield _gauge("jianguan_outbox_pending_records", "Records waiting for the national system", outbox["pending"])
        yield _gauge(
            "jianguan_outbox_oldest_wait_seconds",
            "How long the oldest waiting record has waited",
            (timezone.now() - oldest).total_seconds() if oldest else 0,
        )
        yield _gauge("jianguan_queue_pending_tasks", "Tasks waiting in the queue", _queue_depth())
        rows = ImportBatch.objects.aggregate(n=Sum("received"))["n"] or 0
        counter = CounterMetricFamily("jianguan_ingest_rows", "Rows received by every import and intake")
        counter.add_metric([], rows)
        yield counter
        running = GaugeMetricFamily("jianguan_import_batches", "Import batches by status", labels=["status"])
        for status in (ImportStatus.RUNNING, ImportStatus.INTERRUPTED):
            running.add_metric([status], ImportBatch.objects.filter(status=status).count())
        yield running
        head = AuditHead.objects.aggregate(seq=Max("seq"))["seq"] or 0
        yield _gauge("jianguan_audit_events", "Events in the audit chain", head)
        unsealed = AuditEvent.objects.filter(seq__isnull=True).count()
        yield _gauge("jianguan_audit_unsealed_events", "Events written but not yet chained", unsealed)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, documentation)
    gauge.add_metric([], value)
    return gauge


def _allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_FROM)


@never_cache
def metrics(request):
    if not _allowed(request.META.get("REMOTE_ADDR", "")):
        return HttpResponseForbidden("metrics are served to the monitoring hosts only")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(PlatformCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class RequestMetricsMiddleware:
    """Counts and times every request by view name (never by raw path: ids would explode the series)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match.url_name or "") if match else "unmatched"
        REQUESTS.labels(request.method, view[:80], str(response.status_code)).inc()
        LATENCY.labels(view[:80]).observe(time.perf_counter() - started)
        return response
