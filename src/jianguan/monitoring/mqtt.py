"""The MQTT subscriber: readings published by a source system's devices, taken from a broker with
QoS 1 in a persistent session, so that what the broker kept while the subscriber was down arrives
after it restarts. A message is acknowledged only once the delivery holding it is committed; a
message that is not JSON is kept as a refused reading like any other, never dropped."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.db import DatabaseError

from jianguan.core.bulk import gc_paused
from jianguan.exchange.models import SourceSystem
from jianguan.monitoring import services
from jianguan.monitoring.choices import Channel

log = logging.getLogger(__name__)

MAX_PAYLOAD = 1_000_000


@dataclass
class Counts:
    messages: int = 0
    submitted: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    deliveries: list[int] = field(default_factory=list)


def readings_of(payload: bytes) -> list[Any]:
    """The readings one message carries: a JSON object or array; anything else is one refused item."""
    if len(payload) > MAX_PAYLOAD:
        return [{"refused": "payload too large", "bytes": len(payload)}]
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return [payload[:2000].decode("utf-8", "replace")]
    return data if isinstance(data, list) else [data]


class Subscriber:
    """`run()` takes messages until `stop` is set (or, for tests and drills, until `messages` were
    handled or nothing came for `idle` seconds), committing one delivery per batch.

    The network is driven from the thread that stores the readings, not from paho's own thread:
    with two threads, every acknowledgement and every database round trip handed the interpreter
    lock to the other thread and back, and the subscriber took a fifth of the messages a plain one
    does. While a delivery is being stored nothing is read; the broker keeps what comes meanwhile."""

    def __init__(
        self,
        broker: str,
        topics: list[str],
        source: SourceSystem,
        *,
        client_id: str = "",
        username: str = "",
        password: str = "",
        batch: int = 5000,
        linger: float = 0.2,
    ):
        import paho.mqtt.client as mqtt

        address = urlsplit(broker if "://" in broker else f"mqtt://{broker}")
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 1883
        self.topics, self.source, self.batch, self.linger = topics, source, batch, linger
        self.inbox: list = []
        self.connected = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id or f"jianguan-monitoring-{source.name}",
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        if username:
            self.client.username_pw_set(username, password)
        self.client.manual_ack_set(True)
        self.client.on_connect = self._connected
        self.client.on_message = lambda _client, _userdata, message: self.inbox.append(message)

    def _connected(self, client, _userdata, _flags, reason_code, _properties):
        if reason_code.is_failure:
            log.error("MQTT broker refused the connection: %s", reason_code)
            return
        client.subscribe([(topic, 1) for topic in self.topics])
        self.connected.set()

    def run(
        self, stop: threading.Event | None = None, *, messages: int | None = None, idle: float | None = None
    ) -> Counts:
        stop = stop or threading.Event()
        counts = Counts()
        self.client.connect(self.host, self.port, keepalive=30)
        last = time.monotonic()
        try:
            while not stop.is_set():
                with gc_paused():  # thousands of messages held at once: see services.receive
                    held = self._take()
                    if held:
                        self._handle(held, counts)
                if not held:
                    if idle is not None and time.monotonic() - last > idle:
                        break
                    continue
                last = time.monotonic()
                if messages is not None and counts.messages >= messages:
                    break
        finally:
            self.client.disconnect()
        return counts

    def _network(self, timeout: float) -> None:
        """Read and write for up to `timeout` seconds (keep-alives included); reconnect if the link is lost."""
        import paho.mqtt.client as mqtt

        if self.client.loop(timeout=max(0.0, timeout)) == mqtt.MQTT_ERR_SUCCESS:
            return
        log.warning("MQTT connection lost; reconnecting")
        time.sleep(min(1.0, max(timeout, 0.1)))
        try:
            self.client.reconnect()  # the persistent session: the broker resends what was not acknowledged
        except OSError:
            log.exception("MQTT broker unreachable")

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._network(min(left, 1.0))

    def _take(self) -> list:
        deadline = time.monotonic() + self.linger
        while not self.inbox and (left := deadline - time.monotonic()) > 0:
            self._network(left)
        if not self.inbox:
            return []
        deadline = time.monotonic() + self.linger
        while len(self.inbox) < self.batch and (left := deadline - time.monotonic()) > 0:
            self._network(left)
        held, self.inbox = self.inbox[: self.batch], self.inbox[self.batch :]
        return held

    def _handle(self, held: list, counts: Counts) -> None:
        items = [reading for message in held for reading in readings_of(message.payload)]
        while True:
            try:
                outcome = services.receive(self.source, items, channel=Channel.MQTT)
                break
            except DatabaseError:  # the database away: keep the messages unacknowledged and try again
                log.exception("readings from MQTT not stored; retrying in 5 s")
                self._wait(5)
        for message in held:
            self.client.ack(message.mid, message.qos)
        delivery = outcome.delivery
        counts.messages += len(held)
        counts.submitted += delivery.submitted
        counts.accepted += delivery.accepted
        counts.duplicates += delivery.duplicates
        counts.rejected += delivery.rejected
        counts.deliveries.append(delivery.pk)
