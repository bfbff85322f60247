"""The work queue: its order, its tenancy, who may use it, and the claim that keeps agents apart.

The clock is Tuesday 9 June 2026 at noon in New York (16:00 UTC) unless a test moves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.compliance.services import hold_place
from solvent.contact.services import interaction_record
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.desk.models import Callback, QueueEntry
from solvent.desk.services_queue import queue_next_claim, queue_refresh
from solvent.portfolio.models import Account, Client, Team
from solvent.strategy.work_rules import CLAIM_DURATION
from tests.compliance.services.compliance_fixtures import NOON
from tests.contact.factories import make_client, make_debtor

pytestmark = pytest.mark.django_db


def staff(name: str, role: Role, team: Team | None) -> User:
    user = User.objects.create_user(username=name)
    staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


def account_with(client: Client, *, balance: str, touched_days_ago: int | None = None) -> Account:
    """An account of a new debtor; touched: an inbound call about it that many days ago."""
    debtor, account = make_debtor(client=client)
    Account.objects.filter(pk=account.pk).update(principal=Decimal(balance), interest=0, fees=0)
    if touched_days_ago is not None:
        interaction_record(
            debtor_id=debtor.pk,
            channel="call",
            direction="inbound",
            contact_point=debtor.phones.get().e164,
            disposition="right_party_contact",
            account_ids=[account.pk],
            occurred_at=NOON - timedelta(days=touched_days_ago),
        )
    account.refresh_from_db()
    return account


@dataclass
class Floor:
    acme: Client
    globex: Client
    team: Team
    agent: User
    colleague: User
    numbers: dict[str, Account]


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> Floor:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    acme, globex = make_client("acme"), make_client("globex")
    team = Team.objects.create(name="acme floor")
    team.clients.add(acme)
    agent = staff("agent", Role.AGENT, team)
    colleague = staff("colleague", Role.AGENT, team)
    numbers = {
        "small_untouched": account_with(acme, balance="100.00"),
        "big_untouched": account_with(acme, balance="900.00"),
        "touched_long_ago": account_with(acme, balance="5000.00", touched_days_ago=10),
        "touched_lately": account_with(acme, balance="7000.00", touched_days_ago=2),
        "other_client": account_with(globex, balance="99999.00"),
        "paid": account_with(acme, balance="8000.00"),
        "ceased": account_with(acme, balance="9000.00"),
    }
    Account.objects.filter(pk=numbers["paid"].pk).update(status=Account.Status.PAID)
    ceased_debtor = numbers["ceased"].debtors.get()
    hold_place(debtor_id=ceased_debtor.pk, kind="cease", source="letter", account_ids=[])
    queue_refresh()
    return Floor(acme, globex, team, agent, colleague, numbers)


def claims(user: User, times: int) -> list[int | None]:
    taken = []
    for _ in range(times):
        claim = queue_next_claim(user=user)
        taken.append(claim.account_id if claim else None)
    return taken


def test_untouched_first_then_longest_untouched_then_highest_balance(floor: Floor) -> None:
    n = floor.numbers
    assert claims(floor.agent, 4) == [
        n["big_untouched"].pk,
        n["small_untouched"].pk,
        n["touched_long_ago"].pk,
        n["touched_lately"].pk,
    ]


def test_due_callbacks_come_first_the_agents_own_before_the_teams(floor: Floor) -> None:
    n = floor.numbers
    for account, agent, minutes_ago in (
        (n["touched_lately"], None, 30),  # the team's, due longer ago
        (n["small_untouched"], floor.agent, 5),  # the agent's own
        (n["touched_long_ago"], floor.colleague, 60),  # someone else's: not offered
    ):
        Callback.objects.create(
            account=account,
            debtor=account.debtors.get(),
            phone="+15185550000",
            due_at=NOON - timedelta(minutes=minutes_ago),
            agent=agent,
        )
    Callback.objects.create(  # not due yet
        account=n["paid"], debtor=n["paid"].debtors.get(), phone="+1", due_at=NOON + timedelta(1)
    )
    first, second = queue_next_claim(user=floor.agent), queue_next_claim(user=floor.agent)
    assert first is not None and second is not None
    assert (first.account_id, second.account_id) == (
        n["small_untouched"].pk,
        n["touched_lately"].pk,
    )
    assert first.callback_id is not None
    assert Callback.objects.get(pk=first.callback_id).status == Callback.Status.DONE
    assert claims(floor.agent, 1) == [n["big_untouched"].pk]


def test_never_another_clients_account_a_closed_one_or_one_under_a_cease_hold(floor: Floor) -> None:
    n = floor.numbers
    taken = claims(floor.agent, 8)
    assert n["other_client"].pk not in taken
    assert n["paid"].pk not in taken
    assert n["ceased"].pk not in taken
    # Agents who serve the other client are given its account and nothing of acme's.
    globex_team = Team.objects.create(name="globex floor")
    globex_team.clients.add(floor.globex)
    outsider = staff("outsider", Role.AGENT, globex_team)
    assert set(claims(outsider, 3)) == {n["other_client"].pk}  # its only one, again and again


def test_an_account_one_agent_opened_is_not_offered_to_another_until_the_claim_ends(
    floor: Floor, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = claims(floor.agent, 1)[0]
    second = claims(floor.colleague, 1)[0]
    assert first is not None and second is not None and first != second
    entry = QueueEntry.objects.get(pk=first)
    assert entry.claimed_by_id == floor.agent.pk
    assert entry.claimed_until == NOON + CLAIM_DURATION
    assert AuditEntry.objects.filter(action="queue.claim", object_id=str(first)).exists()
    # Claims end: later, the colleague (now at the back of the order) may be given it.
    later = NOON + CLAIM_DURATION + timedelta(seconds=1)
    monkeypatch.setattr("solvent.core.clock.now", lambda: later)
    taken_later = claims(floor.colleague, 4)
    assert first in taken_later


def test_new_accounts_and_new_contacts_find_their_place_on_refresh(floor: Floor) -> None:
    newcomer = account_with(floor.acme, balance="950.00")
    assert not QueueEntry.objects.filter(pk=newcomer.pk).exists()
    queue_refresh()
    assert claims(floor.agent, 1) == [newcomer.pk]
    big = floor.numbers["big_untouched"]
    interaction_record(
        debtor_id=big.debtors.get().pk,
        channel="call",
        direction="inbound",
        contact_point=big.debtors.get().phones.get().e164,
        disposition="right_party_contact",
        account_ids=[big.pk],
        occurred_at=NOON - timedelta(hours=1),
    )
    queue_refresh()
    assert QueueEntry.objects.get(pk=big.pk).last_touched_at == NOON - timedelta(hours=1)
    assert claims(floor.agent, 1) == [floor.numbers["small_untouched"].pk]


# --- the pages ----------------------------------------------------------------------------------


def session(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_next_account_opens_the_account_screen_and_htmx_gets_hx_redirect(floor: Floor) -> None:
    big = floor.numbers["big_untouched"]
    response = session(floor.agent).post("/queue/next/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{big.pk}/"
    response = session(floor.colleague).post("/queue/next/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"/accounts/{floor.numbers['small_untouched'].pk}/"


def test_an_empty_queue_says_so(floor: Floor) -> None:
    Account.objects.filter(client=floor.acme).update(status=Account.Status.CLOSED)
    response = session(floor.agent).post("/queue/next/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Your queue is empty" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_queue_page_lists_due_callbacks_and_what_comes_next(floor: Floor) -> None:
    touched = floor.numbers["touched_lately"]
    Callback.objects.create(
        account=touched,
        debtor=touched.debtors.get(),
        phone="+15185550000",
        due_at=NOON - timedelta(minutes=5),
        time_zone="America/New_York",
    )
    html = session(floor.agent).get("/queue/").content.decode()
    assert "Tue 09 Jun 11:55 EDT" in html  # the due callback, in the debtor's time
    assert floor.numbers["big_untouched"].account_number in html
    assert floor.numbers["other_client"].account_number not in html


@pytest.mark.parametrize("role", [Role.CLIENT_VIEWER, Role.COMPLIANCE_OFFICER, Role.ADMIN])
def test_roles_that_do_not_work_a_queue_are_refused(floor: Floor, role: Role) -> None:
    http = session(staff(f"user-{role.value}", role, floor.team))
    assert http.get("/queue/").status_code == 403
    assert http.post("/queue/next/").status_code == 403
    assert not QueueEntry.objects.filter(claimed_by__isnull=False).exists()


def test_a_supervisor_may_take_the_next_account(floor: Floor) -> None:
    supervisor = staff("supervisor", Role.SUPERVISOR, floor.team)
    assert session(supervisor).post("/queue/next/").status_code == 302


def test_the_refresh_command_creates_the_entries(floor: Floor) -> None:
    from io import StringIO

    from django.core.management import call_command

    newcomer = account_with(floor.acme, balance="1.00")
    out = StringIO()
    call_command("queue_refresh", stdout=out)
    assert "1 entries created or moved" in out.getvalue()
    assert QueueEntry.objects.filter(pk=newcomer.pk).exists()


def test_a_due_callback_on_an_account_put_under_a_hold_since_is_not_offered(floor: Floor) -> None:
    account = floor.numbers["touched_lately"]
    debtor = account.debtors.get()
    Callback.objects.create(
        account=account,
        debtor=debtor,
        phone=debtor.phones.get().e164,
        due_at=NOON - timedelta(minutes=5),
    )
    hold_place(debtor_id=debtor.pk, kind="dispute", source="letter", account_ids=[account.pk])
    assert account.pk not in claims(floor.agent, 5)
