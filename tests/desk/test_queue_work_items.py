"""The desk's work queues: /queue/ shows the team's queues (counts per kind, the items in order,
each opening the account), an item is opened and held, and "Done" on the account screen closes it.

The clock is Tuesday 9 June 2026 at noon in New York (16:00 UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.arrangements.models import Promise
from solvent.compliance.services import hold_place
from solvent.core.models import Role
from solvent.desk.models import QueueEntry
from solvent.portfolio.models import Account, Client
from solvent.strategy.models import WorkItem
from solvent.strategy.services.work_queues import work_items_refresh
from solvent.strategy.tasks import work_queues_refresh_task
from solvent.strategy.work_rules import CLAIM_DURATION
from tests.arrangements.factories import staff_create
from tests.compliance.services.compliance_fixtures import NOON
from tests.contact.factories import make_client, make_debtor

pytestmark = pytest.mark.django_db


@dataclass
class Floor:
    acme: Client
    agent: User
    colleague: User
    promised: Account
    disputed: Account
    globex_promised: Account


def _broken(account: Account, amount: str) -> None:
    Promise.objects.create(
        account=account,
        debtor=account.debtors.get(),
        amount=Decimal(amount),
        currency="USD",
        due_on=date(2026, 6, 1),
        status=Promise.Status.BROKEN,
        created_at=NOON - timedelta(days=20),
        status_changed_at=NOON - timedelta(days=1),
    )


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> Floor:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    acme, globex = make_client("acme"), make_client("globex")
    agent = staff_create("agent", Role.AGENT, clients=(acme,))
    colleague = staff_create("colleague", Role.AGENT, clients=(acme,))
    _debtor, promised = make_debtor(client=acme)
    disputed_debtor, disputed = make_debtor(client=acme)
    _other, globex_promised = make_debtor(client=globex)
    _broken(promised, "300.00")
    _broken(globex_promised, "999.00")
    hold_place(
        debtor_id=disputed_debtor.pk,
        kind="dispute",
        source="letter",
        account_ids=[disputed.pk],
        at=NOON - timedelta(days=2),
    )
    work_items_refresh(now=NOON)
    return Floor(acme, agent, colleague, promised, disputed, globex_promised)


def session(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_queue_page_counts_each_queue_and_lists_the_teams_items_in_order(
    floor: Floor,
) -> None:
    page = session(floor.agent).get("/queue/").content.decode()
    assert 'data-testid="count-broken_promise">1<' in page
    assert 'data-testid="count-dispute">1<' in page
    assert 'data-testid="count-callback">0<' in page
    assert page.index(floor.promised.account_number) < page.index(floor.disputed.account_number)
    assert floor.globex_promised.account_number not in page
    only_disputes = session(floor.agent).get("/queue/?kind=dispute").content.decode()
    assert floor.disputed.account_number in only_disputes
    listed = only_disputes.split('data-testid="work-items"')[1].split("</table>")[0]
    assert floor.disputed.account_number in listed
    assert floor.promised.account_number not in listed


def test_opening_an_item_holds_it_and_its_account_and_opens_the_account_screen(
    floor: Floor,
) -> None:
    item = WorkItem.objects.get(account=floor.promised)
    url = f"/accounts/{floor.promised.pk}/work-items/{item.pk}/open/"
    response = session(floor.agent).post(url)
    assert (response.status_code, response["Location"]) == (302, f"/accounts/{floor.promised.pk}/")
    item.refresh_from_db()
    assert (item.claimed_by_id, item.claimed_until) == (floor.agent.pk, NOON + CLAIM_DURATION)
    assert QueueEntry.objects.get(pk=floor.promised.pk).claimed_by_id == floor.agent.pk
    # The colleague sees who is on it, and opening it too says so instead of sharing it.
    page = session(floor.colleague).get("/queue/").content.decode()
    assert "agent is on it" in page
    refused = session(floor.colleague).post(url)
    assert refused.status_code == 200
    assert "another agent is working on this account" in refused.content.decode()
    htmx = session(floor.agent).post(url, headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx["HX-Redirect"]) == (204, f"/accounts/{floor.promised.pk}/")


def test_the_account_screen_lists_the_accounts_work_and_done_closes_it(floor: Floor) -> None:
    item = WorkItem.objects.get(account=floor.disputed)
    panel = session(floor.agent).get(f"/accounts/{floor.disputed.pk}/queue-panel/")
    assert 'data-testid="account-work-items"' in panel.content.decode()
    assert "verification within 30 days" in panel.content.decode()
    done = session(floor.agent).post(f"/accounts/{floor.disputed.pk}/work-items/{item.pk}/done/")
    assert done.status_code == 200
    assert 'data-testid="work-item-saved"' in done.content.decode()
    assert WorkItem.objects.get(pk=item.pk).status == WorkItem.Status.DONE
    again = session(floor.agent).post(f"/accounts/{floor.disputed.pk}/work-items/{item.pk}/done/")
    assert "already done" in again.content.decode()
    page = session(floor.agent).get("/queue/").content.decode()
    assert 'data-testid="count-dispute">0<' in page


def test_another_clients_item_is_not_found_whatever_the_account_named(floor: Floor) -> None:
    theirs = WorkItem.objects.get(account=floor.globex_promised)
    http = session(floor.agent)
    assert (
        http.post(f"/accounts/{floor.globex_promised.pk}/work-items/{theirs.pk}/done/").status_code
        == 404
    )
    # Their item named under one of our accounts: still not found, and untouched.
    assert (
        http.post(f"/accounts/{floor.promised.pk}/work-items/{theirs.pk}/open/").status_code == 404
    )
    assert WorkItem.objects.get(pk=theirs.pk).claimed_by_id is None


def test_next_account_gives_the_highest_work_item_before_the_general_queue(floor: Floor) -> None:
    response = session(floor.agent).post("/queue/next/")
    assert response["Location"] == f"/accounts/{floor.promised.pk}/"
    response = session(floor.colleague).post("/queue/next/")
    assert response["Location"] == f"/accounts/{floor.disputed.pk}/"


def test_the_queue_page_has_the_work_items_refreshed_in_the_background_at_most_once_a_minute(
    floor: Floor, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    new_account = make_debtor(client=floor.acme)[1]
    _broken(new_account, "50.00")
    http = session(floor.agent)
    with django_capture_on_commit_callbacks(execute=True):
        http.get("/queue/")
        http.get("/queue/")
    queued = DBTaskResult.objects.filter(task_path__endswith="work_queues_refresh_task")
    assert queued.count() == 1
    # What the worker then does: the new broken promise joins its queue.
    assert 'data-testid="count-broken_promise">1<' in http.get("/queue/").content.decode()
    work_queues_refresh_task.call()
    assert 'data-testid="count-broken_promise">2<' in http.get("/queue/").content.decode()
