"""The portfolio API: token auth, tenant-scoped reads, masked personal data, bounded queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_token() -> str:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex")
    team = Team.objects.create(name="Acme floor")
    team.clients.add(acme)
    agent = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    for index in range(12):
        debtor = Debtor.objects.create(
            first_name=f"First{index}",
            last_name="Doe",
            national_id="123-45-6789",
            national_id_last4="6789",
        )
        account = Account.objects.create(
            client=acme,
            account_number=f"A-{index}",
            currency="USD",
            principal=Decimal("100.10"),
            interest=Decimal("0.90"),
        )
        AccountDebtor.objects.create(account=account, debtor=debtor)
    Account.objects.create(client=globex, account_number="G-1", currency="USD")
    return api_token_create(user=agent, name="integration")


def _get(path: str, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return HttpClient().get(path, **headers)


def test_no_token_is_401(agent_token: str) -> None:
    assert _get("/api/accounts", None).status_code == 401
    assert _get("/api/accounts", "slv_not-a-real-token").status_code == 401


def test_accounts_are_tenant_scoped_and_paginated(agent_token: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = _get("/api/accounts?limit=5", agent_token)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 12  # the other client's account is not counted
    assert len(body["items"]) == 5
    assert body["items"][0]["balance"] == "101.00"
    assert all(item["client_code"] == "acme" for item in body["items"])
    # No N+1: the page costs a fixed number of queries whatever its size.
    assert len(queries) <= 8


def test_account_of_another_client_is_404(agent_token: str) -> None:
    hidden = Account.objects.get(account_number="G-1")
    assert _get(f"/api/accounts/{hidden.pk}", agent_token).status_code == 404


def test_debtor_personal_data_is_masked(agent_token: str) -> None:
    debtor = Debtor.objects.first()
    assert debtor is not None
    response = _get(f"/api/debtors/{debtor.pk}", agent_token)
    assert response.status_code == 200
    body = response.json()
    assert body["national_id_masked"].endswith("6789")
    assert "123-45-6789" not in response.content.decode()


def test_openapi_docs_are_served(agent_token: str) -> None:
    assert HttpClient().get("/api/openapi.json").status_code == 200
