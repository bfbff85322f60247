"""Deterministic test data for the contact app: a debtor in New York with an account and contact points."""

from __future__ import annotations

import itertools
from decimal import Decimal

from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Email, Phone

_sequence = itertools.count(1)


def make_client(code: str = "acme") -> Client:
    client, _ = Client.objects.get_or_create(code=code, defaults={"name": "Acme Bank"})
    return client


def make_debtor(*, language: str = "en", client: Client | None = None) -> tuple[Debtor, Account]:
    n = next(_sequence)
    client = client or make_client()
    debtor = Debtor.objects.create(first_name="Maria", last_name=f"Lopez{n}", language=language)
    Address.objects.create(
        debtor=debtor,
        line1=f"{n} Main St",
        city="Albany",
        region="NY",
        postal_code="12207",
        country="US",
    )
    Phone.objects.create(
        debtor=debtor,
        e164=f"+1518555{n % 10000:04d}",
        kind="mobile",
        line_type="mobile",
        region_code="US",
        time_zones=["America/New_York"],
    )
    Email.objects.create(debtor=debtor, address=f"maria{n}@example.com")
    account = Account.objects.create(
        client=client,
        account_number=f"ACC-{n:06d}",
        currency="USD",
        principal=Decimal("1000.00"),
        interest=Decimal("34.56"),
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return debtor, account
