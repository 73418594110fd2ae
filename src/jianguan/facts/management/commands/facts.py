"""`jianguan facts status`, `jianguan facts deliver [SUBSCRIBER ...]`, `jianguan facts replay SUBSCRIBER --from N`.

status prints each subscriber's cursor, backlog (facts of its kinds not yet handled), lag (age of
the oldest of them) and its last error; deliver hands out what is waiting now (what the sweeper
does every minute); replay moves a subscriber's cursor so that it receives fact N onwards again
(handlers are idempotent), or, with N past a fact that keeps failing, skips it.
"""

from django.core.management.base import BaseCommand, CommandError

from jianguan.facts import services


class Command(BaseCommand):
    help = "The facts channel: status, deliver, replay."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "deliver", "replay"])
        parser.add_argument("subscribers", nargs="*", help="subscriber names (deliver, replay)")
        parser.add_argument("--from", dest="from_seq", type=int, help="replay: the first fact number to receive")

    def handle(self, *args, action, subscribers, from_seq=None, **options):
        unknown = [key for key in subscribers if key not in services.SUBSCRIBERS]
        if unknown:
            raise CommandError(
                f"unknown subscriber {', '.join(unknown)}; known: {', '.join(sorted(services.SUBSCRIBERS))}"
            )
        if action == "deliver":
            for key, count in services.deliver(subscribers or None).items():
                self.stdout.write(f"{key}: {count} facts handled")
            return
        if action == "replay":
            if len(subscribers) != 1 or from_seq is None or from_seq < 1:
                raise CommandError("replay takes one subscriber and --from N (a fact number, 1 or more)")
            row = services.replay(subscribers[0], from_seq, actor="cli")
            self.stdout.write(f"{row.key}: cursor at {row.cursor}; delivering")
            self.stdout.write(f"{row.key}: {services.deliver([row.key])[row.key]} facts handled")
            return
        state = services.status()
        self.stdout.write(f"facts numbered: {state.head}; committed, not yet numbered: {state.unnumbered}")
        for name, count in state.by_name.items():
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write(f"{'subscriber':<32} {'cursor':>8} {'backlog':>8} {'lag s':>8} {'handled':>9}  error")
        for sub in state.subscribers:
            error = (
                f"fact {sub.failing_seq}, attempt {sub.attempts}: {sub.last_error.strip().splitlines()[-1]}"
                if sub.failing_seq
                else ""
            )
            self.stdout.write(
                f"{sub.key:<32} {sub.cursor:>8} {sub.backlog:>8} {sub.lag_seconds:>8.0f} {sub.delivered:>9}  {error}"
            )
