"""Was a promise kept, are a plan's instalments paid: from the payments known so far.

A promise is a plan of one instalment, so both use one rule. An instalment's deadline is its due
date plus the grace days; what counts towards it is every payment made by then, less what the
earlier instalments took (payments fill instalments in order). Before the deadline an instalment
not yet covered is pending; after it, partly paid when something came in for it, else missed.
Payments after a deadline count for later instalments, never to rescue a missed one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from solvent.arrangements.domain.proposal import Instalment

# A payment posted a few days late still keeps the promise (ADR 0023).
DEFAULT_GRACE_DAYS = 3


class InstalmentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    MISSED = "missed"


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"


class PlanOutcome(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class Payment:
    paid_on: date
    amount: Decimal


def instalment_statuses(
    instalments: Sequence[Instalment],
    payments: Iterable[Payment],
    *,
    today: date,
    grace_days: int = DEFAULT_GRACE_DAYS,
) -> list[InstalmentStatus]:
    ordered = sorted(payments, key=lambda payment: payment.paid_on)
    statuses = []
    due_before = Decimal(0)
    for instalment in sorted(instalments, key=lambda item: item.number):
        deadline = instalment.due_on + timedelta(days=grace_days)
        paid_by_deadline = sum(
            (payment.amount for payment in ordered if payment.paid_on <= deadline), Decimal(0)
        )
        due_through = due_before + instalment.amount
        if paid_by_deadline >= due_through:
            statuses.append(InstalmentStatus.PAID)
        elif today <= deadline:
            statuses.append(InstalmentStatus.PENDING)
        elif paid_by_deadline > due_before:
            statuses.append(InstalmentStatus.PARTLY_PAID)
        else:
            statuses.append(InstalmentStatus.MISSED)
        due_before = due_through
    return statuses


_PROMISE = {
    InstalmentStatus.PENDING: PromiseStatus.PENDING,
    InstalmentStatus.PAID: PromiseStatus.KEPT,
    InstalmentStatus.PARTLY_PAID: PromiseStatus.PARTLY_KEPT,
    InstalmentStatus.MISSED: PromiseStatus.BROKEN,
}


def promise_status(
    *,
    amount: Decimal,
    due_on: date,
    payments: Iterable[Payment],
    today: date,
    grace_days: int = DEFAULT_GRACE_DAYS,
) -> PromiseStatus:
    (status,) = instalment_statuses(
        [Instalment(1, due_on, amount)], payments, today=today, grace_days=grace_days
    )
    return _PROMISE[status]


def plan_outcome(statuses: Sequence[InstalmentStatus]) -> PlanOutcome:
    """Completed when every instalment is paid; broken once one is missed or short."""
    if any(s in (InstalmentStatus.MISSED, InstalmentStatus.PARTLY_PAID) for s in statuses):
        return PlanOutcome.BROKEN
    if statuses and all(s is InstalmentStatus.PAID for s in statuses):
        return PlanOutcome.COMPLETED
    return PlanOutcome.ACTIVE


def payments_since(payments: Iterable[Payment], made_on: date) -> list[Payment]:
    """The payments that count for an arrangement made on ``made_on``: those made that day or
    later (money paid before the debtor promised was not paid towards the promise)."""
    return [payment for payment in payments if payment.paid_on >= made_on]


# The account statuses its arrangements choose between. Any other (paid, settled, disputed, legal,
# recalled, closed) is decided elsewhere (the ledger, a dispute, the client) and is left alone.
ARRANGEMENT_ACCOUNT_STATUSES = frozenset({"active", "promise", "plan"})


def account_status_follow(current: str, *, pending_promise: bool, active_plan: bool) -> str:
    """The account's status from its arrangements: a plan in force first, then a pending promise,
    else active; a status outside ``ARRANGEMENT_ACCOUNT_STATUSES`` is kept."""
    if current not in ARRANGEMENT_ACCOUNT_STATUSES:
        return current
    if active_plan:
        return "plan"
    if pending_promise:
        return "promise"
    return "active"
