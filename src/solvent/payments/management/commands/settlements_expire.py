"""`solvent settlements_expire [--day D]`: end the settlements time has overtaken.

An offer (or one waiting for approval) past its expiry or due date, and an accepted settlement
still unpaid after its due date plus the client's grace days, become expired (audited); one that
was paid in time is settled instead. Run it each morning with `solvent arrangements_evaluate`;
running it twice changes nothing (docs/payments.md, "Settlements").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.audit.services import audit_system
from solvent.core import clock
from solvent.payments.services.settlements import settlements_expire


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--day {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Expire settlement offers past their date and accepted ones unpaid after their grace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=_day, default=None, help="the day (default today, UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["day"] or clock.today()
        with audit_system("solvent settlements_expire"):
            expired = settlements_expire(today=day)
        self.stdout.write(f"{day.isoformat()}: {expired} settlement(s) expired")
