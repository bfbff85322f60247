"""Sixteen agents press "next account" at the same moment on PostgreSQL, every account with a work
item: no two get the same item or the same account.

Real transactions on separate connections (one per thread), released together by a barrier. The
item's claim holds because its row is locked with SKIP LOCKED and the claim is a conditional UPDATE;
the account's queue entry is claimed the same way (docs/adr/0025-work-queue-and-callbacks.md).
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection

from solvent.arrangements.models import Promise
from solvent.core import clock
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.desk.services_queue import Claim, queue_next_claim, queue_refresh
from solvent.portfolio.models import Team
from solvent.strategy.models import WorkItem
from solvent.strategy.services.work_queues import work_items_refresh
from tests.contact.factories import make_client, make_debtor

AGENTS = 16


def _floor(accounts: int) -> list[User]:
    acme = make_client("acme")
    team = Team.objects.create(name="acme floor")
    team.clients.add(acme)
    now = clock.now()
    for index in range(accounts):
        debtor, account = make_debtor(client=acme)
        Promise.objects.create(
            account=account,
            debtor=debtor,
            amount=Decimal(100 + index),
            currency="USD",
            due_on=date(2026, 6, 1),
            status=Promise.Status.BROKEN,
            created_at=now - timedelta(days=20),
            status_changed_at=now - timedelta(days=1),
        )
    agents = []
    for index in range(AGENTS):
        agent = User.objects.create_user(username=f"agent-{index}")
        staff_role_set(user=agent, role=Role.AGENT)
        team.members.add(agent)
        agents.append(agent)
    work_items_refresh(now=now)
    queue_refresh()
    return agents


def _press_together(agents: list[User]) -> tuple[list[Claim | None], list[BaseException]]:
    barrier = threading.Barrier(len(agents))
    taken: list[Claim | None] = [None] * len(agents)
    errors: list[BaseException] = []

    def press(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            taken[index] = queue_next_claim(user=agents[index])
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(agents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an agent's claim never returned"
    return taken, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_agents_at_once_get_sixteen_different_work_items() -> None:
    agents = _floor(accounts=40)
    taken, errors = _press_together(agents)
    assert not errors, errors
    assert None not in taken
    items = [claim.work_item_id for claim in taken if claim is not None]
    assert None not in items
    assert len(set(items)) == AGENTS, Counter(items).most_common(3)
    assert len({claim.account_id for claim in taken if claim is not None}) == AGENTS
    holders = dict(
        WorkItem.objects.filter(claimed_by__isnull=False).values_list("pk", "claimed_by_id")
    )
    assert holders == {item: agent.pk for item, agent in zip(items, agents, strict=True)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_more_agents_than_accounts_each_account_goes_to_one_agent_the_rest_hear_empty() -> None:
    agents = _floor(accounts=5)
    taken, errors = _press_together(agents)
    assert not errors, errors
    given = [claim.account_id for claim in taken if claim is not None]
    assert len(given) == 5 and len(set(given)) == 5, Counter(given).most_common(3)
    assert taken.count(None) == AGENTS - 5
