"""Shared fixtures for the compliance service, API and CLI tests: one Ohio debtor with two debts.

Ohio (one time zone, no state call cap in the shipped packs) keeps the Reg F rules alone in play, so
the tests read as the regulation does. Times are fixed: Tuesday 9 June 2026, noon in Columbus.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Email, Phone

# Tuesday 9 June 2026, 12:00 EDT.
NOON = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
MOBILE = "+16142250123"
WORK_PHONE = "+16142250199"
EMAIL = "pat.doe@example.com"


@dataclass
class OhioDebtor:
    debtor: Debtor
    card: Account
    loan: Account
    home: Address


def ohio_debtor_create(suffix: str = "1") -> OhioDebtor:
    client, _ = Client.objects.get_or_create(code="acme", defaults={"name": "Acme Bank"})
    debtor = Debtor.objects.create(first_name="Pat", last_name=f"Doe{suffix}")
    home = Address.objects.create(
        debtor=debtor,
        kind=Address.Kind.HOME,
        line1="1 High St",
        city="Columbus",
        region="OH",
        postal_code="43215",
        country="US",
    )
    Phone.objects.create(
        debtor=debtor, e164=MOBILE, kind=Phone.Kind.MOBILE, line_type=Phone.LineType.MOBILE
    )
    Phone.objects.create(
        debtor=debtor, e164=WORK_PHONE, kind=Phone.Kind.WORK, line_type=Phone.LineType.LANDLINE
    )
    Email.objects.create(debtor=debtor, address=EMAIL)
    card = Account.objects.create(
        client=client,
        account_number=f"CARD-{suffix}",
        currency="USD",
        product=Account.Product.CREDIT_CARD,
        principal=Decimal("1200.00"),
    )
    loan = Account.objects.create(
        client=client,
        account_number=f"LOAN-{suffix}",
        currency="USD",
        product=Account.Product.PERSONAL_LOAN,
        principal=Decimal("800.00"),
    )
    for account in (card, loan):
        AccountDebtor.objects.create(account=account, debtor=debtor)
    return OhioDebtor(debtor=debtor, card=card, loan=loan, home=home)


def scenario(at: str = "2026-04-15T07:59:00-04:00") -> dict[str, Any]:
    """A Philadelphia debtor and a proposed call; 07:59 local is a minute too early."""
    return {
        "debtor": {
            "addresses": [{"id": "home", "country": "US", "region": "PA", "city": "Philadelphia"}],
            "contact_points": [{"id": "cell", "kind": "mobile", "value": "+12155550100"}],
            "debts": [
                {"id": "card", "kind": "credit_card", "validation_notice_sent_on": "2026-01-05"}
            ],
        },
        "history": [],
        "proposed": {"at": at, "channel": "call", "contact_point_id": "cell", "debt_id": "card"},
    }
