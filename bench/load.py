"""Load on the production server: gunicorn on loopback, over a demo province, at 10 and 50 clients.

Scenarios: the public credit query by name, a staff list (subjects, as the administrator), the
public complaint filing API, the bulk records API (10 records a call, as a source system), and the
liveness endpoint `/health/live` on the same server as the baseline. Each runs for --seconds at
each concurrency; prints throughput, p50/p95/p99 and the ratio of throughput to the baseline's,
and the server's peak memory (sum of the workers' high-water RSS).

Each public request comes from its own address (X-Forwarded-For from a trusted front server), as
citizens do, so that the per-address limits do not turn the benchmark into a test of 429s.

    JIANGUAN_VAR_DIR=var/demo .venv/bin/python bench/load.py [--seconds 10] [--clients 10,50]
    (or JIANGUAN_DATABASE_URL=postgres://… for a demo loaded into PostgreSQL)
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare() -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "smoke.py"), "prepare"], capture_output=True, text=True, check=True
    )
    prepared = json.loads(out.stdout.strip().splitlines()[-1])
    code = (
        "import django,os,json;os.environ.setdefault('DJANGO_SETTINGS_MODULE','jianguan.config.settings');"
        "django.setup();from jianguan.subjects.models import Subject;"
        "from jianguan.exchange.models import SourceSystem as S;"
        f"S.objects.filter(name={prepared['source']!r}).update(requests_per_minute=10**6);"
        "print(json.dumps([n[:4] for n in Subject.objects.order_by('?').values_list('name', flat=True)[:200]]))"
    )
    names = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    prepared["names"] = json.loads(names.strip().splitlines()[-1])
    return prepared


class Scenario:
    def __init__(self, name: str, method: str, path, body=None, headers=None, public: bool = False):
        self.name, self.method, self.path, self.body, self.headers, self.public = (
            name,
            method,
            path,
            body,
            headers or {},
            public,
        )


def scenarios(prepared: dict) -> list[Scenario]:
    names = prepared["names"]
    counter = itertools.count()
    records = prepared["records"]

    def bulk_body():
        n = next(counter)
        batch = [{**records[i % len(records)], "source_id": f"LOAD-{n}-{i}"} for i in range(10)]
        return json.dumps(batch, ensure_ascii=False).encode()

    def complaint_body():
        n = next(counter)
        return json.dumps(
            {
                "content": f"济南市历下区泉城路一家饭店油烟扰民，已持续多日（第{n}次反映）",
                "address": "济南市历下区泉城路",
            },
            ensure_ascii=False,
        ).encode()

    session = {"Cookie": f"sessionid={prepared['session']}"}
    token = {"Authorization": f"Bearer {prepared['token']}", "Content-Type": "application/json"}
    from urllib.parse import quote

    return [
        Scenario("baseline /health/live", "GET", lambda: "/health/live"),
        Scenario(
            "public credit query", "GET", lambda: f"/api/v1/public/credit?q={quote(random.choice(names))}", public=True
        ),
        Scenario("staff list (subjects)", "GET", lambda: "/api/v1/subjects?limit=20", headers=session),
        Scenario(
            "complaint filing API",
            "POST",
            lambda: "/api/v1/public/complaints",
            body=complaint_body,
            headers={"Content-Type": "application/json"},
            public=True,
        ),
        Scenario(
            "bulk records API (10/call)", "POST", lambda: "/api/v1/exchange/records", body=bulk_body, headers=token
        ),
    ]


def run(port: int, scenario: Scenario, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    addresses = itertools.count(1)

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, codes = [], {}
        while time.monotonic() < stop:
            headers = dict(scenario.headers)
            if scenario.public:
                n = next(addresses)
                headers["X-Forwarded-For"] = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
            body = scenario.body() if scenario.body else None
            started = time.perf_counter()
            try:
                connection.request(scenario.method, scenario.path(), body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            mine.append(time.perf_counter() - started)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "rps": len(latencies) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
        "statuses": statuses,
    }


def server_peak_rss(master: int) -> int:
    total = 0
    pids = [master]
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return total * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", default="10,50")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    args = parser.parse_args()
    prepared = prepare()
    port = free_port()
    env = {
        **os.environ,
        "JIANGUAN_TRUSTED_PROXIES": "127.0.0.1",
        "JIANGUAN_BIND": f"127.0.0.1:{port}",
        "JIANGUAN_WEB_WORKERS": str(args.workers),
        "JIANGUAN_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": os.path.join(os.environ.get("TMPDIR", "/tmp"), f"jianguan-load-{port}"),
    }
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--access-logfile", "/dev/null"]
        + ["jianguan.config.wsgi"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/health/live")
                break
            except OSError:
                time.sleep(0.2)
        # Warm every worker up on every scenario (first requests load the classifier, jieba, caches).
        for scenario in scenarios(prepared):
            run(port, scenario, args.workers * 2, 3)
        print(f"gunicorn, {args.workers} workers, loopback; {args.seconds:.0f} s per scenario and concurrency")
        print(
            f"{'scenario':30} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'ratio':>6}  statuses"
        )
        for clients in [int(c) for c in args.clients.split(",")]:
            baseline = None
            for scenario in scenarios(prepared):
                result = run(port, scenario, clients, args.seconds)
                baseline = baseline or result["rps"]
                print(
                    f"{scenario.name:30} {clients:>7} {result['rps']:>8.1f} {result['p50']:>8.1f} {result['p95']:>8.1f} "
                    f"{result['p99']:>8.1f} {result['rps'] / baseline:>6.2f}  {result['statuses']}"
                )
        print(f"server peak memory (sum of high-water RSS): {server_peak_rss(server.pid) / 2**20:.0f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
