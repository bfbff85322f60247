"""Desk pages: the account page (full) and its timeline partial (HTMX), tenant-scoped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.contact.services import interaction_record
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Phone, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> dict[str, object]:
    client = Client.objects.create(code="harbor", name="Harbor Bank")
    other = Client.objects.create(code="globex", name="Globex")
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    agent = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    debtor = Debtor.objects.create(first_name="Ada", last_name="Stone")
    Address.objects.create(
        debtor=debtor,
        line1="1 Main St",
        city="Boston",
        region="MA",
        postal_code="02110",
        country="US",
    )
    Phone.objects.create(
        debtor=debtor,
        e164="+16175550101",
        kind="mobile",
        line_type="mobile",
        time_zones=["America/New_York"],
    )
    account = Account.objects.create(
        client=client, account_number="HB-1", currency="USD", principal=Decimal("500.00")
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    hidden = Account.objects.create(client=other, account_number="GX-1", currency="USD")
    start = datetime(2026, 11, 1, 15, tzinfo=UTC)
    for index in range(20):
        interaction_record(
            debtor_id=debtor.pk,
            channel="sms",
            direction="inbound",
            contact_point="+16175550101",
            disposition="message_received",
            occurred_at=start + timedelta(hours=index),
            summary=f"text {index}",
        )
    http = HttpClient()
    http.force_login(agent)
    return {"http": http, "account": account, "hidden": hidden}


def test_account_page_shows_compliance_preview_and_first_timeline_page(desk) -> None:
    response = desk["http"].get(f"/accounts/{desk['account'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="contact-options"' in html
    assert "+16175550101" in html
    assert html.count("message received") == 15  # first page of the timeline
    assert "text 19" in html and "text 4" not in html  # newest first
    assert "Older contacts" in html


def test_timeline_partial_is_rows_only(desk) -> None:
    response = desk["http"].get(
        f"/accounts/{desk['account'].pk}/timeline/?page=2", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.count("message received") == 5
    assert "text 0" in html and "Older contacts" not in html


def test_other_tenants_account_is_not_found(desk) -> None:
    assert desk["http"].get(f"/accounts/{desk['hidden'].pk}/").status_code == 404
    assert desk["http"].get(f"/accounts/{desk['hidden'].pk}/timeline/").status_code == 404


def test_search_partial_for_htmx(desk) -> None:
    response = desk["http"].get("/?q=Stone", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "HB-1" in html and "<html" not in html and "GX-1" not in html
