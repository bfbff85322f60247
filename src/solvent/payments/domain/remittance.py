"""The client remittance statement's figures: what was collected for a client in a period, what is
deducted for earlier collections that came back, the agency's commission and the amount to remit.

Pure: plain rows in, Decimal figures out (no Django, no clock). Which payments are lines of a period
is the service's to decide (it knows what earlier statements counted); this module sums them:

- collected: the cleared payments counted in the period, count and sum;
- deductions: payments an earlier issued statement collected that were since returned or reversed;
- net collected = collected - deductions (negative when more came back than came in);
- commission = net collected x the client's rate, rounded half-up to the cent (negative on a
  negative net: a credit to the client);
- to remit: net mode keeps the commission (net collected - commission); gross mode remits the net
  collected and invoices the commission;
- pending payments (not yet cleared) are listed apart: not collected, not remitted.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from solvent.arrangements.domain.errors import FieldError
from solvent.core.domain.csv_safety import csv_row

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class Mode(StrEnum):
    GROSS = "gross"  # remit everything collected, invoice the client for the commission
    NET = "net"  # keep the commission, remit the rest


class LineKind(StrEnum):
    COLLECTED = "collected"
    DEDUCTION = "deduction"  # collected by an earlier statement, since returned or reversed
    PENDING = "pending"  # not cleared yet: shown, not counted


@dataclass(frozen=True, slots=True)
class Line:
    """One payment on a statement; no personal data beyond the account number."""

    kind: LineKind
    payment_id: int
    account_number: str
    paid_on: date
    amount: Decimal  # the payment's amount, positive for every kind
    method: str
    reference: str
    status: str
    # Collected after its own period's statement was issued (cleared or posted late).
    late: bool = False


@dataclass(frozen=True, slots=True)
class Figures:
    """The statement's totals; every one of them is a sum over its lines (or follows from them)."""

    collected: Decimal
    collected_count: int
    deductions: Decimal
    deductions_count: int
    net_collected: Decimal
    commission_rate: Decimal
    commission: Decimal
    mode: Mode
    remit: Decimal
    # Gross mode: the commission the client is invoiced for (negative: a credit note). Net: zero.
    invoice: Decimal
    pending: Decimal
    pending_count: int

    @property
    def commission_percent(self) -> str:
        """The rate as people read it: 0.2500 is "25.00 %"."""
        return f"{self.commission_rate * 100:.2f} %"


def month_period(month: str, field: str = "month") -> tuple[date, date]:
    """The first and last day of ``YYYY-MM``, or a FieldError naming ``field``."""
    match = _MONTH.fullmatch(month.strip())
    if match is None:
        raise FieldError(field, f"{month!r} is not a month: write it as YYYY-MM, e.g. 2026-11")
    year, number = int(match.group(1)), int(match.group(2))
    if not 1 <= number <= 12 or year < 1900:
        raise FieldError(field, f"{month!r} is not a month: write it as YYYY-MM, e.g. 2026-11")
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def period_validate(period_start: date, period_end: date) -> None:
    if period_end < period_start:
        raise FieldError("period_end", f"{period_end} is before the period's start {period_start}")


def commission_of(net_collected: Decimal, rate: Decimal) -> Decimal:
    """The commission on ``net_collected``, half-up to the cent (ties away from zero, so a credit
    on a negative net is the exact negation of the commission on the same positive net)."""
    return (net_collected * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_validate(rate: Decimal, field: str = "commission_rate") -> Decimal:
    if not ZERO <= rate <= Decimal("1"):
        raise FieldError(field, f"{rate} is not a share between 0 and 1 (0.25 is 25 %)")
    return rate


def _total(lines: Iterable[Line]) -> Decimal:
    return sum((line.amount for line in lines), ZERO).quantize(CENT)


def figures_of(lines: Sequence[Line], *, commission_rate: Decimal, mode: Mode) -> Figures:
    """The statement's figures from its lines and the client's terms."""
    rate_validate(commission_rate)
    collected = [line for line in lines if line.kind is LineKind.COLLECTED]
    deductions = [line for line in lines if line.kind is LineKind.DEDUCTION]
    pending = [line for line in lines if line.kind is LineKind.PENDING]
    net_collected = _total(collected) - _total(deductions)
    commission = commission_of(net_collected, commission_rate)
    keeps_commission = mode is Mode.NET
    return Figures(
        collected=_total(collected),
        collected_count=len(collected),
        deductions=_total(deductions),
        deductions_count=len(deductions),
        net_collected=net_collected,
        commission_rate=commission_rate,
        commission=commission,
        mode=mode,
        remit=net_collected - commission if keeps_commission else net_collected,
        invoice=ZERO if keeps_commission else commission,
        pending=_total(pending),
        pending_count=len(pending),
    )


def lines_sorted(lines: Iterable[Line]) -> list[Line]:
    """Collected first, then deductions, then pending; each by date, account and payment."""
    order = {LineKind.COLLECTED: 0, LineKind.DEDUCTION: 1, LineKind.PENDING: 2}
    return sorted(
        lines,
        key=lambda line: (order[line.kind], line.paid_on, line.account_number, line.payment_id),
    )


@dataclass(frozen=True, slots=True)
class Statement:
    """A client's statement for a period: issued (frozen, as stored) or a preview of issuing now."""

    client_code: str
    client_name: str
    currency: str
    period_start: date
    period_end: date
    figures: Figures
    lines: list[Line]
    # False: the client has no terms recorded; the figures use the default terms (not issuable).
    terms_recorded: bool = True
    statement_id: int | None = None
    issued_at: datetime | None = None
    issued_by: str = ""
    # Payments of the period in another currency than the client's: left out, to be resolved.
    other_currency_count: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def issued(self) -> bool:
        return self.statement_id is not None

    def lines_of(self, kind: LineKind) -> list[Line]:
        return [line for line in self.lines if line.kind is kind]


LINE_COLUMNS = (
    "line",
    "payment_id",
    "account_number",
    "paid_on",
    "method",
    "reference",
    "status",
    "late",
    "amount",
)


def statement_csv(statement: Statement) -> str:
    """The lines (one a row, under LINE_COLUMNS), a blank row, then the figures as name,value rows.

    Every text cell is formula-safe (a payment reference comes from outside).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LINE_COLUMNS)
    for line in lines_sorted(statement.lines):
        writer.writerow(
            csv_row(
                [
                    line.kind.value,
                    line.payment_id,
                    line.account_number,
                    line.paid_on.isoformat(),
                    line.method,
                    line.reference,
                    line.status,
                    "yes" if line.late else "",
                    f"{line.amount:.2f}",
                ]
            )
        )
    writer.writerow([])
    for name, value in figure_rows(statement):
        writer.writerow(csv_row([name, value]))
    return buffer.getvalue()


def figure_rows(statement: Statement) -> list[tuple[str, str]]:
    """The statement's header and totals as (name, value) text, in the order a reader checks them."""
    figures = statement.figures
    rows = [
        ("client", statement.client_code),
        ("client_name", statement.client_name),
        ("period_start", statement.period_start.isoformat()),
        ("period_end", statement.period_end.isoformat()),
        ("currency", statement.currency),
        ("mode", figures.mode.value),
        ("commission_rate", f"{figures.commission_rate}"),
        ("collected_count", str(figures.collected_count)),
        ("collected", f"{figures.collected:.2f}"),
        ("deductions_count", str(figures.deductions_count)),
        ("deductions", f"{figures.deductions:.2f}"),
        ("net_collected", f"{figures.net_collected:.2f}"),
        ("commission", f"{figures.commission:.2f}"),
        ("remit", f"{figures.remit:.2f}"),
        ("commission_invoiced", f"{figures.invoice:.2f}"),
        ("pending_count", str(figures.pending_count)),
        ("pending_not_remitted", f"{figures.pending:.2f}"),
    ]
    issued = statement.issued_at.isoformat() if statement.issued_at else "not issued (preview)"
    rows.append(("issued_at", issued))
    return rows
