"""An experiment's figures per arm, read from the records: each figure has an exact expected value.

The experiment runs on segment "early" from DAY - 20; acme's A-1 and A-2 are in the champion arm,
A-3 in the challenger; globex's B-0 is in the champion arm too (only the admin counts it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from solvent.arrangements.models import Promise
from solvent.compliance.models import ContactAttempt, Hold
from solvent.payments.models import Payment
from solvent.portfolio.models import Account
from solvent.strategy.models import ActionResult, Experiment, PathPosition, Strategy
from solvent.strategy.selectors.experiments import experiment_results
from solvent.strategy.services.definitions import experiment_start
from tests.strategy.definitions_world import DAY, NOON, StrategyWorld, world_build

pytestmark = pytest.mark.django_db

EVENT = NOON - timedelta(days=5)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


def _position(account: Account, arm: str) -> None:
    PathPosition.objects.create(
        account=account,
        strategy=Strategy.objects.get(key="early"),
        segment_key="early",
        arm=arm,
        entered_on=DAY - timedelta(days=20),
        updated_at=NOON,
    )


def _attempt(
    accounts: list[Account],
    channel: str,
    outcome: str = "",
    status: str = ContactAttempt.Status.COMPLETED,
) -> ContactAttempt:
    attempt = ContactAttempt.objects.create(
        debtor=accounts[0].debtors.get(),
        channel=channel,
        contact_point="+16142250101",
        at=EVENT,
        status=status,
        outcome=outcome,
    )
    attempt.accounts.set(accounts)
    return attempt


def _result(account: Account, row_key: str, **fields: object) -> ActionResult:
    values: dict[str, object] = {"channel": "call", "occurred_at": EVENT, "created_at": NOON}
    values.update(fields)
    return ActionResult.objects.create(account=account, row_key=row_key, **values)


def _paid(account: Account, amount: Decimal, paid_on: date, status: str = "cleared") -> Payment:
    """A payment in the ledger (the figures read it whatever brought it: a file, the gateway)."""
    return Payment.objects.create(
        account=account,
        client=account.client,
        amount=amount,
        currency="USD",
        method=Payment.Method.CARD,
        paid_on=paid_on,
        status=status,
        source=Payment.Source.FILE,
        posted_at=NOON,
    )


def _promise(account: Account, due_days: int, status: str) -> Promise:
    return Promise.objects.create(
        account=account,
        debtor=account.debtors.get(),
        amount=Decimal("25.00"),
        currency="USD",
        due_on=DAY + timedelta(days=due_days),
        status=status,
        created_at=EVENT,
    )


@pytest.fixture
def world() -> StrategyWorld:
    world = world_build()
    experiment_start(
        key="sooner",
        name="Call sooner",
        segment_key="early",
        arms=[
            {"arm": "champion", "strategy": "early", "percent": 50},
            {"arm": "challenger", "strategy": "middle", "percent": 50},
        ],
        actor_id=None,
    )
    Experiment.objects.filter(key="sooner").update(started_on=DAY - timedelta(days=20))
    a1, a2, a3 = world.accounts["acme"][:3]
    b0 = world.accounts["globex"][0]
    _position(a1, "champion")
    _position(a2, "champion")
    _position(a3, "challenger")
    _position(b0, "champion")
    talked = _attempt([a1], "call", ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION)
    no_answer = _attempt([a1], "call", ContactAttempt.Outcome.NO_ANSWER)
    _attempt([a2], "sms", ContactAttempt.Outcome.DELIVERED)
    _attempt([a2], "call", status=ContactAttempt.Status.CANCELLED)  # never made
    _attempt([a1, a2], "call", ContactAttempt.Outcome.WRONG_NUMBER)  # one attempt, two accounts
    _attempt([b0], "call", ContactAttempt.Outcome.NO_ANSWER)
    # The vendor says the no-answer call reached the right party after all.
    _result(a1, "rpc-later", right_party=True, compliance_attempt_id=no_answer.pk)
    # A print house's letter that never went through the ledger (the loop's rows all do).
    _result(a2, "letter", channel="letter", outcome="sent")
    _result(a2, "refused", channel="sms", refused_reason="cap reached")  # not an attempt
    _promise(a1, due_days=-10, status=Promise.Status.KEPT)
    _promise(a2, due_days=+10, status=Promise.Status.PENDING)
    _result(
        a2,
        "posted-promise",
        promise_date=DAY - timedelta(days=4),
        promise_amount=Decimal("50.00"),
        compliance_attempt_id=talked.pk,
    )
    paid_on = DAY - timedelta(days=2)  # two days late: within the grace of 3
    _paid(a2, Decimal("50.00"), paid_on)
    _paid(b0, Decimal("9.00"), DAY)
    _paid(a2, Decimal("70.00"), paid_on, status=Payment.Status.RETURNED)  # bounced: not collected
    _result(a1, "complaint", complaint=True, compliance_attempt_id=talked.pk)
    hold = Hold.objects.create(
        debtor=a1.debtors.get(), kind=Hold.Kind.COMPLAINT, source="call", placed_at=EVENT
    )
    hold.accounts.set([a1])
    return world


def test_the_champions_figures_come_from_the_ledger_the_results_and_the_promises(
    world: StrategyWorld,
) -> None:
    experiment = Experiment.objects.get(key="sooner")
    results = experiment_results(user=world.users["manager"], experiment=experiment, today=DAY)
    champion = results.arms[0]
    assert champion.attempts_by_channel == {"call": 3, "sms": 1, "letter": 1}
    figures = champion.figures
    assert (figures.accounts, figures.attempts, figures.contacts, figures.rpcs) == (2, 5, 3, 2)
    # Promise rows: kept (due 10 days ago; a1 had a right-party contact); a posted promise due 4
    # days ago (past its 3 days of grace) that the 50.00 paid two days ago keeps. a2's pending
    # promise was entered with no right-party contact in the period: not a promise rate's promise.
    assert (figures.promises, figures.promises_due, figures.promises_kept) == (2, 2, 2)
    assert figures.collected_minor == 5000
    assert figures.cost_minor == 3 * 150 + 2 + 90
    assert figures.complaints == 1  # a complaint posted and a complaint hold: one account
    assert (results.since, results.until, results.currency) == (
        DAY - timedelta(days=20),
        DAY,
        "USD",
    )


def test_the_challenger_with_no_activity_has_zeros_and_is_compared_with_the_champion(
    world: StrategyWorld,
) -> None:
    experiment = Experiment.objects.get(key="sooner")
    results = experiment_results(user=world.users["manager"], experiment=experiment, today=DAY)
    challenger = results.arms[1].figures
    assert (challenger.arm, challenger.accounts, challenger.attempts) == ("challenger", 1, 0)
    ((name, metrics),) = results.comparisons
    assert name == "challenger"
    by_metric = {metric.metric: metric for metric in metrics}
    rpc = by_metric["rpc_rate"]
    assert (rpc.champion_numerator, rpc.champion_denominator) == (2, 5)
    assert (rpc.challenger_numerator, rpc.challenger_denominator) == (0, 0)
    collected = by_metric["collected_per_account"]
    assert collected.champion_rate == pytest.approx(25.0)  # 50.00 over 2 accounts


def test_the_figures_count_only_the_users_clients_accounts(world: StrategyWorld) -> None:
    experiment = Experiment.objects.get(key="sooner")
    admin = experiment_results(user=world.users["admin"], experiment=experiment, today=DAY)
    figures = admin.arms[0].figures
    assert (figures.accounts, figures.attempts, figures.collected_minor) == (3, 6, 5900)


def test_an_ended_experiment_counts_up_to_its_last_day(world: StrategyWorld) -> None:
    Experiment.objects.filter(key="sooner").update(ended_on=DAY - timedelta(days=6))
    experiment = Experiment.objects.get(key="sooner")
    results = experiment_results(user=world.users["manager"], experiment=experiment, today=DAY)
    figures = results.arms[0].figures
    assert (figures.attempts, figures.promises, figures.collected_minor) == (0, 0, 0)
