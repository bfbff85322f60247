"""`solvent outbox_kick`: enqueue dispatch tasks. Run it every minute (cron or a systemd timer).

Messages are dispatched by tasks enqueued when they are queued; the kick covers the rest: retries
whose backoff has elapsed, messages rescheduled to a lawful hour, and leases left behind by a worker
that was killed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from solvent.contact.tasks import outbox_dispatch_task


class Command(BaseCommand):
    help = "Enqueue outbox dispatch tasks (one per worker you want busy)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--tasks", type=int, default=1)

    def handle(self, *args: Any, tasks: int, **options: Any) -> None:
        for _ in range(tasks):
            outbox_dispatch_task.enqueue()
        self.stdout.write(f"enqueued {tasks} outbox dispatch task(s)")
