"""The ledger's reads: the counted payments of an account (for promise and plan evaluation), the
payments a user may see, and an account's ledger with its allocations (the account screen).

Accounts are reached for a user only through ``solvent.portfolio.access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet, Sum

from solvent.arrangements.domain.status import Payment as CountedPayment
from solvent.core.domain.errors import NotFoundError
from solvent.payments.models import Payment, PaymentAllocation
from solvent.portfolio.access import access_account_by_id, access_account_queryset
from solvent.portfolio.models import Account

# Payments that moved the balance and count for promises and plans (a pending one too: ADR 0030).
COUNTED_STATUSES = (Payment.Status.PENDING, Payment.Status.CLEARED)


def account_payments(*, account_id: int) -> list[CountedPayment]:
    """The account's counted payments (pending and cleared), oldest first."""
    rows = (
        Payment.objects.filter(account_id=account_id, status__in=COUNTED_STATUSES)
        .order_by("paid_on", "pk")
        .values_list("paid_on", "amount")
    )
    return [CountedPayment(paid_on=paid_on, amount=amount) for paid_on, amount in rows]


def payment_list(*, user: User | AnonymousUser, account_id: int | None = None) -> QuerySet[Payment]:
    """Payments on the accounts the user sees (one account when named: NotFoundError when it is
    not theirs), newest first."""
    if account_id is not None:
        account = access_account_by_id(user=user, account_id=account_id)
        payments = Payment.objects.filter(account_id=account.pk)
    else:
        payments = Payment.objects.filter(account__in=access_account_queryset(user=user))
    return payments.select_related("account").order_by("-paid_on", "-pk")


def payment_get(*, user: User | AnonymousUser, payment_id: int) -> Payment:
    """One payment on an account the user sees; NotFoundError for a missing one and another
    tenant's alike."""
    payment = (
        Payment.objects.filter(pk=payment_id, account__in=access_account_queryset(user=user))
        .select_related("account")
        .first()
    )
    if payment is None:
        raise NotFoundError(f"payment {payment_id} not found")
    return payment


@dataclass(frozen=True, slots=True)
class LedgerRow:
    payment: Payment
    allocations: list[PaymentAllocation]

    @property
    def counted(self) -> bool:
        return self.payment.status in COUNTED_STATUSES


@dataclass(frozen=True, slots=True)
class AccountLedger:
    """An account's components and its payments, newest first, each with its allocations."""

    account: Account
    rows: list[LedgerRow]

    @property
    def balance(self) -> Decimal:
        return self.account.balance

    @property
    def paid(self) -> Decimal:
        return sum((row.payment.amount for row in self.rows if row.counted), Decimal(0))


def account_ledger(*, account: Account, limit: int = 50) -> AccountLedger:
    """The account's latest payments with their allocations (an account already reached through
    the access helper). Two queries."""
    payments = list(
        Payment.objects.filter(account_id=account.pk)
        .select_related("posted_by")
        .prefetch_related(
            Prefetch("allocations", queryset=PaymentAllocation.objects.order_by("pk"))
        )
        .order_by("-paid_on", "-pk")[:limit]
    )
    return AccountLedger(
        account=account,
        rows=[LedgerRow(payment=p, allocations=list(p.allocations.all())) for p in payments],
    )


@dataclass(frozen=True, slots=True)
class PaidToUs:
    """What the ledger took off each balance component so far (net of returns and reversals).

    The account's components are what is owed now; adding these back gives the amounts as placed,
    which the validation notice's itemization starts from (Reg F 1006.34(c)(2)(vi)-(viii))."""

    fees: Decimal = Decimal("0.00")
    interest: Decimal = Decimal("0.00")
    principal: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return self.fees + self.interest + self.principal


def account_paid_to_us(*, account_id: int) -> PaidToUs:
    rows = (
        PaymentAllocation.objects.filter(
            account_id=account_id, component__in=("fees", "interest", "principal")
        )
        .values("component")
        .annotate(total=Sum("amount"))
        .values_list("component", "total")
    )
    cent = Decimal("0.01")
    return PaidToUs(**{component: Decimal(total or 0).quantize(cent) for component, total in rows})
