"""Background work of the contact app: drain the outbox (thin; the sender does the work)."""

from __future__ import annotations

from django_tasks import task

from solvent.contact.sender import outbox_dispatch

# A task sends for at most this long, then hands over to a fresh task, so one long drain never
# holds a worker slot (or an RQ job timeout) hostage.
_TIME_BUDGET_SECONDS = 60.0


@task(queue_name="outbox")
def outbox_dispatch_task() -> int:
    report = outbox_dispatch(time_budget=_TIME_BUDGET_SECONDS)
    if report.more_due:
        outbox_dispatch_task.enqueue()
    return report.sent
