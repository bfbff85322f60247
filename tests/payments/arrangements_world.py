"""Helpers of the promises-and-plans tests: a clock to move, a debt, promises, plans, payments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
import time_machine

from solvent.arrangements import services as arrangements
from solvent.arrangements.domain.statement import Frequency, LineInput
from solvent.arrangements.models import PaymentPlan, Promise
from solvent.payments.models import Payment, Settlement
from solvent.payments.services.ledger import payment_post
from solvent.portfolio.models import Account, Debtor
from solvent.strategy.models import WorkItem

D = Decimal
# Leaves 750.00 a month: a weekly instalment of up to 173.07.
LINES = [
    LineInput("earnings.wages", D("1800"), Frequency.MONTHLY),
    LineInput("benefits.child_benefit", D("100"), Frequency.FORTNIGHTLY),
    LineInput("home.rent", D("900"), Frequency.MONTHLY),
    LineInput("food.groceries", D("75"), Frequency.WEEKLY),
    LineInput("priority_debts.council_tax_arrears", D("41.67"), Frequency.MONTHLY),
]


class Clock:
    """The day the services see (noon UTC, a weekday in December 2026 unless moved)."""

    def __init__(self, traveller: time_machine.Coordinates) -> None:
        self._traveller = traveller

    def to(self, day: date, hour: int = 12) -> date:
        self._traveller.move_to(datetime.combine(day, time(hour), tzinfo=UTC))
        return day


@pytest.fixture(name="clock")
def clock_fixture() -> Iterator[Clock]:
    """Import it into a test module to use ``clock`` there."""
    with time_machine.travel(datetime(2026, 12, 2, 12, tzinfo=UTC), tick=False) as traveller:
        yield Clock(traveller)


def promise_make(account: Account, debtor: Debtor, amount: str, due_on: date, **extra) -> Promise:
    return arrangements.promise_create(
        account_id=account.pk, debtor_id=debtor.pk, amount=amount, due_on=due_on, **extra
    )


def plan_make(account: Account, debtor: Debtor, first_due_on: date, instalment: str) -> PaymentPlan:
    """A weekly plan accepted today."""
    statement = arrangements.income_expenditure_record(
        debtor_id=debtor.pk, account_id=account.pk, lines=LINES
    )
    plan = arrangements.plan_propose(
        account_id=account.pk,
        debtor_id=debtor.pk,
        income_expenditure_id=statement.pk,
        frequency="weekly",
        first_due_on=first_due_on,
        instalment=instalment,
    )
    return arrangements.plan_accept(plan_id=plan.pk)


def pay(account: Account, amount: str, paid_on: date, **extra) -> Payment:
    fields: dict[str, object] = {"method": "card", "source": "agent"} | extra
    return payment_post(account_id=account.pk, amount=amount, paid_on=paid_on, **fields)  # type: ignore[arg-type]


def status_of(row: Promise | PaymentPlan | Account | Settlement) -> str:
    row.refresh_from_db()
    return row.status


def open_items(account: Account) -> list[tuple[str, str]]:
    """(kind, source key) of the account's open work items."""
    return list(
        WorkItem.objects.filter(account_id=account.pk, status=WorkItem.Status.OPEN)
        .order_by("pk")
        .values_list("kind", "source_key")
    )
