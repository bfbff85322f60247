"""The validation notice's itemization after payments to us: as placed, less what the ledger took.

Reg F 1006.34(c)(2)(vi)-(viii): the amount on the itemization date, the interest, fees, payments
and credits since, and the current amount; they must add up. A return gives the payment back.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from solvent.contact.letter_batches import validation_notice_enqueue
from solvent.payments.services.ledger import payment_post, payment_return
from solvent.portfolio.models import Account, Address
from tests.arrangements.factories import debt_create

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 18)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


def _facts(account: Account) -> dict[str, str]:
    debtor = account.debtors.get()
    address = Address.objects.create(
        debtor=debtor,
        line1="1 Main St",
        city="Albany",
        region="NY",
        postal_code="12201",
        country="US",
    )
    message = validation_notice_enqueue(
        account_id=account.pk, debtor_id=debtor.pk, address_id=address.pk
    )
    return json.loads(message.body)


def _pay(account: Account, amount: str, key: str) -> int:
    return payment_post(
        account_id=account.pk,
        amount=amount,
        paid_on=TODAY,
        method="card",
        source="agent",
        idempotency_key=key,
    ).pk


def test_the_itemization_shows_payments_to_us_and_adds_up_to_the_balance() -> None:
    account, _ = debt_create(principal="500.00")
    Account.objects.filter(pk=account.pk).update(
        interest=D("30.00"), fees=D("20.00"), last_payment_date=date(2025, 3, 1)
    )
    _pay(account, "60.00", "a")
    returned = _pay(account, "15.00", "b")
    payment_return(payment_id=returned, reason="NSF")
    account.refresh_from_db()
    facts = _facts(account)
    assert facts["amount_on_itemization_date"] == "500.00"
    assert (facts["interest_since"], facts["fees_since"]) == ("30.00", "20.00")
    assert facts["payments_since"] == "60.00"  # the returned 15.00 is not a payment
    total = (
        D(facts["amount_on_itemization_date"])
        + D(facts["interest_since"])
        + D(facts["fees_since"])
        - D(facts["payments_since"])
    )
    assert total == account.balance == D("490.00")
    # The itemization date is the client's last payment, which the ledger never moves.
    assert facts["itemization_date"] == "2025-03-01"
