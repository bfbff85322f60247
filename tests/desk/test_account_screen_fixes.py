"""What a new user tripped over on the account screen (issue 11), each fixed and held here:

- the primary debtor is listed before the co-signer;
- a call cap is shown under call rows only, not under text, e-mail or letter rows;
- time zones read as places with their local time, not raw ids;
- a cease flag from the creditor's file is a hold (one source of truth): shown as one, lifted as
  one, and lifting it lets contact resume; runs on SQLite and on PostgreSQL (the COPY writer).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.compliance.models import Hold
from solvent.compliance.services import contact_attempt_authorize, hold_release
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Phone, Team
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db
NOON_NEW_YORK = datetime(2026, 11, 18, 17, tzinfo=UTC)


def _agent(client: Client) -> HttpClient:
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    agent = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    http = HttpClient()
    http.force_login(agent)
    return http


def _debtor(first: str, last: str, number: str, zone: str) -> Debtor:
    debtor = Debtor.objects.create(first_name=first, last_name=last)
    Address.objects.create(
        debtor=debtor,
        line1="1 Main St",
        city="Boston",
        region="MA",
        postal_code="02110",
        country="US",
    )
    Phone.objects.create(
        debtor=debtor, e164=number, kind="mobile", line_type="mobile", time_zones=[zone]
    )
    return debtor


@pytest.fixture
def screen() -> dict[str, object]:
    client = Client.objects.create(code="harbor", name="Harbor Bank", country="US", currency="USD")
    account = Account.objects.create(
        client=client, account_number="HB-1", currency="USD", principal=Decimal("500.00")
    )
    # The co-signer's link is made first: the page must not follow creation order either.
    cosigner = _debtor("Zed", "Cosign", "+16175550199", "America/New_York")
    AccountDebtor.objects.create(
        account=account, debtor=cosigner, role=AccountDebtor.Role.CO_SIGNER
    )
    primary = _debtor("Ada", "Primary", "+16175550101", "America/Indiana/Knox")
    AccountDebtor.objects.create(account=account, debtor=primary, role=AccountDebtor.Role.PRIMARY)
    return {"http": _agent(client), "account": account, "client": client}


def _page(screen: dict[str, object]) -> str:
    account = screen["account"]
    response = screen["http"].get(f"/accounts/{account.pk}/")  # type: ignore[attr-defined]
    assert response.status_code == 200
    return response.content.decode()


def test_the_primary_debtor_is_listed_before_the_cosigner(screen) -> None:
    html = _page(screen)
    assert html.index("Ada Primary") < html.index("Zed Cosign")


def test_zones_read_as_places_with_local_time(screen) -> None:
    html = _page(screen)
    assert "America/Indiana/Knox" not in html
    assert "Knox, Indiana" in html
    assert "Debtor&#x27;s local time" in html or "Debtor's local time" in html


def _option_rows(html: str) -> dict[str, str]:
    table = html[html.index('data-testid="contact-options"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in table.split("<tr")[2:]:
        cells = row.split("<td>")
        rows[cells[1].split("</td>")[0].strip() + " " + cells[2].split("</td>")[0].strip()] = row
    return rows


def test_the_call_cap_is_shown_under_call_rows_only(screen) -> None:
    debtor = Debtor.objects.get(last_name="Primary")
    from solvent.portfolio.models import Email

    Email.objects.create(debtor=debtor, address="ada@example.com")
    rows = _option_rows(_page(screen))
    call_rows = [row for key, row in rows.items() if key.startswith("Call")]
    other_rows = [row for key, row in rows.items() if not key.startswith("Call")]
    assert call_rows and other_rows
    assert any("call_frequency" in row for row in call_rows)
    assert not any("call_frequency" in row for row in other_rows)


@pytest.mark.parametrize("batch_rows", [1, 500])
def test_a_cease_flag_from_the_file_is_a_hold_that_can_be_lifted(tmp_path, batch_rows) -> None:
    client = Client.objects.create(code="acme", name="Acme Bank", country="US", currency="USD")
    path = write_rows(tmp_path / "p.csv", [good_row(1, cease_communication="yes"), good_row(2)])
    placement_import(client=client, path=path, placed_on=date(2026, 11, 1), batch_rows=batch_rows)
    flagged = Debtor.objects.get(account_debtors__account__account_number="A-0001")
    assert flagged.cease_communication
    (hold,) = Hold.objects.filter(debtor=flagged)
    assert (hold.kind, hold.source, hold.released_at) == ("cease", "placement", None)
    assert not Hold.objects.exclude(debtor=flagged).exists()
    # A second import of the same file opens no second hold.
    placement_import(client=client, path=path, placed_on=date(2026, 11, 1), batch_rows=batch_rows)
    assert Hold.objects.filter(debtor=flagged).count() == 1
    account = Account.objects.get(account_number="A-0001")
    http = _agent(client)
    html = http.get(f"/accounts/{account.pk}/").content.decode()
    assert "Hold: Cease" in html or "Hold: cease" in html
    assert "from the client&#x27;s placement file" in html or "placement file" in html

    phone = flagged.phones.first()
    assert phone is not None

    def call_allowed() -> bool:
        return contact_attempt_authorize(
            debtor_id=flagged.pk,
            channel="call",
            contact_point=phone.e164,
            account_ids=[account.pk],
            at=NOON_NEW_YORK,
        ).allowed

    assert not call_allowed()
    officer = User.objects.create_user(username="officer", password="officer-password-1")
    staff_role_set(user=officer, role=Role.COMPLIANCE_OFFICER)
    hold_release(hold_id=hold.pk, reason="the debtor withdrew the request", actor_id=officer.pk)
    flagged.refresh_from_db()
    assert not flagged.cease_communication  # lifting the hold lifts the flag it stood for
    assert call_allowed()


def test_the_account_screen_offers_the_next_account_to_queue_roles_only(screen) -> None:
    html = _page(screen)
    assert 'id="next-account"' in html and 'action="/queue/next/"' in html
    viewer = User.objects.create_user(username="viewer", password="viewer-password-1")
    staff_role_set(user=viewer, role=Role.CLIENT_VIEWER)
    Team.objects.get().members.add(viewer)
    http = HttpClient()
    http.force_login(viewer)
    account = screen["account"]
    page = http.get(f"/accounts/{account.pk}/").content.decode()
    assert "Account HB-1" in page and 'id="next-account"' not in page
