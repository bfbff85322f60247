"""Background work of the strategy app (thin: take ids, be idempotent, call one service)."""

from __future__ import annotations

from django_tasks import task

from solvent.core import clock
from solvent.strategy.services.work_queues import work_items_refresh


@task(queue_name="default")
def work_queues_refresh_task() -> int:
    """Derive and close work items (idempotent: a second run finds nothing). Returns the changes."""
    return work_items_refresh(now=clock.now()).changed
