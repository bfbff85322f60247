"""Background work of the strategy app (thin: take ids, be idempotent, call one service)."""

from __future__ import annotations

from django_tasks import task

from solvent.core import clock
from solvent.strategy.services.work_queues import work_items_refresh


@task(queue_name="default")
def work_queues_refresh_task() -> int:
    """Derive and close work items (idempotent: a second run finds nothing). Returns the changes."""
    return work_items_refresh(now=clock.now()).changed


@task(queue_name="default")
def plan_client_task(day: str, client_code: str) -> int:
    """Plan one client's day (idempotent: a client already planned is left alone). Returns the
    number of actions planned, 0 when it was planned before."""
    from datetime import date

    from solvent.strategy.services.plan import plan_run

    summary = plan_run(day=date.fromisoformat(day), client_codes=[client_code])
    return int(summary.figures.get(client_code, {}).get("planned", 0))
