"""Readings over MQTT through a real Mosquitto broker: a published reading is stored once, a
subscriber restart loses nothing the broker kept (QoS 1, persistent session), and a message that
is not JSON is kept as a refused reading."""

import getpass
import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

pytestmark = pytest.mark.django_db

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_mosquitto(directory, port: int) -> subprocess.Popen:
    """Mosquitto on `port`, persisting its sessions in `directory` (restarted there, it has them back)."""
    if not os.path.exists(MOSQUITTO):
        pytest.fail("mosquitto not found: install Debian's mosquitto package")
    # Started as root, mosquitto drops to the user named here: this one, so that it may write its
    # database under pytest's private directory (as its own user it could not, and kept no session).
    config = directory / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {directory}/\n"
        f"user {getpass.getuser()}\n"
    )
    process = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("mosquitto did not start")


@pytest.fixture
def broker(tmp_path):
    port = free_port()
    process = start_mosquitto(tmp_path, port)
    yield f"mqtt://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def publish(broker: str, topic: str, payloads: list[bytes]) -> None:
    import paho.mqtt.client as mqtt

    port = int(broker.rsplit(":", 1)[1])
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-publisher")
    client.connect("127.0.0.1", port)
    client.loop_start()
    for payload in payloads:
        client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
    client.loop_stop()
    client.disconnect()


def subscriber(broker, monitor):
    from jianguan.monitoring.mqtt import Subscriber

    return Subscriber(broker, ["jianguan/readings/#"], monitor.source, client_id="test-subscriber", linger=0.05)


def test_a_published_reading_is_stored_once(broker, monitor):
    from jianguan.monitoring.models import Delivery, Reading

    m = monitor
    first = subscriber(broker, m)
    first.run(idle=0.5)  # the session and its subscription exist from here on
    payloads = [json.dumps(m.reading(m.cold, t, 4.0)).encode() for t in (0, 1, 2)]
    publish(broker, "jianguan/readings/cold", [*payloads, payloads[0]])
    counts = subscriber(broker, m).run(messages=4, idle=10)
    assert (counts.messages, counts.accepted, counts.duplicates) == (4, 3, 1)
    assert Reading.objects.filter(device=m.cold).count() == 3
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"mqtt"}


def test_what_the_broker_kept_while_the_subscriber_was_down_arrives_after_restart(broker, monitor):
    from jianguan.monitoring.models import Reading

    m = monitor
    subscriber(broker, m).run(idle=0.5)
    publish(broker, "jianguan/readings/gas", [json.dumps([m.reading(m.gas, t, 1.0) for t in range(5)]).encode()])
    counts = subscriber(broker, m).run(messages=1, idle=10)
    assert counts.accepted == 5 and Reading.objects.filter(device=m.gas).count() == 5
    # Acknowledged once stored: a third start receives nothing again.
    again = subscriber(broker, m).run(idle=1.0)
    assert again.messages == 0


def test_a_message_that_is_not_json_is_kept_with_its_reason(broker, monitor):
    from jianguan.monitoring.models import BadReading

    m = monitor
    subscriber(broker, m).run(idle=0.5)
    publish(broker, "jianguan/readings/x", [b"\xff\xfe not json", json.dumps({"device": "CC-001"}).encode()])
    counts = subscriber(broker, m).run(messages=2, idle=10)
    assert (counts.submitted, counts.rejected) == (2, 2)
    assert sorted(BadReading.objects.values_list("reason", flat=True)) == ["malformed", "malformed"]


def test_readings_published_while_it_runs_arrive_and_it_reconnects_when_the_broker_restarts(tmp_path, monitor):
    from jianguan.monitoring.models import Reading

    m = monitor
    port = free_port()
    url = f"mqtt://127.0.0.1:{port}"
    brokers = [start_mosquitto(tmp_path, port)]
    subscriber(url, m).run(idle=0.5)
    readings = [json.dumps(m.reading(m.cold, t, 4.0)).encode() for t in range(5)]

    saved = []

    def meanwhile():
        time.sleep(0.5)
        publish(url, "jianguan/readings/cold", readings[:3])
        time.sleep(1.5)  # stored and acknowledged before the broker goes away
        brokers[0].terminate()
        brokers[0].wait(timeout=10)
        saved.append((tmp_path / "mosquitto.db").exists())  # the session kept across the restart
        time.sleep(1.0)
        brokers.append(start_mosquitto(tmp_path, port))
        publish(url, "jianguan/readings/cold", readings[3:])  # perhaps before the subscriber is back

    thread = threading.Thread(target=meanwhile)
    thread.start()
    try:
        counts = subscriber(url, m).run(messages=5, idle=20)
    finally:
        thread.join(timeout=30)
        brokers[-1].terminate()
        brokers[-1].wait(timeout=10)
    assert saved == [True]
    assert (counts.messages, counts.accepted, counts.duplicates) == (5, 5, 0)
    assert Reading.objects.filter(device=m.cold).count() == 5
