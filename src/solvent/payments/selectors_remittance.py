"""Reads of the client remittance: the client a user may see, the client's terms, the statements
issued, and which payments are the lines of a period (docs/payments.md, "Client remittance").

Which payments a period counts, given what the issued statements already counted:

- collected: cleared payments of the client with ``paid_on`` in the period, and cleared payments of
  an earlier period whose statement was issued without them (they cleared or were posted late),
  never one an issued statement already collected;
- deductions: payments an issued statement collected that are now returned or reversed, with the
  change on or before the period's last day (UTC), never one an issued statement already deducted;
  a payment returned before any statement counted it is simply never collected;
- pending: payments not yet cleared with ``paid_on`` in the period, shown apart.

Only payments in the client's currency are counted; the others are counted apart for a warning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.payments.domain.remittance import Line, LineKind, Mode
from solvent.payments.models import ClientTerms, Payment, RemittanceLine, RemittanceStatement
from solvent.portfolio.access import access_client_queryset
from solvent.portfolio.models import Client

# Who reads the statements: operations (admin), compliance officers (agency-wide, they audit the
# trust account) and supervisors (their team's clients: the operations lead of a floor). Who issues
# them: operations only, who run the trust account and pay the clients.
REMITTANCE_READ_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER, Role.SUPERVISOR})
REMITTANCE_ISSUE_ROLES = frozenset({Role.ADMIN})

_LINE_FIELDS = (
    "pk",
    "account__account_number",
    "paid_on",
    "amount",
    "method",
    "reference",
    "status",
)


def remittance_client_get(*, user: User | AnonymousUser, client_code: str) -> Client:
    """The client by code, if this user serves it (agency-wide roles: any); else NotFoundError,
    alike for a missing client and another team's."""
    client = access_client_queryset(user=user).filter(code=client_code.strip()).first()
    if client is None:
        raise NotFoundError("no such client among yours", code="client_not_found")
    return client


def remittance_role_require(*, user: User | AnonymousUser, issue: bool = False) -> int:
    """The acting person's id, when their role reads (or with ``issue``, issues) statements; else a
    PermissionDeniedError (asked after the client is known to be visible)."""
    role = staff_role_get(user=user)
    allowed = REMITTANCE_ISSUE_ROLES if issue else REMITTANCE_READ_ROLES
    if user.pk is None or role not in allowed:
        verb = "issue" if issue else "read"
        raise PermissionDeniedError(f"your role does not {verb} remittance statements")
    return int(user.pk)


def remittance_client_list(*, user: User | AnonymousUser) -> QuerySet[Client]:
    return access_client_queryset(user=user).order_by("name")


def remittance_terms_get(*, client_id: int) -> tuple[Decimal, Mode, bool]:
    """The client's commission rate and mode, and whether they are recorded (else the defaults a
    new client's terms start with)."""
    terms = ClientTerms.objects.filter(client_id=client_id).first()
    recorded = terms is not None
    if terms is None:
        terms = ClientTerms(client_id=client_id)
    return Decimal(terms.commission_rate), Mode(terms.remittance_mode), recorded


def remittance_statement_find(
    *, client_id: int, period_start: date, period_end: date
) -> RemittanceStatement | None:
    return (
        RemittanceStatement.objects.filter(
            client_id=client_id, period_start=period_start, period_end=period_end
        )
        .select_related("issued_by")
        .first()
    )


def remittance_statement_overlapping(
    *, client_id: int, period_start: date, period_end: date
) -> RemittanceStatement | None:
    """An issued statement of the client whose period shares a day with this one."""
    return (
        RemittanceStatement.objects.filter(
            client_id=client_id, period_start__lte=period_end, period_end__gte=period_start
        )
        .order_by("period_start")
        .first()
    )


def remittance_statement_list(*, client_id: int, limit: int = 24) -> QuerySet[RemittanceStatement]:
    """The client's issued statements, newest period first."""
    return RemittanceStatement.objects.filter(client_id=client_id).order_by("-period_start")[:limit]


def remittance_statement_lines(*, statement: RemittanceStatement) -> list[Line]:
    """An issued statement's lines as it counted them (status as at issue)."""
    rows = (
        RemittanceLine.objects.filter(statement=statement)
        .order_by("pk")
        .values_list(
            "kind",
            "payment_id",
            "payment__account__account_number",
            "payment__paid_on",
            "amount",
            "payment__method",
            "payment__reference",
            "status",
        )
    )
    return [
        Line(
            kind=LineKind(kind),
            payment_id=payment_id,
            account_number=number,
            paid_on=paid_on,
            amount=amount,
            method=method,
            reference=reference,
            status=status,
            late=kind == LineKind.COLLECTED and paid_on < statement.period_start,
        )
        for kind, payment_id, number, paid_on, amount, method, reference, status in rows
    ]


def _end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def _lines(payments: QuerySet[Payment], kind: LineKind, period_start: date) -> list[Line]:
    rows = payments.order_by("paid_on", "pk").values_list(*_LINE_FIELDS)
    return [
        Line(
            kind=kind,
            payment_id=pk,
            account_number=number,
            paid_on=paid_on,
            amount=amount,
            method=method,
            reference=reference,
            status=status,
            late=kind is LineKind.COLLECTED and paid_on < period_start,
        )
        for pk, number, paid_on, amount, method, reference, status in rows
    ]


def remittance_lines_compute(
    *, client: Client, period_start: date, period_end: date
) -> tuple[list[Line], int]:
    """The lines issuing the period now would store (plus its pending payments), and how many
    payments of the period are in another currency than the client's (left out)."""
    counted = RemittanceLine.objects.filter(
        statement__client_id=client.pk, kind=RemittanceLine.Kind.COLLECTED
    ).values("payment_id")
    deducted = RemittanceLine.objects.filter(
        statement__client_id=client.pk, kind=RemittanceLine.Kind.DEDUCTION
    ).values("payment_id")
    # Earlier periods already issued: a payment of theirs not collected then is collected now.
    issued_before = list(
        RemittanceStatement.objects.filter(
            client_id=client.pk, period_end__lt=period_start
        ).values_list("period_start", "period_end")
    )
    days = reduce(
        or_,
        (Q(paid_on__range=period) for period in issued_before),
        Q(paid_on__range=(period_start, period_end)),
    )
    payments = Payment.objects.filter(client_id=client.pk)
    mine = payments.filter(currency=client.currency)
    collected = mine.filter(days, status=Payment.Status.CLEARED, paid_on__lte=period_end).exclude(
        pk__in=counted
    )
    deductions = mine.filter(
        Q(status_changed_at__lt=_end_of(period_end)) | Q(status_changed_at__isnull=True),
        pk__in=counted,
        status__in=(Payment.Status.RETURNED, Payment.Status.REVERSED),
    ).exclude(pk__in=deducted)
    pending = mine.filter(status=Payment.Status.PENDING, paid_on__range=(period_start, period_end))
    other_currency = (
        payments.filter(paid_on__range=(period_start, period_end))
        .exclude(currency=client.currency)
        .count()
    )
    lines = [
        *_lines(collected, LineKind.COLLECTED, period_start),
        *_lines(deductions, LineKind.DEDUCTION, period_start),
        *_lines(pending, LineKind.PENDING, period_start),
    ]
    return lines, other_currency


def remittance_client_find(*, client_code: str) -> Client:
    """The client by code for an operator's command (every client); else NotFoundError."""
    client = Client.objects.filter(code=client_code.strip()).first()
    if client is None:
        raise NotFoundError(f"client {client_code!r} not found", code="client_not_found")
    return client
