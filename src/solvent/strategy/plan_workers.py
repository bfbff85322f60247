"""The daily plan's worker processes (``services.plan.plan_run(workers=N)``): their entry points
live here, apart from the services, because a spawned process imports this module before Django
is set up (a module defining or importing models cannot be imported then)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solvent.strategy.services.plan import PlanSummary


def worker_start(database: dict[str, Any]) -> None:
    """Set Django up in a worker, connected to the parent's database (a test run's too)."""
    import django
    from django.conf import settings

    settings.DATABASES = {"default": database}
    django.setup()


def plan_one(job: tuple[date, str, datetime | None, int | None]) -> PlanSummary:
    """Plan one client's day in this worker (``job``: day, client code, now, actor)."""
    from django.db import connections

    from solvent.strategy.services.plan import plan_client_serial

    day, code, now, actor_id = job
    try:
        return plan_client_serial(day=day, code=code, now=now, actor_id=actor_id)
    finally:
        connections.close_all()
