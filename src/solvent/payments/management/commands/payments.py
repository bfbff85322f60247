"""`solvent payments post-file FILE --client CODE [--dry-run] [--errors OUT.csv]` and
`solvent payments return ID --reason TEXT`.

``post-file`` validates and posts a client's or processor's payment file (columns in
docs/payments.md, "The ledger") and prints what it did; refused rows are printed (row, field,
reason) or written as CSV with ``--errors``; it exits 1 when a row was refused. ``--dry-run`` posts
nothing and reports exactly what posting would do. ``return`` records that the bank sent a payment
back (NSF, chargeback): what it allocated is undone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.audit.services import audit_system
from solvent.core.domain.errors import DomainError
from solvent.payments.services.files import payment_file_post
from solvent.payments.services.ledger import payment_return
from solvent.portfolio.models import Client

ROWS_REFUSED_EXIT = 1


class Command(BaseCommand):
    help = "Post a payment file, or return a payment."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        post = actions.add_parser("post-file", help="validate and post a payment CSV")
        post.add_argument("file", help="the CSV file")
        post.add_argument("--client", required=True, help="the client's code")
        post.add_argument("--dry-run", action="store_true", help="report only, post nothing")
        post.add_argument("--errors", help="write the refused rows to this CSV file")
        returned = actions.add_parser("return", help="the bank sent a payment back")
        returned.add_argument("payment_id", type=int)
        returned.add_argument("--reason", required=True, help="why (NSF, chargeback, ...)")

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_system(f"solvent payments {options['action']}"):
            if options["action"] == "post-file":
                self._post_file(options)
            else:
                self._return(options["payment_id"], options["reason"])

    def _post_file(self, options: dict[str, Any]) -> None:
        client = Client.objects.filter(code=options["client"]).first()
        if client is None:
            raise CommandError(f"no client with the code {options['client']!r}")
        try:
            report = payment_file_post(
                client_id=client.pk,
                file=Path(options["file"]),
                actor_id=None,
                dry_run=options["dry_run"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(report.summary())
        for row, account_number, amount in report.overpayments:
            self.stdout.write(f"row {row}: account {account_number} overpaid by {amount}")
        if options.get("errors"):
            Path(options["errors"]).write_text(report.errors_csv(), encoding="utf-8")
        else:
            for refused in report.errors:
                self.stderr.write(f"row {refused.row}, {refused.field}: {refused.reason}")
        if report.errors:
            raise CommandError(
                f"{report.rejected} row(s) refused; the others were "
                + ("checked" if report.dry_run else "posted"),
                returncode=ROWS_REFUSED_EXIT,
            )

    def _return(self, payment_id: int, reason: str) -> None:
        try:
            payment = payment_return(payment_id=payment_id, reason=reason)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"payment {payment.pk} returned: {payment.amount} {payment.currency} "
            f"back on account {payment.account_id}"
        )
