"""`jianguan demo [--seed N] [--subjects N]`: generate the demo province into an empty database."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jianguan.core.errors import DomainError
from jianguan.demo.build import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "Generate a deterministic demo Shandong: departments, subjects, officers, catalogue, users."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--subjects", type=int, default=20000)
        parser.add_argument("--actions", type=int, default=80_000, help="supervision actions sent through the gateway")
        parser.add_argument("--complaints", type=int, default=10_000, help="12345 work orders with their histories")

    def step(self, started: float, message: str) -> None:
        # Each step with the time since the start, so that a slow step shows where the time goes;
        # flushed, so that it shows while the demo builds even when the output is a pipe or a file.
        self.stdout.write(f"  {time.perf_counter() - started:6.1f} s  {message}")
        self.stdout.flush()

    def handle(self, *args, seed, subjects, actions, complaints, **options):
        if settings.PRODUCTION:
            raise CommandError("the demo refuses to run in production mode")
        started = time.perf_counter()
        try:
            result = build_demo(
                seed,
                subjects,
                progress=lambda m: self.step(started, m),
                actions=actions,
                complaints=complaints,
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"demo province loaded in {time.perf_counter() - started:.1f} s")
        self.stdout.write(f"demo accounts (password {DEMO_PASSWORD}):")
        for username, role, department in result.accounts:
            self.stdout.write(f"  {username:<15} {role} · {department}")
        live = result.complaints.get("live", [])
        if live:
            self.stdout.write("live 12345 orders (track and rate at /public/complaints/track/):")
            for entry in live:
                self.stdout.write(f"  {entry['number']}  query code {entry['code']}  {entry['state']}")
