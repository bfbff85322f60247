"""Background work of the payments app (thin: take ids or a day, be idempotent, call one service)."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from solvent.payments.services.evaluation import arrangements_evaluate_day


@task(queue_name="default")
def arrangements_evaluate_task(day: str) -> dict[str, object]:
    """The daily run of promises and plans for ``day`` (YYYY-MM-DD); a second run changes
    nothing. Returns the run's figures."""
    return arrangements_evaluate_day(today=date.fromisoformat(day)).as_dict()
