"""`solvent report monthly --client CODE --month YYYY-MM --out FILE.pdf`: one client's monthly report
as a PDF, the same document the desk and the API serve.

An operator's command: it sees every client, as an admin does. The report's reads take a user (the
figures are scoped to what that user sees); the command gives them an unsaved superuser, which
``staff_role_get`` reads as an admin, so nothing is written and no account is needed
(docs/adr/0039-reports-and-exports.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.analytics.client_report import client_report_pdf
from solvent.analytics.domain.client_report import summary_rows
from solvent.analytics.selectors_client_report import client_report_get
from solvent.core import clock
from solvent.core.domain.errors import DomainError


def operator() -> User:
    """The command's reader: every client, as an admin (never saved)."""
    return User(username="solvent-report", is_superuser=True, is_active=True)


class Command(BaseCommand):
    help = "Reports: `report monthly` writes a client's monthly report as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="monthly")
        monthly = kinds.add_parser(
            "monthly",
            help="a client's monthly report (PDF)",
            description="A client's monthly report: placements, collections, liquidation, "
            "funnel, KPIs, compliance blocks.",
        )
        monthly.add_argument("--client", required=True, help="the client's code")
        monthly.add_argument("--month", required=True, help="the month, YYYY-MM")
        monthly.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = client_report_get(
                user=operator(),
                client_code=options["client"],
                month=options["month"],
                agency_name=settings.SOLVENT_AGENCY_NAME,
                today=clock.today(),
            )
        except DomainError as refused:
            if refused.code == "client_not_found":
                raise CommandError(f"client {options['client']!r} not found") from refused
            raise CommandError(refused.message) from refused
        path = Path(options["out"])
        try:
            path.write_bytes(client_report_pdf(report))
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror}") from error
        self.stdout.write(f"{report.client_name} ({report.client_code}), {report.month}")
        for name, value in summary_rows(report):
            self.stdout.write(f"  {name:<50} {value}")
        self.stdout.write(f"PDF written to {path}")
