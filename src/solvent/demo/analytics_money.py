"""The demo history's money: promises and plans taken on a right-party call, the payments that
keep them (or do not), payments with no promise, settlements, returned payments and recalls.

Everything goes through the services at the moment it happened (the clock moved back, as the rest
of the demo's history is made), so promises are judged, balances move, accounts leave as paid or
settled, and the audit trail agrees. Whether a debtor pays is drawn from ``analytics_behaviour``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User

from solvent.arrangements.domain.statement import LineInput
from solvent.arrangements.services import (
    income_expenditure_record,
    plan_accept,
    plan_propose,
    promise_create,
)
from solvent.core.domain.errors import DomainError
from solvent.demo.analytics_behaviour import (
    MAX_MONTHLY,
    keep_probability,
    spontaneous_payment_probability,
)
from solvent.demo.analytics_book import PROMISED, BookAccount, Tally
from solvent.demo.work import _at
from solvent.payments.models import Payment, Settlement
from solvent.payments.services.ledger import payment_post, payment_return
from solvent.payments.services.settlements import (
    settlement_accept,
    settlement_approve,
    settlement_offer,
)
from solvent.portfolio.imports.recall_accounts import accounts_recall
from solvent.portfolio.models import Client

CENT = Decimal("0.01")
# Days after its due date a broken promise is known (the evaluation's grace, then a day).
BROKEN_KNOWN_AFTER = 4
# Share of open accounts each client recalls at the start of a month (roll-rate exits).
RECALL_SHARE = 0.012
RETURN_SHARE = 0.05  # of ACH and bank debits, returned a few days later


@dataclass(slots=True)
class Due:
    """A payment the generator will post on its day (a kept promise, an instalment, ...)."""

    account: BookAccount
    amount: Decimal
    method: str
    key: str
    settlement_id: int | None = None


@dataclass(slots=True)
class Money:
    """The year's pending money events, by day."""

    admin: User
    boss: User
    today: date
    payments: dict[date, list[Due]]
    returns: dict[date, list[int]]

    @classmethod
    def start(cls, *, today: date) -> Money:
        return cls(
            admin=User.objects.get(username="admin"),
            boss=User.objects.get(username="supervisor"),
            today=today,
            payments=defaultdict(list),
            returns=defaultdict(list),
        )


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(13, 23), rng.randrange(60)), tzinfo=UTC)


def _method(rng: random.Random) -> str:
    return rng.choice(
        (Payment.Method.CARD, Payment.Method.CARD, Payment.Method.ACH, Payment.Method.BANK_TRANSFER)
    )


def payment_make(money: Money, due: Due, day: date, tally: Tally) -> None:
    account, rng = due.account, due.account.rng
    amount = min(due.amount, account.balance).quantize(CENT)
    if amount <= 0 or account.state in ("paid", "settled", "recalled"):
        return
    try:
        with _at(_moment(day, rng)):
            payment = payment_post(
                account_id=account.pk,
                amount=amount,
                paid_on=day,
                method=due.method,
                source=Payment.Source.FILE,
                reference=f"DEMO-Y-{due.key}",
                idempotency_key=f"demo:year:{due.key}",
                debtor_id=account.debtor_id,
                settlement_id=due.settlement_id,
            )
    except DomainError:
        return
    tally.payments += 1
    account.balance -= amount
    if due.settlement_id is not None:
        account.state = "settled"
        tally.settled += 1
    elif account.balance <= 0:
        account.state = "paid"
        tally.paid_off += 1
    elif (
        due.method in (Payment.Method.ACH, Payment.Method.BANK_TRANSFER)
        and rng.random() < RETURN_SHARE
    ):
        back = day + timedelta(days=rng.randrange(3, 6))
        if back < money.today:
            money.returns[back].append(payment.pk)


def returns_make(money: Money, day: date, tally: Tally, rng: random.Random) -> None:
    for payment_id in money.returns.pop(day, []):
        try:
            with _at(_moment(day, rng)):
                payment = payment_return(
                    payment_id=payment_id,
                    reason="R01 insufficient funds",
                    actor_id=money.admin.pk,
                )
        except DomainError:
            continue
        tally.returned += 1
        del payment


def promise_take(
    money: Money,
    account: BookAccount,
    moment: datetime,
    *,
    agent_id: int,
    interaction_id: int | None,
    tally: Tally,
) -> None:
    """The debtor promises; kept or not is drawn now, the payment (if any) posted on its day."""
    rng, day = account.rng, moment.date()
    signal = account.signal(day)
    if account.balance < 400 or rng.random() < 0.25:
        amount = account.balance  # the whole balance: a pay-off promise
    else:
        share = Decimal(rng.choice((10, 15, 20, 25, 30))) / 100
        amount = max(Decimal("25.00"), (account.balance * share).quantize(CENT))
    amount = min(amount, account.balance)
    due_on = day + timedelta(days=rng.randrange(3, 15))
    try:
        with _at(moment):
            promise = promise_create(
                account_id=account.pk,
                debtor_id=account.debtor_id,
                amount=amount,
                due_on=due_on,
                interaction_id=interaction_id,
                actor_id=agent_id,
            )
    except DomainError:
        return
    tally.promises += 1
    account.state = PROMISED
    account.paused_until = due_on + timedelta(days=BROKEN_KNOWN_AFTER)
    if rng.random() < keep_probability(signal):
        paid_on = max(day + timedelta(days=1), due_on - timedelta(days=rng.randrange(0, 3)))
        if paid_on < money.today:
            money.payments[paid_on].append(
                Due(account, amount, _method(rng), f"promise-{promise.pk}")
            )
    elif due_on + timedelta(days=BROKEN_KNOWN_AFTER) < money.today:
        account.broken += 1


def plan_take(
    money: Money, account: BookAccount, moment: datetime, *, agent_id: int, tally: Tally
) -> bool:
    """A payment plan from an income and expenditure statement (a larger balance's promise)."""
    rng, day = account.rng, moment.date()
    wages = Decimal(rng.randrange(1_500, 3_400))
    lines = [
        LineInput("earnings.wages", wages),
        LineInput("home.rent", (wages * Decimal("0.35")).quantize(Decimal("1"))),
        LineInput("home.energy", Decimal(rng.randrange(90, 180))),
        LineInput("food.groceries", Decimal(rng.randrange(250, 450))),
        LineInput("communications.phone", Decimal(rng.randrange(40, 90))),
    ]
    instalment = max(Decimal("25"), (account.balance / rng.choice((4, 6, 8))).quantize(Decimal(1)))
    try:
        with _at(moment):
            statement = income_expenditure_record(
                debtor_id=account.debtor_id, account_id=account.pk, lines=lines, actor_id=agent_id
            )
            plan = plan_propose(
                account_id=account.pk,
                debtor_id=account.debtor_id,
                income_expenditure_id=statement.pk,
                frequency="monthly",
                first_due_on=day + timedelta(days=rng.randrange(5, 15)),
                instalment=instalment,
                actor_id=agent_id,
            )
            plan = plan_accept(plan_id=plan.pk, actor_id=agent_id)
    except DomainError:
        return False
    tally.plans += 1
    account.state = PROMISED
    last = day
    for row in plan.instalments.order_by("number"):
        if rng.random() >= keep_probability(account.signal(row.due_on)):
            last = row.due_on + timedelta(days=BROKEN_KNOWN_AFTER)
            if last < money.today:
                account.broken += 1
            break
        last = row.due_on + timedelta(days=BROKEN_KNOWN_AFTER)
        if row.due_on < money.today:
            money.payments[row.due_on].append(
                Due(account, row.amount, _method(rng), f"instalment-{row.pk}")
            )
    account.paused_until = last
    return True


def settlement_take(
    money: Money, account: BookAccount, moment: datetime, *, agent_id: int, tally: Tally
) -> None:
    """A late-stage debtor offered a settlement accepts; most pay it within days."""
    rng, day = account.rng, moment.date()
    amount = (account.balance * Decimal(rng.choice(("0.70", "0.75", "0.80", "0.85")))).quantize(
        CENT
    )
    try:
        with _at(moment):
            settlement = settlement_offer(
                account_id=account.pk,
                debtor_id=account.debtor_id,
                amount=amount,
                due_on=day + timedelta(days=14),
                actor_id=agent_id,
            )
            if settlement.status == Settlement.Status.PENDING_APPROVAL:
                settlement_approve(
                    settlement_id=settlement.pk,
                    actor_id=money.boss.pk,
                    note="within the year's usual discount",
                )
            settlement_accept(settlement_id=settlement.pk, debtor_id=account.debtor_id)
    except DomainError:
        return
    account.state = PROMISED
    account.paused_until = day + timedelta(days=18)
    paid_on = day + timedelta(days=rng.randrange(2, 10))
    if rng.random() < 0.8 and paid_on < money.today:
        money.payments[paid_on].append(
            Due(account, amount, Payment.Method.CARD, f"settle-{settlement.pk}", settlement.pk)
        )


def spontaneous_draw(money: Money, account: BookAccount, day: date) -> None:
    """A payment nobody asked for today (a portal payment, a cheque in the post)."""
    rng = account.rng
    draw = rng.random()
    # The hazard is at most MAX_MONTHLY a month: most days need no look at the account.
    if (
        draw >= MAX_MONTHLY / 30
        or draw >= spontaneous_payment_probability(account.signal(day)) / 30
    ):
        return
    if account.balance < 300 or rng.random() < 0.15:
        amount = account.balance
    else:
        amount = (account.balance * Decimal(rng.choice((5, 10, 20, 30))) / 100).quantize(CENT)
    # Paid the next day: today's payments are already posted when the day's draws are made.
    paid_on = day + timedelta(days=1)
    if paid_on < money.today:
        money.payments[paid_on].append(
            Due(account, amount, _method(rng), f"own-{account.pk}-{day}")
        )


def recalls_make(book: list[BookAccount], day: date, tally: Tally, rng: random.Random) -> None:
    """Each client takes back a few of its open accounts (paid direct, sold, placement expired)."""
    by_client: dict[str, list[BookAccount]] = defaultdict(list)
    for account in book:
        if account.workable(day) and (day - account.placed_on).days >= 60:
            by_client[account.client_code].append(account)
    for code, accounts in sorted(by_client.items()):
        chosen = [a for a in accounts if rng.random() < RECALL_SHARE]
        if not chosen:
            continue
        with _at(datetime.combine(day, time(8), tzinfo=UTC)):
            recalled = accounts_recall(
                client=Client.objects.get(code=code),
                account_ids=[a.pk for a in chosen],
                placement=None,
                reason="the client's monthly recall (demo history)",
                actor_id=None,
            )
        for account in chosen:
            account.state = "recalled"
        tally.recalled += recalled
