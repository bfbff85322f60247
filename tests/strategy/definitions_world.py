"""A small world for the strategy pages' and API's tests: two clients, their staff, a few accounts.

Client A (acme) is served by a team with a strategy manager, a supervisor, an agent and a client
viewer; client B (globex) by its own strategy manager. The admin is agency-wide (in no team).
Accounts are placed with known days past due on ``DAY`` so segment counts have exact answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Team
from solvent.strategy.services.definitions import strategy_defaults_install

DAY = date(2026, 6, 9)
NOON = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


@dataclass
class StrategyWorld:
    acme: Client
    globex: Client
    users: dict[str, User]
    accounts: dict[str, list[Account]]

    def http(self, who: str) -> HttpClient:
        http = HttpClient()
        http.force_login(self.users[who])
        return http


def _staff(name: str, role: Role | None, team: Team | None) -> User:
    user = User.objects.create_user(username=name)
    if role is not None:
        staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


def account_create(client: Client, number: str, *, days_past_due: int, balance: str) -> Account:
    account = Account.objects.create(
        client=client,
        account_number=number,
        currency="USD",
        product=Account.Product.CREDIT_CARD,
        principal=Decimal(balance),
        delinquency_date=DAY - timedelta(days=days_past_due),
        placed_on=DAY - timedelta(days=10),
    )
    debtor = Debtor.objects.create(first_name="Pat", last_name=f"Doe{number}")
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return account


def world_build(*, defaults: bool = True) -> StrategyWorld:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    acme_team = Team.objects.create(name="acme floor")
    acme_team.clients.add(acme)
    globex_team = Team.objects.create(name="globex floor")
    globex_team.clients.add(globex)
    users = {
        "manager": _staff("manager", Role.STRATEGY_MANAGER, acme_team),
        "supervisor": _staff("supervisor", Role.SUPERVISOR, acme_team),
        "agent": _staff("agent", Role.AGENT, acme_team),
        "viewer": _staff("viewer", Role.CLIENT_VIEWER, acme_team),
        "admin": _staff("admin", Role.ADMIN, None),
        "globex_manager": _staff("globex_manager", Role.STRATEGY_MANAGER, globex_team),
        "no_role": _staff("no_role", None, acme_team),
    }
    # acme: 3 early (1-30), 2 middle (31-90), 1 late (91+); globex: 4 early.
    accounts = {
        "acme": [
            account_create(acme, "A-1", days_past_due=5, balance="200.00"),
            account_create(acme, "A-2", days_past_due=20, balance="1500.00"),
            account_create(acme, "A-3", days_past_due=30, balance="999.99"),
            account_create(acme, "A-4", days_past_due=45, balance="2500.00"),
            account_create(acme, "A-5", days_past_due=70, balance="80.00"),
            account_create(acme, "A-6", days_past_due=150, balance="5000.00"),
        ],
        "globex": [
            account_create(globex, f"B-{n}", days_past_due=10, balance="300.00") for n in range(4)
        ],
    }
    if defaults:
        strategy_defaults_install()
    return StrategyWorld(acme, globex, users, accounts)
