"""The settlement rule: is an offer a settlement at all, and is it within the client's authority?

A settlement is less than the balance, accepted in full payment. Each client says how low an agent
may go without a second person (its floor, a percentage of the balance, by stage of default) and
how long an offer stands (its expiry). Below the floor a supervisor must approve (maker-checker).
A stage the client gave no floor for needs approval too: nobody decided, so nobody alone may.

Pure: the balance, the stage, the floors and ``today`` come in as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation

from solvent.core.domain.errors import ValidationError

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# The stages a client's floors are given for, as the default strategy segments split them.
EARLY, MIDDLE, LATE = "early", "middle", "late"
_EARLY_LAST_DAY = 30
_MIDDLE_LAST_DAY = 90


class SettlementError(ValidationError):
    """An offer refused, naming the field a person must change (the desk shows it beside it)."""

    def __init__(self, field: str, message: str, *, code: str) -> None:
        super().__init__(f"{field}: {message}", code=code)
        self.field = field
        self.reason = message


@dataclass(frozen=True, slots=True)
class SettlementQuote:
    """What an offer is: its share of the balance, the floor it is held to and its dates."""

    amount: Decimal
    balance: Decimal
    percent: Decimal  # amount / balance in percent, rounded down to two places
    stage: str
    floor_percent: Decimal | None  # None: the client gave no floor for this stage
    within_authority: bool
    expires_on: date
    due_on: date

    @property
    def needs_approval(self) -> bool:
        return not self.within_authority


def settlement_stage(days_past_due: int) -> str:
    """The stage a client's floors are given for: early (up to 30 days), middle (31 to 90), late.

    An account not yet past due is early: the highest floor, so the least authority.
    """
    if days_past_due <= _EARLY_LAST_DAY:
        return EARLY
    if days_past_due <= _MIDDLE_LAST_DAY:
        return MIDDLE
    return LATE


def floor_for(floors: object, stage: str) -> Decimal | None:
    """The client's floor for the stage, or None when there is none usable (fail closed): the
    floors are a JSON column someone typed, so anything but a mapping of numbers counts as none."""
    if not isinstance(floors, Mapping):
        return None
    raw = floors.get(stage)
    if raw is None or isinstance(raw, bool):
        return None
    try:
        floor = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None
    if not floor.is_finite() or floor <= 0 or floor > HUNDRED:
        return None
    return floor


def percent_of(amount: Decimal, balance: Decimal) -> Decimal:
    """amount / balance in percent, rounded down to two places (never shown above what it is)."""
    return (amount * HUNDRED / balance).quantize(CENT, rounding=ROUND_DOWN)


def settlement_amount_for_percent(percent: Decimal, balance: Decimal) -> Decimal:
    """The amount that is ``percent`` of the balance, rounded up to the cent (never below it)."""
    return (balance * percent / HUNDRED).quantize(CENT, rounding=ROUND_UP)


def settlement_quote(
    *,
    balance: Decimal,
    stage: str,
    floors: object,
    expiry_days: int,
    amount: Decimal,
    due_on: date,
    today: date,
) -> SettlementQuote:
    """Judge an offer; a SettlementError names the field when it is no settlement one may offer.

    Refused: nothing owed; an amount not above zero, not to the cent, or not below the balance (the
    balance itself is payment in full, not a settlement); a due date already past or after the
    offer expires. At the floor exactly is within authority; one cent below needs approval.
    """
    if balance <= 0:
        raise SettlementError("amount", "nothing is owed on this account", code="nothing_owed")
    if not amount.is_finite() or amount <= 0:
        raise SettlementError("amount", "enter an amount above zero", code="amount_not_positive")
    if amount != amount.quantize(CENT):
        raise SettlementError(
            "amount", "enter the amount to the cent (two decimal places)", code="amount_cents"
        )
    if amount >= balance:
        raise SettlementError(
            "amount",
            f"{amount} is not less than the balance ({balance}): that is payment in full, "
            "not a settlement",
            code="amount_not_below_balance",
        )
    expires_on = today + timedelta(days=max(expiry_days, 0))
    if due_on < today:
        raise SettlementError(
            "due_on", f"{due_on.isoformat()} is in the past: choose today or later", code="due_past"
        )
    if due_on > expires_on:
        raise SettlementError(
            "due_on",
            f"{due_on.isoformat()} is after the offer expires ({expires_on.isoformat()}, "
            f"{expiry_days} days): choose an earlier date",
            code="due_after_expiry",
        )
    floor = floor_for(floors, stage)
    # Exact, not on the rounded percent: amount/balance >= floor/100 without any division.
    within = floor is not None and amount * HUNDRED >= floor * balance
    return SettlementQuote(
        amount=amount,
        balance=balance,
        percent=percent_of(amount, balance),
        stage=stage,
        floor_percent=floor,
        within_authority=within,
        expires_on=expires_on,
        due_on=due_on,
    )


def settlement_last_day(*, due_on: date, grace_days: int) -> date:
    """The last day a payment still counts towards the settlement."""
    return due_on + timedelta(days=max(grace_days, 0))
