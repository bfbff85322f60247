"""`solvent work_queues_refresh`: derive the teams' work items from the records, close the resolved.

Broken promises, disputes waiting for verification, hardship cases and accounts whose client's file
opened a hold get their item; items whose cause has gone are closed (docs/work-queues.md). Run it
from a timer every few minutes (or enqueue ``work_queues_refresh_task``); it is idempotent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from solvent.core import clock
from solvent.strategy.services.work_queues import work_items_refresh


class Command(BaseCommand):
    help = "Make the work items the records call for and close those whose cause has gone."

    def handle(self, *args: Any, **options: Any) -> None:
        figures = work_items_refresh(now=clock.now())
        self.stdout.write(
            f"work queues refreshed: {figures.created} created, {figures.done} done, "
            f"{figures.cancelled} cancelled, {figures.reordered} reordered"
        )
