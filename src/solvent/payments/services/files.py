"""Payment files: a CSV of payments from a client or a payment processor, posted row by row.

Columns (header names, in any order; docs/payments.md "The ledger"): ``account_number``,
``amount``, ``paid_on`` (YYYY-MM-DD), ``method`` (card, ach, bank_transfer, check, cash, other),
``reference`` (required: the row's idempotency key is ``file:<reference>``), and optionally
``status`` (cleared, the default; pending; returned: returns the payment with that reference),
``currency`` and ``reason`` (why a payment was returned). UTF-8 with or without a BOM, comma,
semicolon or tab separated (whichever the header uses), like the placement import.

Every row is validated; a bad row is reported with its row number (the header is row 1), field
and reason, and each good row is posted in its own transaction, so a bad row loses nothing good.
A file posted twice posts nothing twice (its rows come back as already posted). A dry run posts
every row inside one transaction that is rolled back: the report is exactly what posting would
give, and nothing is kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.db import transaction

from solvent.arrangements.domain.errors import FieldError
from solvent.audit.services import audit_record
from solvent.core.domain.csv_safety import csv_row
from solvent.core.domain.errors import DomainError, NotFoundError, ValidationError
from solvent.payments.domain.allocation import amount_parse
from solvent.payments.models import Payment
from solvent.payments.selectors import COUNTED_STATUSES
from solvent.payments.services.ledger import payment_record, payment_return
from solvent.portfolio.models import Account, Client

REQUIRED_COLUMNS = ("account_number", "amount", "paid_on", "method", "reference")
OPTIONAL_COLUMNS = ("status", "currency", "reason")
FILE_STATUSES = ("cleared", "pending", "returned")
ERROR_HEADER = ("row", "field", "value", "reason")
# The service's name for a field, as the file's column names it.
_COLUMN_OF = {"account_id": "account_number", "idempotency_key": "reference"}
# Cells of an error report keep enough of a value to recognise it.
_MAX_VALUE = 100


class PaymentFileError(ValidationError):
    """The file as a whole cannot be read (no header, a missing column, not UTF-8)."""

    code = "payment_file_invalid"


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    field: str
    value: str
    reason: str


@dataclass
class FileReport:
    """What a payment file did: counts, the refused rows and the overpayments posted."""

    client_code: str
    dry_run: bool
    rows: int = 0
    posted: int = 0
    returned: int = 0
    duplicates: int = 0
    posted_total: Decimal = Decimal("0.00")
    errors: list[RowError] = field(default_factory=list)
    # (row, account number, overpaid amount): money above the balance, held as a credit.
    overpayments: list[tuple[int, str, Decimal]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({error.row for error in self.errors})

    def errors_csv(self) -> str:
        """The refused rows as CSV (row, field, value, reason), safe to open in a spreadsheet."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(ERROR_HEADER)
        for error in self.errors:
            writer.writerow(csv_row([error.row, error.field, error.value, error.reason]))
        return out.getvalue()

    def summary(self) -> str:
        verb = "would post" if self.dry_run else "posted"
        return (
            f"{self.rows} rows: {verb} {self.posted} ({self.posted_total}), returned "
            f"{self.returned}, already posted {self.duplicates}, refused {self.rejected}, "
            f"overpaid {len(self.overpayments)}"
        )


class _DryRunError(Exception):
    """Raised to roll back a dry run's transaction once every row was tried."""


def payment_file_post(
    *,
    client_id: int,
    file: str | Path | IO[str],
    actor_id: int | None,
    dry_run: bool = False,
    name: str = "",
) -> FileReport:
    """Validate and post a payment file for one client; the report lists what happened."""
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise NotFoundError(f"client {client_id} not found")
    text = _text(file)
    name = name or (str(file) if isinstance(file, (str, Path)) else "upload")
    report = FileReport(client_code=client.code, dry_run=dry_run)
    rows = _rows(text)
    if dry_run:
        try:
            with transaction.atomic():
                _post_rows(client, rows, report, actor_id)
                raise _DryRunError
        except _DryRunError:
            pass
        return report
    _post_rows(client, rows, report, actor_id)
    audit_record(
        action="payments.payment_file_posted",
        object_type="portfolio.Client",
        object_id=client.pk,
        data={
            "name": name[:200],
            "rows": report.rows,
            "posted": report.posted,
            "posted_total": str(report.posted_total),
            "returned": report.returned,
            "duplicates": report.duplicates,
            "rejected": report.rejected,
        },
        actor_id=actor_id,
    )
    return report


def _text(file: str | Path | IO[str]) -> str:
    if isinstance(file, (str, Path)):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise PaymentFileError(f"the file cannot be read: {error.strerror}") from None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise PaymentFileError(
                f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
                f"{error.start + 1}): save it as 'CSV UTF-8'"
            ) from None
    return file.read().removeprefix("\ufeff")


def _rows(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    if "\x00" in text:
        raise PaymentFileError("the file contains NUL bytes: it is not CSV text")
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise PaymentFileError(
            "the file is empty: expected a header row (" + ", ".join(REQUIRED_COLUMNS) + ")"
        )
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise PaymentFileError(
            f"the header has no {', '.join(missing)} column: expected "
            + ", ".join(REQUIRED_COLUMNS)
            + " (and optionally "
            + ", ".join(OPTIONAL_COLUMNS)
            + ")"
        )
    return header, ((number, values) for number, values in enumerate(reader, start=2))


def _post_rows(
    client: Client,
    rows: tuple[list[str], Iterator[tuple[int, list[str]]]],
    report: FileReport,
    actor_id: int | None,
) -> None:
    header, values = rows
    for number, cells in values:
        if not any(cell.strip() for cell in cells):
            continue
        report.rows += 1
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        try:
            with transaction.atomic():
                _post_row(client, number, row, report, actor_id)
        except FieldError as refused:
            column = _COLUMN_OF.get(refused.field, refused.field)
            report.errors.append(_error(number, column, row, refused.reason))
        except NotFoundError as refused:
            report.errors.append(_error(number, "account_number", row, refused.message))
        except DomainError as refused:
            report.errors.append(_error(number, _field_of(refused), row, refused.message))


def _post_row(
    client: Client, number: int, row: dict[str, str], report: FileReport, actor_id: int | None
) -> None:
    reference = row.get("reference", "")
    if not reference:
        raise FieldError(
            "reference", "every row needs a reference (it keeps a row from posting twice)"
        )
    if len(reference) > 100:
        raise FieldError("reference", "use a reference of 100 characters at most")
    account_id = (
        Account.objects.filter(client=client, account_number=row.get("account_number", ""))
        .values_list("pk", flat=True)
        .first()
    )
    if account_id is None:
        raise FieldError(
            "account_number",
            f"no account {row.get('account_number') or '(empty)'!s} for client {client.code}",
        )
    status = (row.get("status") or "cleared").lower()
    if status not in FILE_STATUSES:
        raise FieldError("status", f"{status} is not one of: {', '.join(FILE_STATUSES)}")
    if status == "returned":
        _return_row(client, account_id, reference, row, report, actor_id)
        return
    outcome = payment_record(
        account_id=account_id,
        amount=row.get("amount", ""),
        paid_on=_day(row.get("paid_on", "")),
        method=row.get("method", ""),
        source=Payment.Source.FILE,
        reference=reference,
        status=status,
        idempotency_key=f"file:{reference}",
        currency=row.get("currency", ""),
        actor_id=actor_id,
    )
    if not outcome.created:
        report.duplicates += 1
        return
    report.posted += 1
    report.posted_total += outcome.payment.amount
    if outcome.overpayment:
        report.overpayments.append((number, row.get("account_number", ""), outcome.overpayment))


def _return_row(
    client: Client,
    account_id: int,
    reference: str,
    row: dict[str, str],
    report: FileReport,
    actor_id: int | None,
) -> None:
    """A returned row names the payment it sends back by its reference (and account)."""
    payments = Payment.objects.filter(client=client, account_id=account_id, reference=reference)
    payment = payments.filter(status__in=COUNTED_STATUSES).order_by("pk").first()
    if payment is None:
        if payments.filter(status=Payment.Status.RETURNED).exists():
            report.duplicates += 1  # returned already (the same file again)
            return
        raise FieldError("reference", f"no payment {reference} on this account to return")
    if row.get("amount") and amount_parse(row["amount"]) != payment.amount:
        raise FieldError(
            "amount", f"payment {reference} was {payment.amount}: return the whole payment"
        )
    payment_return(
        payment_id=payment.pk,
        reason=row.get("reason") or "returned in the payment file",
        actor_id=actor_id,
    )
    report.returned += 1


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError("paid_on", f"{value or '(empty)'!s} is not a date (YYYY-MM-DD)") from None


def _field_of(error: DomainError) -> str:
    if error.code == "idempotency_key_reused":
        return "reference"
    return error.message.split(":", 1)[0] if ":" in error.message else "row"


def _error(number: int, field_name: str, row: dict[str, str], reason: str) -> RowError:
    return RowError(number, field_name, row.get(field_name, "")[:_MAX_VALUE], reason)
