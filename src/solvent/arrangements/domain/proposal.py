"""A payment plan that fits: instalments no larger than the disposable income, clearing the balance.

The rule (ADR 0023): the most a plan may ask per period is the monthly disposable income converted
to the plan's frequency (monthly x 12 / 52 for weekly, x 12 / 26 fortnightly), rounded down to the
minor unit. The agent may offer less (the debtor's own figure); never more. Every instalment is that
amount but the last, which is what is left, so the instalments add up to the balance exactly. A plan
with no disposable income, or one longer than ``MAX_INSTALMENTS``, is refused with the reason: the
first is a case for free debt advice, the second for a review, not a token plan nobody can finish.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.statement import PERIODS_PER_YEAR, Frequency
from solvent.core.domain.money import minor_units

# Plan frequencies the desk offers (the statement knows more).
PLAN_FREQUENCIES = (Frequency.WEEKLY, Frequency.FORTNIGHTLY, Frequency.MONTHLY)
# Ten years of monthly payments: a longer plan is not a plan.
MAX_INSTALMENTS = 120


class ProposalRefusedError(FieldError):
    """The plan asked for does not fit; the message says why and what would."""


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int
    due_on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Proposal:
    total: Decimal
    frequency: Frequency
    instalment: Decimal  # every instalment but (perhaps) the last
    affordable: Decimal  # the most the disposable income allows per period
    instalments: tuple[Instalment, ...]

    @property
    def count(self) -> int:
        return len(self.instalments)


def affordable_per_period(
    disposable_monthly: Decimal, frequency: Frequency, currency: str
) -> Decimal:
    """The monthly disposable income as an amount per period, rounded down (never over)."""
    per_period = disposable_monthly * 12 / PERIODS_PER_YEAR[frequency]
    return per_period.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_DOWN)


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 January + 1 = 28/29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_dates(first: date, frequency: Frequency, count: int) -> list[date]:
    if frequency is Frequency.WEEKLY:
        return [first + timedelta(weeks=index) for index in range(count)]
    if frequency is Frequency.FORTNIGHTLY:
        return [first + timedelta(weeks=2 * index) for index in range(count)]
    if frequency is Frequency.MONTHLY:
        # From the first date each time, so a 31st stays the 31st where the month has one.
        return [add_months(first, index) for index in range(count)]
    raise FieldError("frequency", f"plans are weekly, fortnightly or monthly, not {frequency}")


def plan_propose(
    *,
    total: Decimal,
    currency: str,
    disposable_monthly: Decimal,
    frequency: Frequency,
    first_due_on: date,
    instalment: Decimal | None = None,
    max_instalments: int = MAX_INSTALMENTS,
) -> Proposal:
    """Instalments that clear ``total`` and each fit the disposable income, or a refusal saying why."""
    frequency = Frequency(frequency)
    if frequency not in PLAN_FREQUENCIES:
        raise FieldError("frequency", "a plan is paid weekly, fortnightly or monthly")
    if total <= 0:
        raise FieldError("total", "there is nothing to pay: the balance is not above zero")
    affordable = affordable_per_period(disposable_monthly, frequency, currency)
    if affordable <= 0:
        raise ProposalRefusedError(
            "disposable_income",
            f"the statement leaves {disposable_monthly} {currency} a month: no instalment is "
            "affordable. Offer a referral to free debt advice and a pause instead of a plan",
            code="plan_unaffordable",
        )
    amount = affordable if instalment is None else instalment
    if amount <= 0:
        raise FieldError("instalment", "an instalment must be more than zero")
    if amount > affordable:
        raise ProposalRefusedError(
            "instalment",
            f"{amount} {currency} {frequency} is more than the disposable income allows "
            f"({affordable} {currency} {frequency}): a plan the debtor cannot keep is not offered",
            code="plan_over_disposable",
        )
    step = Decimal(1).scaleb(-minor_units(currency))
    amount = amount.quantize(step, rounding=ROUND_DOWN)
    if amount <= 0:
        raise FieldError("instalment", f"an instalment must be at least {step} {currency}")
    full, rest = divmod(total, amount)
    count = int(full) + (1 if rest else 0)
    if count > max_instalments:
        raise ProposalRefusedError(
            "instalment",
            f"{amount} {currency} {frequency} would take {count} instalments to clear {total} "
            f"{currency}; more than {max_instalments} is not a plan: refer the case for review",
            code="plan_too_long",
        )
    amounts = [amount] * int(full) + ([rest] if rest else [])
    dates = due_dates(first_due_on, frequency, count)
    return Proposal(
        total=total,
        frequency=frequency,
        instalment=amount,
        affordable=affordable,
        instalments=tuple(
            Instalment(number, due_on, value)
            for number, (due_on, value) in enumerate(zip(dates, amounts, strict=True), start=1)
        ),
    )
