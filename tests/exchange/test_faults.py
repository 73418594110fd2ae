"""Faults an operator meets: a database that drops its connections, a killed ingest, a server killed
mid-request. Every submitted row stays accounted for, and the batch can be finished."""

import datetime as dt
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from jianguan.core.models import ImportBatch
from jianguan.exchange.services import close_interrupted, ingest
from jianguan.records.models import Record


def drop_connection(hold: float = 0.4) -> None:
    """What a database restart does to the platform's connection, as each engine allows.

    PostgreSQL: the server ends the session (pg_terminate_backend, as a restart does).
    SQLite (embedded, no server): another connection holds the write lock for `hold` seconds.
    """
    if connection.vendor == "postgresql":
        import psycopg

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return
    other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE core_importbatch SET error = error")

    def release():
        other.rollback()
        other.close()

    threading.Timer(hold, release).start()


TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@TRANSACTIONAL
def test_a_dropped_connection_mid_batch_is_retried_and_nothing_is_lost_or_doubled(
    flushable_audit, setup, inspection, settings
):
    settings.DATABASE_RETRY_DELAYS = (0.6, 1.0, 2.0)
    records = [inspection(f"R{i}") for i in range(1, 31)]
    dropped = []

    def progress(batch):
        if not dropped:
            dropped.append(batch.processed)
            drop_connection()

    batch = ingest(enumerate(records, 1), source=setup.source, channel="cli", chunk_size=5, progress=progress)
    assert dropped == [5]
    assert (batch.status, batch.received, batch.accepted, batch.rejected, batch.duplicates) == (
        "completed",
        30,
        30,
        0,
        0,
    )
    assert Record.objects.count() == 30
    from jianguan.audit.services import verify_chain

    assert verify_chain().ok


class DropsOnFirstProgress:
    """The command's error stream: the first progress line is the moment the database goes away."""

    def __init__(self):
        self.lines = []

    def write(self, text):
        if text.startswith("batch") and not any(line.startswith("batch") for line in self.lines):
            drop_connection(hold=1.5)
        self.lines.append(text)

    def flush(self):
        pass


@TRANSACTIONAL
def test_the_cli_names_the_batch_to_resume_when_the_database_stays_away(
    flushable_audit, setup, inspection, settings, tmp_path
):
    settings.DATABASE_RETRY_DELAYS = ()
    settings.EXCHANGE_CHUNK_SIZE = 4
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(inspection(f"C{i}"), ensure_ascii=False) for i in range(1, 13)))
    with pytest.raises(CommandError) as exc:
        call_command("ingest", str(path), "--source", setup.source.name, stderr=DropsOnFirstProgress())
    time.sleep(1.6)  # the database is back
    batch = ImportBatch.objects.get()
    assert f"--resume {batch.pk}" in str(exc.value)
    assert "数据库连接中断" in str(exc.value) and "connection was lost" in str(exc.value)
    assert (batch.status, batch.processed, batch.received) == ("running", 4, 4)
    call_command("ingest", str(path), "--source", setup.source.name, "--resume", str(batch.pk), "--quiet")
    batch.refresh_from_db()
    assert (batch.status, batch.received, batch.accepted) == ("completed", 12, 12)
    assert Record.objects.count() == 12


class Killed(Exception):
    pass


def test_an_api_batch_whose_server_died_is_closed_as_interrupted_and_resumed_by_sending_it_again(
    setup, inspection, settings
):
    records = [inspection(f"K{i}") for i in range(1, 26)]
    body = json.dumps(records, ensure_ascii=False).encode()
    digest = hashlib.sha256(body).hexdigest()

    def killed_after(n):  # the server process dies while the request is being written
        for number, record in enumerate(records, 1):
            if number > n:
                raise Killed
            yield number, record

    with pytest.raises(Killed):
        ingest(killed_after(12), source=setup.source, channel="api", chunk_size=5, payload_sha256=digest)
    batch = ImportBatch.objects.get()
    assert close_interrupted() == 0  # still within the grace period: it may be alive
    later = timezone.now() + dt.timedelta(minutes=settings.EXCHANGE_STALE_MINUTES + 1)
    assert close_interrupted(later) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.processed, batch.received, batch.accepted) == ("interrupted", 10, 10, 10)
    assert "中断" in batch.error or "Interrupted" in batch.error

    sender = Client(HTTP_AUTHORIZATION=f"Bearer {setup.token}")
    shown = sender.get(f"/api/v1/exchange/batches/{batch.pk}").json()
    assert (shown["status"], shown["received"]) == ("interrupted", 10)

    response = sender.post("/api/v1/exchange/records", body, content_type="application/json")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["batch"], answer["received"], answer["status"]) == (batch.pk, 25, "completed")
    batch.refresh_from_db()
    assert (batch.status, batch.received, batch.accepted, batch.duplicates) == ("completed", 25, 25, 0)
    assert ImportBatch.objects.count() == 1
    assert Record.objects.count() == 25


WORKER_HOST = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.config.settings")
import django
django.setup()
from jianguan.exchange import worker
with worker.preparing(dict) as pool:
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        state = next(line for line in status.read_text().splitlines() if line.startswith("State:"))
    except FileNotFoundError:
        return False
    return " Z " not in state and "zombie" not in state


def test_the_worker_process_ends_when_ingest_is_killed(tmp_path):
    env = {**os.environ, "JIANGUAN_VAR_DIR": str(tmp_path)}
    host = subprocess.Popen([sys.executable, "-c", WORKER_HOST], stdout=subprocess.PIPE, env=env, text=True)
    try:
        worker_pid = int(host.stdout.readline())
        assert worker_pid != host.pid and _alive(worker_pid)
        os.kill(host.pid, signal.SIGKILL)
        host.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker_pid)
    finally:
        host.kill()
