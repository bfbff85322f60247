"""A synthetic payment history for the propensity tests: payments depend on the product.

Utility accounts pay in a 30-day window with probability ``UTILITY_RATE``, card accounts with
``CARD_RATE``; everything else is noise the model should not lean on. Deterministic for a seed (the
tests print it). Built with bulk inserts: a few hundred accounts and their payments in well under a
second on either database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from solvent.payments.models import Payment
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor

AS_OF = date(2026, 6, 1)
PLACED_ON = date(2025, 9, 1)
UTILITY_RATE = 0.55
CARD_RATE = 0.08
LANGUAGES = ("en", "es", "fr")
STATES = ("NY", "TX", "CA", "OH", "")
BIRTH_YEARS = (1950, 1965, 1980, 1995, 2003)


@dataclass(frozen=True)
class World:
    client: Client
    accounts: list[Account]
    debtors: list[Debtor]
    seed: int


def synthetic_history(*, accounts: int = 240, seed: int = 16, as_of: date = AS_OF) -> World:
    rng = random.Random(seed)
    client, _ = Client.objects.get_or_create(code="propensity", defaults={"name": "Propensity Co"})
    debtors = Debtor.objects.bulk_create(
        [
            Debtor(
                first_name="Pat",
                last_name=f"Payer{n}",
                language=LANGUAGES[n % len(LANGUAGES)],
                date_of_birth=f"{BIRTH_YEARS[n % len(BIRTH_YEARS)]}-03-15" if n % 7 else "",
            )
            for n in range(accounts)
        ]
    )
    Address.objects.bulk_create(
        [
            Address(
                debtor=debtor,
                line1="1 Main St",
                city="Town",
                region=STATES[n % len(STATES)],
                postal_code="10001",
                country="US",
            )
            for n, debtor in enumerate(debtors)
        ]
    )
    products = [
        Account.Product.UTILITY if rng.random() < 0.5 else Account.Product.CREDIT_CARD
        for _ in range(accounts)
    ]
    rows = Account.objects.bulk_create(
        [
            Account(
                client=client,
                account_number=f"PR-{n}",
                product=product,
                currency="USD",
                principal=Decimal(rng.randrange(500, 5000)),
                delinquency_date=PLACED_ON - timedelta(days=rng.randrange(60, 400)),
                placed_on=PLACED_ON,
            )
            for n, product in enumerate(products)
        ]
    )
    AccountDebtor.objects.bulk_create(
        [
            AccountDebtor(account=account, debtor=debtor)
            for account, debtor in zip(rows, debtors, strict=True)
        ]
    )
    payments = []
    for account, debtor in zip(rows, debtors, strict=True):
        rate = UTILITY_RATE if account.product == Account.Product.UTILITY else CARD_RATE
        window = PLACED_ON
        while window < as_of:
            if rng.random() < rate:
                paid_on = window + timedelta(days=rng.randrange(30))
                if paid_on < as_of:
                    payments.append(_payment(account, debtor, paid_on))
            window += timedelta(days=30)
    Payment.objects.bulk_create(payments)
    return World(client=client, accounts=rows, debtors=debtors, seed=seed)


def _payment(
    account: Account, debtor: Debtor | None, paid_on: date, status: str = Payment.Status.CLEARED
) -> Payment:
    return Payment(
        account=account,
        client_id=account.client_id,
        debtor=debtor,
        amount=Decimal("10.00"),
        currency="USD",
        method=Payment.Method.CARD,
        paid_on=paid_on,
        status=status,
        source=Payment.Source.API,
        posted_at=datetime.combine(paid_on, datetime.min.time(), tzinfo=UTC),
    )


def payment_add(account: Account, paid_on: date, status: str = Payment.Status.CLEARED) -> Payment:
    debtor = account.debtors.first()
    payment = _payment(account, debtor, paid_on, status)
    payment.save()
    return payment
