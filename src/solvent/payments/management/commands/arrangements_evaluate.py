"""`solvent arrangements_evaluate [--day D]`: the daily run of promises and plans.

Pending promises and plan instalments whose due date and grace have passed are judged kept, partly
kept or broken from the payments ledger (a broken one goes to the work queue at once), and the
reminders due today are queued in the outbox. Run it each morning before `solvent plan run` (which
runs it too); running it twice changes nothing (docs/payments.md, "Promises and plans").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.core import clock
from solvent.payments.services.evaluation import arrangements_evaluate_day


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--day {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Judge the promises and plan instalments that fell due (kept, partly kept, broken; broken "
        "ones to the work queue) and queue the reminders due. Twice a day changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=_day, default=None, help="the day (default today, UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        figures = arrangements_evaluate_day(today=options["day"] or clock.now().date())
        self.stdout.write(figures.summary())
        for account_id, why in figures.failed:
            self.stderr.write(f"  account {account_id} not evaluated: {why}")
