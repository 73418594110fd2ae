"""What operators watch: /health and /metrics."""

import datetime as dt

from django.test import Client
from django.utils import timezone


def test_health_reports_the_database_the_queue_and_the_outbox(db, settings):
    body = Client().get("/health")
    assert body.status_code == 200
    checks = body.json()["checks"]
    assert body.json()["status"] == "ok"
    assert checks["database"]["status"] == "ok" and checks["queue"]["status"] == "ok"
    assert checks["outbox"] == {"status": "ok", "pending": 0, "oldest_wait_seconds": 0, "last_error": ""}


def test_liveness_answers_without_the_database():
    response = Client().get("/health/live")
    assert response.status_code == 200 and response.content == b"ok"


def test_a_late_outbox_makes_health_warn(db, settings, province):
    from jianguan.exchange.models import OutboxBatch
    from jianguan.exchange.services import register_source

    source, _token = register_source("late", "迟滞系统", province.jn_market)
    old = timezone.now() - dt.timedelta(minutes=settings.OUTBOX_WARN_MINUTES + 5)
    OutboxBatch.objects.create(
        cd_batch="2026120600001", source=source, entries=[[1, "i"]], size=1, next_attempt_at=old, created_at=old
    )
    body = Client().get("/health").json()
    assert body["status"] == "warn" and body["checks"]["outbox"]["pending"] == 1
    assert body["checks"]["outbox"]["oldest_wait_seconds"] >= settings.OUTBOX_WARN_MINUTES * 60


def test_metrics_count_requests_and_read_the_platform_and_are_for_monitoring_hosts_only(db, settings):
    client = Client()
    client.get("/health")
    text = client.get("/metrics").content.decode()
    assert 'jianguan_http_requests_total{method="GET",status="200",view="health"}' in text
    for name in ("jianguan_outbox_pending_records", "jianguan_queue_pending_tasks", "jianguan_ingest_rows_total"):
        assert name in text
    from jianguan.audit.services import record_event

    record_event("tester", "test.write", "thing", 1)  # inside the test's transaction: not yet sealed
    assert "jianguan_audit_unsealed_events 1.0" in client.get("/metrics").content.decode()
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    settings.METRICS_FROM = ["10.0.0.0/8"]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
