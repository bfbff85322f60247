"""When a reminder of a promise's or an instalment's due date is sent, and what names it.

A reminder is sent ``days_before`` days before the due date (the client's terms; 0: never). A day
the daily run did not happen is made up on the next run, up to the day before the due date (a
reminder on the day itself, or after, would only confuse). An arrangement made on or after its
reminder day gets none: the debtor has just agreed the date. Each reminder has one key, so it is
queued once however often the run is repeated.
"""

from __future__ import annotations

from datetime import date, timedelta


def reminder_due(*, due_on: date, days_before: int, made_on: date, today: date) -> bool:
    """True when the reminder of a due date is to be queued ``today`` (once: see its key)."""
    if days_before <= 0:
        return False
    reminder_day = due_on - timedelta(days=days_before)
    return made_on < reminder_day <= today < due_on


def promise_reminder_key(promise_id: int, due_on: date) -> str:
    """The outbox cause of a promise's reminder (the due date in it: a new date, a new reminder)."""
    return f"reminder:promise:{promise_id}:{due_on.isoformat()}"


def instalment_reminder_key(instalment_id: int, due_on: date) -> str:
    return f"reminder:instalment:{instalment_id}:{due_on.isoformat()}"
