"""The data step of portfolio 0003: contact points already on file get the client that supplied them."""

from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps

from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Phone

pytestmark = pytest.mark.django_db

migration = importlib.import_module("solvent.portfolio.migrations.0003_contact_point_clients")


def test_each_old_contact_point_goes_to_the_client_whose_import_wrote_it() -> None:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    debtor = Debtor.objects.create(first_name="Pat", last_name="Doe")
    first = Account.objects.create(client=acme, account_number="A-1", principal=Decimal(1))
    AccountDebtor.objects.create(account=first, debtor=debtor)
    acme_phone = Phone.objects.create(debtor=debtor, e164="+16142250123")
    later = first.created_at + timedelta(days=30)
    second = Account.objects.create(client=globex, account_number="G-1", principal=Decimal(1))
    Account.objects.filter(pk=second.pk).update(created_at=later)
    AccountDebtor.objects.create(account=second, debtor=debtor)
    globex_phone = Phone.objects.create(debtor=debtor, e164="+16142250777")
    Phone.objects.filter(pk=globex_phone.pk).update(created_at=later + timedelta(seconds=1))
    learned = Phone.objects.create(debtor=debtor, e164="+16142250999", source="debtor")
    orphan_debtor = Debtor.objects.create(first_name="Lee", last_name="Roe")
    for client, number in ((acme, "A-2"), (globex, "G-2")):
        account = Account.objects.create(client=client, account_number=number, principal=Decimal(1))
        Account.objects.filter(pk=account.pk).update(created_at=later + timedelta(days=1))
        AccountDebtor.objects.create(account=account, debtor=orphan_debtor)
    orphan_phone = Phone.objects.create(debtor=orphan_debtor, e164="+16142250555")

    migration._suppliers(apps, None)

    def codes(phone: Phone) -> set[str]:
        return {client.code for client in phone.clients.all()}

    assert codes(acme_phone) == {"acme"}
    assert codes(globex_phone) == {"globex"}
    assert codes(learned) == set()  # the agency's own: every client of the debtor sees it
    assert codes(orphan_phone) == {"acme", "globex"}  # older than every account: both
