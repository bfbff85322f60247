"""The one access path: every role sees exactly the accounts it should."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from solvent.core.domain.errors import NotFoundError
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.access import access_account_by_id, access_account_queryset, access_can_write
from solvent.portfolio.models import Account, Client, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenants() -> tuple[Account, Account, Team]:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    team = Team.objects.create(name="Acme team")
    team.clients.add(acme)
    acme_account = Account.objects.create(
        client=acme, account_number="A-1", currency="USD", principal=Decimal("100.00")
    )
    globex_account = Account.objects.create(client=globex, account_number="G-1", currency="USD")
    return acme_account, globex_account, team


def _user(name: str, role: Role | None, team: Team | None = None) -> User:
    user = User.objects.create_user(username=name, password="x-password-123")
    if role is not None:
        staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


@pytest.mark.parametrize(
    ("role", "in_team", "sees_acme", "sees_globex"),
    [
        (Role.AGENT, True, True, False),
        (Role.AGENT, False, False, False),
        (Role.SUPERVISOR, True, True, False),
        (Role.STRATEGY_MANAGER, True, True, False),
        (Role.CLIENT_VIEWER, True, True, False),
        (Role.COMPLIANCE_OFFICER, False, True, True),
        (Role.ADMIN, False, True, True),
        (None, True, False, False),
    ],
)
def test_role_matrix(two_tenants, role, in_team, sees_acme, sees_globex) -> None:
    _, _, team = two_tenants
    user = _user("someone", role, team if in_team else None)
    visible = set(access_account_queryset(user=user).values_list("account_number", flat=True))
    assert ("A-1" in visible) is sees_acme
    assert ("G-1" in visible) is sees_globex


def test_account_of_other_tenant_is_not_found(two_tenants) -> None:
    _, globex_account, team = two_tenants
    agent = _user("agent", Role.AGENT, team)
    with pytest.raises(NotFoundError):
        access_account_by_id(user=agent, account_id=globex_account.pk)


def test_client_viewer_cannot_write(two_tenants) -> None:
    _, _, team = two_tenants
    assert access_can_write(user=_user("viewer", Role.CLIENT_VIEWER, team)) is False
    assert access_can_write(user=_user("agent", Role.AGENT, team)) is True


def test_superuser_sees_everything(two_tenants) -> None:
    root = User.objects.create_superuser(username="root", password="x-password-123")
    assert access_account_queryset(user=root).count() == 2
