"""`solvent remittance --client CODE --month YYYY-MM [--issue] [--csv PATH] [--pdf PATH]`: a client's
remittance statement for a month: printed, written as CSV or PDF, and with --issue stored (frozen,
audited; refused for a month not over or already issued)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.core.domain.errors import DomainError
from solvent.payments.domain.remittance import Statement, figure_rows, month_period, statement_csv
from solvent.payments.remittance_pdf import statement_pdf_bytes
from solvent.payments.selectors_remittance import remittance_client_find
from solvent.payments.services.remittance import remittance_issue, remittance_preview


class Command(BaseCommand):
    help = "A client's remittance statement for a month: show it, export it, issue it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, help="the client's code")
        parser.add_argument("--month", required=True, help="the month, YYYY-MM")
        parser.add_argument(
            "--issue", action="store_true", help="store the statement (frozen, audited)"
        )
        parser.add_argument("--csv", help="write the statement's lines and totals to this file")
        parser.add_argument("--pdf", help="write the statement as a PDF to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            client = remittance_client_find(client_code=options["client"])
            start, end = month_period(options["month"])
            if options["issue"]:
                statement = remittance_issue(
                    client_id=client.pk, period_start=start, period_end=end, actor_id=None
                )
            else:
                statement = remittance_preview(
                    client_id=client.pk, period_start=start, period_end=end
                )
        except DomainError as refused:
            raise CommandError(refused.message) from refused
        self._print(statement)
        if options["csv"]:
            Path(options["csv"]).write_text(statement_csv(statement), encoding="utf-8")
            self.stdout.write(f"CSV written to {options['csv']}")
        if options["pdf"]:
            pdf = statement_pdf_bytes(statement, agency_name=settings.SOLVENT_AGENCY_NAME)
            Path(options["pdf"]).write_bytes(pdf)
            self.stdout.write(f"PDF written to {options['pdf']}")

    def _print(self, statement: Statement) -> None:
        state = (
            f"issued {statement.issued_at:%Y-%m-%d %H:%M} UTC"
            if statement.issued_at
            else "preview (not issued)"
        )
        self.stdout.write(f"{statement.client_name}, {statement.period_start:%Y-%m}: {state}")
        for name, value in figure_rows(statement)[2:-1]:
            self.stdout.write(f"  {name:<22} {value}")
        for note in statement.notes:
            self.stdout.write(f"  note: {note}")
