"""Each account as it stood on a snapshot day, rebuilt from the history: what the model learns from.

One account with a known history (payments, a returned payment, attempts before and after the day,
a cancelled attempt, promises, a plan) and accounts that must stay out (placed later, recalled
before, paid off before)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from solvent.analytics.propensity_history import payment_history_frame, snapshot_frames
from solvent.arrangements.models import PaymentPlan, Promise
from solvent.compliance.models import ContactAttempt
from solvent.payments.models import Payment
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor
from tests.analytics.propensity_world import payment_add

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 1)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _account(client: Client, number: str, **fields: object) -> Account:
    defaults: dict[str, object] = {
        "product": Account.Product.CREDIT_CARD,
        "currency": "USD",
        "principal": Decimal("1000.00"),
        "delinquency_date": date(2025, 10, 1),
        "placed_on": date(2026, 1, 1),
    }
    account = Account.objects.create(client=client, account_number=number, **(defaults | fields))
    debtor = Debtor.objects.create(first_name="Sam", last_name=number)
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return account


def _attempt(debtor: Debtor, at: datetime, outcome: str = "no_answer", **fields: object) -> None:
    ContactAttempt.objects.create(
        debtor=debtor,
        direction=fields.pop("direction", ContactAttempt.Direction.OUTBOUND),
        channel="call",
        contact_point="+16142250101",
        at=at,
        status=fields.pop("status", ContactAttempt.Status.COMPLETED),
        outcome=outcome,
    )


@pytest.fixture
def client() -> Client:
    return Client.objects.create(code="hist", name="History Co")


def test_an_account_on_the_day_is_what_its_history_said_then(client) -> None:
    account = _account(client, "A-1")
    debtor = account.debtors.get()
    payment_add(account, date(2026, 2, 10))
    payment_add(account, date(2026, 3, 1), Payment.Status.RETURNED)  # bounced: not a payment
    payment_add(account, date(2026, 3, 5))
    _attempt(debtor, _at(date(2026, 2, 20)))
    _attempt(debtor, _at(date(2026, 2, 25)), ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION)
    _attempt(debtor, _at(date(2026, 2, 27)))
    _attempt(debtor, _at(date(2026, 2, 28)))
    _attempt(debtor, _at(date(2026, 2, 28), 13), status=ContactAttempt.Status.CANCELLED)
    _attempt(debtor, _at(date(2026, 2, 28), 14), direction=ContactAttempt.Direction.INBOUND)
    _attempt(debtor, _at(date(2026, 3, 2)), ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION)
    promise = {"account": account, "debtor": debtor, "amount": Decimal(50), "currency": "USD"}
    Promise.objects.create(
        **promise,
        due_on=date(2026, 2, 1),
        status=Promise.Status.BROKEN,
        created_at=_at(date(2026, 1, 20)),
        status_changed_at=_at(date(2026, 2, 5)),
    )
    Promise.objects.create(
        **promise,
        due_on=date(2026, 3, 5),
        status=Promise.Status.KEPT,
        created_at=_at(date(2026, 2, 26)),
        status_changed_at=_at(date(2026, 3, 5)),
    )
    Promise.objects.create(  # broken after the day: not yet broken on it
        **promise,
        due_on=date(2026, 3, 20),
        status=Promise.Status.BROKEN,
        created_at=_at(date(2026, 3, 10)),
        status_changed_at=_at(date(2026, 3, 25)),
    )
    [row] = snapshot_frames([DAY]).to_dicts()
    assert row["account_id"] == account.pk and row["debtor_id"] == debtor.pk
    # Today's balance plus the cleared payment made since the day (the returned one never was).
    assert row["balance_minor"] == 101_000
    assert row["days_past_due"] == 151 and row["stage"] == "121-180"
    assert row["days_since_placement"] == 59
    assert row["payments_before"] == 1 and row["days_since_payment"] == 19
    assert row["label"] is True  # the 5 March payment is within 30 days
    # The conversation of 25 Feb at noon (3.5 days before), three outbound attempts in the last
    # 7 days, two since the conversation; the cancelled, inbound and later attempts do not count.
    assert row["days_since_rpc"] == 3
    assert row["attempts_7d"] == 3
    assert row["attempts_since_rpc"] == 2
    assert row["broken_promises"] == 1
    assert row["active_promise"] is True
    assert row["active_plan"] is False


def test_a_running_plan_and_a_client_reported_payment_are_read_as_of_the_day(client) -> None:
    account = _account(client, "A-2", last_payment_date=date(2025, 8, 1))
    debtor = account.debtors.get()
    PaymentPlan.objects.create(
        account=account,
        debtor=debtor,
        total=Decimal(500),
        currency="USD",
        frequency="monthly",
        instalment_amount=Decimal(50),
        affordable_amount=Decimal(60),
        first_due_on=date(2026, 2, 15),
        status=PaymentPlan.Status.ACTIVE,
        created_at=_at(date(2026, 2, 1)),
        accepted_at=_at(date(2026, 2, 2)),
    )
    [row] = snapshot_frames([DAY]).to_dicts()
    assert row["active_plan"] is True
    assert row["payments_before"] == 0
    assert row["days_since_payment"] == (DAY - date(2025, 8, 1)).days
    assert row["days_since_rpc"] is None and row["attempts_since_rpc"] == 0
    assert row["label"] is False
    [before] = snapshot_frames([date(2026, 2, 1)]).to_dicts()
    assert before["active_plan"] is False


def test_accounts_not_open_on_the_day_are_left_out(client) -> None:
    _account(client, "later", placed_on=date(2026, 4, 1))
    _account(client, "recalled", recalled_at=_at(date(2026, 2, 1)), status="recalled")
    paid_off = _account(client, "paid", status=Account.Status.PAID, principal=Decimal(0))
    payment_add(paid_off, date(2026, 1, 15))
    still_paying = _account(client, "paying", status=Account.Status.PAID, principal=Decimal(0))
    payment_add(still_paying, date(2026, 3, 10))
    open_one = _account(client, "open")
    frames = snapshot_frames([DAY])
    assert sorted(frames.get_column("account_id").to_list()) == sorted(
        [still_paying.pk, open_one.pk]
    )
    paying = frames.filter(frames["account_id"] == still_paying.pk).to_dicts()[0]
    assert paying["balance_minor"] == 1_000 and paying["label"] is True


def test_the_plans_payment_inputs_count_cleared_payments_before_the_day(client) -> None:
    account = _account(client, "P-1")
    other = _account(client, "P-2")
    payment_add(account, date(2026, 2, 1))
    payment_add(account, date(2026, 2, 20))
    payment_add(account, date(2026, 2, 25), Payment.Status.REVERSED)
    payment_add(account, date(2026, 3, 1))  # on the day: not before it
    rows = {
        row["account_id"]: row
        for row in payment_history_frame(account_ids=[account.pk, other.pk], day=DAY).to_dicts()
    }
    assert rows[account.pk] == {
        "account_id": account.pk,
        "payments_before": 2,
        "days_since_payment": 9,
    }
    assert rows[other.pk]["payments_before"] == 0 and rows[other.pk]["days_since_payment"] is None
