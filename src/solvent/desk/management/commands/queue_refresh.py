"""`solvent queue_refresh`: bring the work queue's entries up to date (ADR 0025).

The desk refreshes the queue itself at most once a minute, incrementally. Run this after a large
import (the first run after a million accounts arrive creates their entries in one go) or from a
timer; a full run also finds accounts whose import committed out of id order.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from solvent.desk.services_queue import queue_refresh


class Command(BaseCommand):
    help = "Create the work queue's entries for new accounts and move touched ones back."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = queue_refresh()
        self.stdout.write(f"queue refreshed: {changed} entries created or moved")
