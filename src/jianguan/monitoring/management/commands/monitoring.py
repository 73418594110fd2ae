"""`jianguan monitoring mqtt --broker URL --topics T [T ...] --source NAME`: the MQTT subscriber;
`jianguan monitoring silence`: evaluate the silence rules once; `jianguan monitoring partitions
[--ahead N]`: the reading partitions of this month and the next N (run by the owner after migrating)."""

import os
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jianguan.exchange.models import SourceSystem


class Command(BaseCommand):
    help = "Non-site monitoring: the MQTT subscriber and the silence rules."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        mqtt = commands.add_parser("mqtt", help="Take readings from an MQTT broker (QoS 1, persistent session).")
        mqtt.add_argument("--broker", required=True, help="mqtt://host:port")
        mqtt.add_argument("--topics", nargs="+", required=True)
        mqtt.add_argument("--source", required=True, help="the source system the topics' devices belong to")
        mqtt.add_argument("--client-id", default="")
        mqtt.add_argument("--username", default="", help="the password is read from JIANGUAN_MQTT_PASSWORD")
        mqtt.add_argument("--batch", type=int, default=5000)
        mqtt.add_argument("--messages", type=int, default=None, help="stop after this many messages")
        mqtt.add_argument("--idle", type=float, default=None, help="stop after this many seconds without a message")
        commands.add_parser("silence", help="Evaluate the silence rules now.")
        ahead = commands.add_parser(
            "partitions", help="Create this month's reading partition and the next ones (as the database owner)."
        )
        ahead.add_argument("--ahead", type=int, default=3, help="months after this one")

    def handle(self, *args, **options):
        if options["command"] == "silence":
            from jianguan.monitoring.rules import check_silence

            with transaction.atomic():
                found = check_silence()
            self.stdout.write(f"{len(found)} clues for silent devices")
            return
        if options["command"] == "partitions":
            from django.db import connection

            from jianguan.monitoring.services import partitions_ahead

            if connection.vendor != "postgresql":
                self.stdout.write("SQLite keeps one reading table: nothing to do")
                return
            for month, made in partitions_ahead(options["ahead"]):
                state = "ready" if made else "not made: the default partition holds readings of that month"
                self.stdout.write(f"{month:%Y-%m}: {state}")
            return
        from jianguan.monitoring.mqtt import Subscriber

        source = SourceSystem.objects.filter(name=options["source"], is_active=True).first()
        if source is None:
            raise CommandError(f"no active source system named {options['source']}")
        subscriber = Subscriber(
            options["broker"],
            options["topics"],
            source,
            client_id=options["client_id"],
            username=options["username"],
            password=os.environ.get("JIANGUAN_MQTT_PASSWORD", ""),
            batch=options["batch"],
        )
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        counts = subscriber.run(stop, messages=options["messages"], idle=options["idle"])
        self.stdout.write(
            f"{counts.messages} messages, {counts.submitted} readings: {counts.accepted} stored, "
            f"{counts.duplicates} duplicates, {counts.rejected} refused"
        )
