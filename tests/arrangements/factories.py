"""factory_boy factories for the arrangements' tests: deterministic defaults, a UK debt by default."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth.models import User

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Team


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ("code",)

    code = "harbor"
    name = "Harbor Bank"
    currency = "GBP"
    country = "GB"


class DebtorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Debtor

    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Stone{n}")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    debtor = factory.SubFactory(DebtorFactory)
    line1 = "1 High Street"
    city = "Leeds"
    region = ""
    postal_code = "LS1 1AA"
    country = "GB"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    client = factory.SubFactory(ClientFactory)
    account_number = factory.Sequence(lambda n: f"HB-{n}")
    currency = "GBP"
    principal = Decimal("1000.00")


def debt_create(
    *, client: Client | None = None, debtor: Debtor | None = None, principal: str = "1000.00"
) -> tuple[Account, Debtor]:
    """An account owed by a debtor (a new one unless given) living in Leeds."""
    if debtor is None:
        debtor = DebtorFactory()
        AddressFactory(debtor=debtor)
    account = AccountFactory(client=client or ClientFactory(), principal=Decimal(principal))
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return account, debtor


def staff_create(username: str, role: Role, *, clients: tuple[Client, ...] = ()) -> User:
    user = User.objects.create_user(username=username)
    staff_role_set(user=user, role=role)
    if clients:
        team, _ = Team.objects.get_or_create(name=f"team-{username}")
        team.clients.add(*clients)
        team.members.add(user)
    return user
