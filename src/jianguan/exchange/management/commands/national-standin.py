"""`jianguan national-standin [--host H] [--port P] [--db FILE] [--fail-next N]`.

Runs the stand-in receiver of the national push format (see jianguan.exchange.standin). It is a
stand-in for tests and demos, not the national system. Point JIANGUAN_NATIONAL_URL at its /push.
"""

from django.core.management.base import BaseCommand

from jianguan.exchange.standin import serve


class Command(BaseCommand):
    help = "Run a stand-in receiver for the national system's push format (tests and demos only)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--db", default="var/national-standin.sqlite3")
        parser.add_argument("--fail-next", type=int, default=0, help="answer 503 to the first N pushes")

    def handle(self, *args, host, port, db, fail_next, **options):
        server = serve(host, port, db, fail_next)
        self.stdout.write(f"national stand-in listening on {server.url} (store: {db}); Ctrl-C to stop")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
