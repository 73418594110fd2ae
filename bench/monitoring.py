"""Benchmark: monitoring readings in, over HTTP, through `services.receive` and over MQTT, against
bare baselines measured in the same run.

The stream: a few hundred devices of the three reading kinds (cold-chain loggers in ℃, gas sensors
in %LEL, effluent COD monitors in mg/L), each reporting once a minute, in time order, cut into
batches (5,000 readings by default). About 1 % of the readings are sent again (duplicates), 0.5 %
are refused (wrong unit, unknown device, out of range), and a few devices cross their rules (cold
rooms warming above 8 and 15 ℃, a gas leak, COD rising fast), so clues are opened and merged.

Measurements, each in its own worker process with its own database, so its peak RSS is its own:
- `receive`: each batch parsed from its JSON and given to `services.receive` (rules evaluated,
  clues opened and their facts queued for the consumer, as deployed);
- `receive-small`: the same on a quarter of the stream (memory must stay flat);
- `http`: each batch POSTed to /api/v1/monitoring/readings through Django's test client (the
  whole API path: token, rate check, body parsing, the service, the JSON answer), no socket;
- `bare`: the same batches parsed from the same JSON, the device codes and times converted, and the
  rows COPYed (executemany on SQLite) into a plain table with the reading table's columns;
- `keyed` (for reference, not the issue's baseline): the bare load's rows written as an idempotent
  path must write them, into the reading table under its key (device, time), repeats skipped: COPY
  into a temporary table, then INSERT … ON CONFLICT DO NOTHING (executemany on SQLite). No check,
  aggregate or rule: what any path keeping the issue's idempotency pays before doing anything else;
- `mqtt`: one reading per message, published at QoS 1 to a Mosquitto started for the run while
  the subscriber is away (the broker keeps them in the persistent session); then the time to
  drain them, first by a plain paho subscriber that only counts (the broker's own throughput to
  one client), then by `mqtt.Subscriber` into the database.

Run:
  .venv/bin/python bench/monitoring.py [--readings 200000] [--messages 50000] [--database sqlite|postgresql|both]
PostgreSQL: JIANGUAN_BENCH_PG_URL=postgres://user@host:port/postgres (a database per run is created
and dropped there).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from common import peak_rss_mib, pg_database, setup_django  # noqa: E402

KINDS = (("cold_chain", "temperature", "℃"), ("gas", "ch4_lel", "%LEL"), ("env_sensor", "cod", "mg/L"))
READING_COLUMNS = ("device_id", "measured_at", "value", "reading_id", "received_at")

# ---------------------------------------------------------------- the stream


def _reference_data(devices: int):
    """A district market department and a city environment bureau, one source system, `devices` points."""
    from jianguan.core.codes import uscc_with_check
    from jianguan.core.models import Region
    from jianguan.exchange.services import register_source
    from jianguan.monitoring.services import register_device
    from jianguan.platform.services import create_department, ensure_sector

    market = create_department(
        name="济南市历下区市场监督管理局",
        region=Region.objects.get(code="370102"),
        sector=ensure_sector("scjg", "市场监管"),
        uscc=uscc_with_check("11370102MB0000001"),
    )
    environment = create_department(
        name="济南市生态环境局",
        region=Region.objects.get(code="370100"),
        sector=ensure_sector("sthj", "生态环境"),
        uscc=uscc_with_check("11370100MB0000002"),
    )
    source, token = register_source(
        "bench-iot", "物联网平台", market, requests_per_minute=100_000, max_bytes=50_000_000
    )
    points = []
    for n in range(devices):
        kind, quantity, unit = KINDS[n % 3]
        device = register_device(
            code=f"{kind[:3].upper()}-{n:05d}",
            source=source,
            kind=kind,
            name=f"监测点{n}",
            department=environment if kind == "env_sensor" else market,
            region="370102",
            quantity=quantity,
        )
        points.append((device.code, device.pk, kind, unit))
    return source, token, points


def _value(rng: random.Random, n: int, kind: str, minute: int) -> float:
    """A plausible reading; device `n` crosses its rules now and then (one device in 25)."""
    troubled = n % 25 == 0 and (minute // 60) % 4 == 1  # one hour in four
    if kind == "cold_chain":
        if troubled:
            return round(9.0 + (minute % 60) / 6 + rng.random(), 2)  # above 8, then above 15
        return round(3.0 + rng.random() * 3, 2)
    if kind == "gas":
        return round(22.0 + rng.random() * 5, 2) if troubled and minute % 10 == 0 else round(rng.random() * 3, 2)
    if troubled and minute % 15 == 0:
        return round(400 + rng.random() * 50, 1)  # a surge
    return round(40 + rng.random() * 20, 1)


def stream(points, readings: int, batch: int, start) -> list[bytes]:
    """The readings as JSON batches, in time order, with duplicates and refused readings mixed in."""
    import datetime as dt

    import orjson

    rng = random.Random(15)
    batches, current, sent = [], [], []
    total = 0
    minute = 0
    while total < readings:
        when = start + dt.timedelta(minutes=minute)
        for n, (code, _pk, kind, unit) in enumerate(points):
            if total >= readings:
                break
            reading = {
                "device": code,
                "time": (when + dt.timedelta(seconds=n % 60)).isoformat(),
                "value": _value(rng, n, kind, minute),
                "unit": unit,
                "id": f"{code}-{minute}",
            }
            roll = rng.random()
            if roll < 0.01 and sent:
                reading = sent[rng.randrange(len(sent))]  # sent again
            elif roll < 0.012:
                reading = {**reading, "unit": "°F"}
            elif roll < 0.014:
                reading = {**reading, "device": f"UNKNOWN-{n}"}
            elif roll < 0.015:
                reading = {**reading, "value": 1e9}
            current.append(reading)
            sent = sent[-2000:] + [reading] if len(sent) > 4000 else [*sent, reading]
            total += 1
            if len(current) == batch:
                batches.append(orjson.dumps(current))
                current = []
        minute += 1
    if current:
        batches.append(orjson.dumps(current))
    return batches


# ---------------------------------------------------------------- the measured paths


def bare_load(batches: list[bytes], points) -> int:
    """The same batches parsed and COPYed into a plain table of the reading table's columns."""
    import datetime as dt

    import orjson
    from django.db import connection, transaction
    from django.utils import timezone

    from jianguan.core.bulk import bulk_insert

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_bare (device_id bigint, measured_at timestamptz, value double precision, "
            "reading_id varchar(64), received_at timestamptz)"
        )
    ids = {code: pk for code, pk, _kind, _unit in points}
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for body in batches:
            rows = [
                (
                    ids.get(r["device"], 0),
                    dt.datetime.fromisoformat(r["time"]).astimezone(dt.UTC),
                    float(r["value"]),
                    r["id"],
                    now,
                )
                for r in orjson.loads(body)
            ]
            count += bulk_insert("bench_bare", READING_COLUMNS, rows, binary=connection.vendor == "postgresql")
    return count


def keyed_load(batches: list[bytes], points) -> int:
    """The bare load's rows into the reading table itself, repeats skipped by its key."""
    import datetime as dt

    import orjson
    from django.db import connection, transaction
    from django.utils import timezone

    from jianguan.monitoring.services import _driver_cursor, _months, ensure_partitions

    ids = {code: pk for code, pk, _kind, _unit in points}
    now = timezone.now()
    insert = (
        "INSERT INTO monitoring_reading (device_id, measured_at, value, reading_id, received_at) {rows} "
        "ON CONFLICT DO NOTHING"
    )
    count = 0
    with transaction.atomic():
        for body in batches:
            rows = [
                (
                    ids.get(r["device"], 0),
                    dt.datetime.fromisoformat(r["time"]).astimezone(dt.UTC),
                    float(r["value"]),
                    r["id"],
                )
                for r in orjson.loads(body)
            ]
            if connection.vendor != "postgresql":
                adapt = connection.ops.adapt_datetimefield_value
                with connection.cursor() as cursor:
                    cursor.executemany(
                        insert.format(rows="VALUES (%s, %s, %s, %s, %s)"),
                        [(d, adapt(m), v, i, adapt(now)) for d, m, v, i in rows],
                    )
                count += len(rows)
                continue
            ensure_partitions(_months(rows))
            with _driver_cursor() as cursor:
                cursor.execute(
                    "CREATE TEMPORARY TABLE IF NOT EXISTS bench_keyed_in (device_id int8, measured_at timestamptz, "
                    "value float8, reading_id text) ON COMMIT DELETE ROWS"
                )
                with cursor.copy("COPY bench_keyed_in FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(["int8", "timestamptz", "float8", "text"])
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(insert.format(rows="SELECT *, %s FROM bench_keyed_in"), [now])
                cursor.execute("TRUNCATE bench_keyed_in")
            count += len(rows)
    return count


def through_receive(source, batches: list[bytes]) -> dict:
    import orjson

    from jianguan.monitoring import services
    from jianguan.monitoring.choices import Channel

    totals = {"accepted": 0, "duplicates": 0, "rejected": 0, "clues": set()}
    for body in batches:
        outcome = services.receive(source, orjson.loads(body), channel=Channel.HTTP)
        totals["accepted"] += outcome.delivery.accepted
        totals["duplicates"] += outcome.delivery.duplicates
        totals["rejected"] += outcome.delivery.rejected
        totals["clues"].update(c.pk for c in outcome.clues)
    return totals


def through_http(token: str, batches: list[bytes]) -> dict:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    totals = {"accepted": 0, "duplicates": 0, "rejected": 0, "clues": set()}
    for body in batches:
        response = client.post("/api/v1/monitoring/readings", body, content_type="application/json")
        assert response.status_code == 200, response.content[:500]
        answer = response.json()
        totals["accepted"] += answer["accepted"]
        totals["duplicates"] += answer["duplicates"]
        totals["rejected"] += answer["rejected"]
        totals["clues"].update(answer["clues"])
    return totals


# ---------------------------------------------------------------- MQTT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(directory: Path) -> tuple[subprocess.Popen, int]:
    """A Mosquitto of its own, as the tests start it; it may keep any number of queued messages."""
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = _free_port()
    directory.chmod(0o777)
    config = directory / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 0\nmax_queued_bytes 0\n"
    )
    process = subprocess.Popen([mosquitto, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("mosquitto did not start")


def _client(client_id: str, clean: bool):
    import paho.mqtt.client as mqtt

    return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean)


def _register_session(port: int, client_id: str) -> None:
    """Connect once with a persistent session and subscribe, so the broker keeps what comes next."""
    done = threading.Event()
    client = _client(client_id, False)
    client.on_subscribe = lambda *_args: done.set()
    client.on_connect = lambda c, *_args: c.subscribe("bench/readings/#", qos=1)
    client.connect("127.0.0.1", port)
    client.loop_start()
    assert done.wait(10), "no subscription"
    client.loop_stop()
    client.disconnect()


def publish_all(port: int, payloads: list[bytes]) -> float:
    """Publish at QoS 1 as fast as the broker takes them; the seconds it took."""
    client = _client("bench-publisher", True)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    started = time.perf_counter()
    sent = [client.publish(f"bench/readings/{n % 7}", payload, qos=1) for n, payload in enumerate(payloads)]
    for info in sent:
        info.wait_for_publish(timeout=60)
    elapsed = time.perf_counter() - started
    client.loop_stop()
    client.disconnect()
    return elapsed


def plain_drain(port: int, client_id: str, expected: int) -> float:
    """A plain paho subscriber taking the kept messages and only counting them; the seconds."""
    done = threading.Event()
    got = [0]

    def on_message(_client, _userdata, _message):
        got[0] += 1
        if got[0] >= expected:
            done.set()

    client = _client(client_id, False)
    client.on_message = on_message
    client.on_connect = lambda c, *_args: c.subscribe("bench/readings/#", qos=1)
    started = time.perf_counter()
    client.connect("127.0.0.1", port)
    client.loop_start()
    assert done.wait(600), f"plain subscriber got {got[0]} of {expected}"
    elapsed = time.perf_counter() - started
    client.unsubscribe("bench/readings/#")  # the broker need not keep the second round for it
    time.sleep(0.2)
    client.loop_stop()
    client.disconnect()
    return elapsed


def mqtt_end_to_end(source, points, messages: int, var_dir: str, start) -> dict:
    import orjson

    from jianguan.monitoring.models import Reading
    from jianguan.monitoring.mqtt import Subscriber

    payloads = [orjson.dumps(r) for body in stream(points, messages, 10_000, start) for r in orjson.loads(body)]
    directory = Path(tempfile.mkdtemp(prefix="mosquitto-", dir=var_dir))
    broker, port = start_broker(directory)
    try:
        _register_session(port, "bench-plain")
        published = publish_all(port, payloads)
        plain = plain_drain(port, "bench-plain", len(payloads))
        subscriber = Subscriber(f"mqtt://127.0.0.1:{port}", ["bench/readings/#"], source, client_id="bench-jianguan")
        subscriber.run(idle=0.5)  # its session and subscription exist from here on
        publish_all(port, payloads)
        subscriber = Subscriber(f"mqtt://127.0.0.1:{port}", ["bench/readings/#"], source, client_id="bench-jianguan")
        started = time.perf_counter()
        counts = subscriber.run(messages=len(payloads), idle=30)
        ours = time.perf_counter() - started
    finally:
        broker.terminate()
        broker.wait(timeout=10)
    assert counts.messages == len(payloads), counts
    return {
        "messages": len(payloads),
        "publish_per_second": round(len(payloads) / published),
        "plain_per_second": round(len(payloads) / plain),
        "subscriber_per_second": round(len(payloads) / ours),
        "subscriber_seconds": round(ours, 2),
        "deliveries": len(counts.deliveries),
        "accepted": counts.accepted,
        "stored": Reading.objects.count(),
    }


# ---------------------------------------------------------------- worker (one measurement)


def worker(args) -> None:
    import datetime as dt

    var_dir = tempfile.mkdtemp(prefix="jianguan-bench-")
    # As deployed (and as bench/ingest.py measures): a new clue's fact is queued, and the consumer
    # runs its subscribers (the alerts) apart from the readings' path; immediate tasks would run
    # the alerts app inside the measured delivery.
    os.environ["JIANGUAN_TASKS_IMMEDIATE"] = "0"
    setup_django(args.database, var_dir, args.pg_url)
    from django.utils import timezone

    source, token, points = _reference_data(args.devices)
    minutes = args.readings // args.devices + 10
    start = (timezone.now() - dt.timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    result = {"database": args.database, "mode": args.mode, "readings": args.readings}
    if args.mode == "mqtt":
        result.update(mqtt_end_to_end(source, points, args.messages, var_dir, start))
        result.update(peak_rss_mib=peak_rss_mib())
        print(json.dumps(result))
        return
    batches = stream(points, args.readings, args.batch, start)
    started = time.perf_counter()
    if args.mode == "bare":
        result["loaded"] = bare_load(batches, points)
    elif args.mode == "keyed":
        result["loaded"] = keyed_load(batches, points)
    else:
        totals = through_http(token, batches) if args.mode == "http" else through_receive(source, batches)
        totals["clues"] = len(totals["clues"])
        result.update(totals)
    elapsed = time.perf_counter() - started
    result.update(seconds=round(elapsed, 2), per_second=round(args.readings / elapsed), peak_rss_mib=peak_rss_mib())
    print(json.dumps(result))


# ---------------------------------------------------------------- driver


def run(database: str, mode: str, args, readings: int) -> dict:
    pg_base = os.environ.get("JIANGUAN_BENCH_PG_URL", "")
    name = f"jianguan_bench_{os.getpid()}_mon_{mode}_{readings}"
    url = pg_database(pg_base, True, name) if database == "postgresql" else ""
    try:
        out = subprocess.run(
            [
                sys.executable,
                str(HERE),
                "--worker",
                "--database",
                database,
                "--mode",
                mode,
                "--readings",
                str(readings),
                "--messages",
                str(args.messages),
                "--devices",
                str(args.devices),
                "--batch",
                str(args.batch),
                "--pg-url",
                url,
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.exit(f"{mode} on {database} failed:\n{out.stderr[-4000:]}")
    finally:
        if database == "postgresql":
            pg_database(pg_base, False, name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readings", type=int, default=200_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--devices", type=int, default=300)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--only", choices=["readings", "mqtt", "all"], default="all")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--mode", choices=["receive", "http", "bare", "keyed", "mqtt"], default="receive")
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in databases and not os.environ.get("JIANGUAN_BENCH_PG_URL"):
        sys.exit("set JIANGUAN_BENCH_PG_URL to a PostgreSQL server URL (its /postgres database) to bench PostgreSQL")
    small = max(args.readings // 4, 1000)
    for database in databases:
        print(f"{database}: {args.devices} devices, batches of {args.batch:,}")
        if args.only in ("readings", "all"):
            receive_small = run(database, "receive", args, small)
            receive = run(database, "receive", args, args.readings)
            http = run(database, "http", args, args.readings)
            bare = run(database, "bare", args, args.readings)
            keyed = run(database, "keyed", args, args.readings)
            load = "COPY" if database == "postgresql" else "executemany"
            print(
                f"  {args.readings:,} readings: {receive['accepted']:,} stored, {receive['duplicates']:,} duplicates, "
                f"{receive['rejected']:,} refused, {receive['clues']:,} clues"
            )
            for label, result in (
                ("services.receive, rules evaluated", receive),
                ("HTTP API (Django test client)", http),
                (f"services.receive, {small:,} readings (memory)", receive_small),
                (f"bare load ({load}) into a plain table", bare),
                ("keyed load (reference: reading table, its key)", keyed),
            ):
                print(
                    f"  {label:<46} {result['per_second']:>9,} readings/s  {result['seconds']:>7} s  "
                    f"peak RSS {result['peak_rss_mib']} MiB"
                )
            print(
                f"  ratio to the bare load: receive {receive['per_second'] / bare['per_second']:.2f}, "
                f"HTTP {http['per_second'] / bare['per_second']:.2f}; "
                f"the keyed load alone {keyed['per_second'] / bare['per_second']:.2f}"
            )
        if args.only in ("mqtt", "all"):
            mqtt = run(database, "mqtt", args, args.readings)
            print(f"  MQTT, {mqtt['messages']:,} messages of one reading at QoS 1 through Mosquitto:")
            print(f"    publisher into the broker                  {mqtt['publish_per_second']:>9,} messages/s")
            print(f"    plain paho subscriber (counting only)      {mqtt['plain_per_second']:>9,} messages/s")
            print(
                f"    mqtt.Subscriber into the database          {mqtt['subscriber_per_second']:>9,} messages/s  "
                f"({mqtt['deliveries']:,} deliveries, {mqtt['accepted']:,} stored)"
            )
            print(f"    ratio subscriber/plain: {mqtt['subscriber_per_second'] / mqtt['plain_per_second']:.2f}")


if __name__ == "__main__":
    main()
