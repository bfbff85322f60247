"""Sixteen agents press "next account" at the same moment on PostgreSQL: no two get the same one.

Real transactions on separate connections (one per thread), released together by a barrier. The
claim holds because the candidate row is locked with SKIP LOCKED and the claim is a conditional
UPDATE (docs/adr/0025-work-queue-and-callbacks.md).
"""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.desk.models import QueueEntry
from solvent.desk.services_queue import queue_next_claim, queue_refresh
from solvent.portfolio.models import Account, Team
from tests.contact.factories import make_client, make_debtor

AGENTS = 16


def _floor(accounts: int) -> list[User]:
    acme = make_client("acme")
    team = Team.objects.create(name="acme floor")
    team.clients.add(acme)
    for index in range(accounts):
        _debtor, account = make_debtor(client=acme)
        # All equal but the balance: every agent's first choice is the same account.
        Account.objects.filter(pk=account.pk).update(principal=Decimal(1000 + index))
    agents = []
    for index in range(AGENTS):
        agent = User.objects.create_user(username=f"agent-{index}")
        staff_role_set(user=agent, role=Role.AGENT)
        team.members.add(agent)
        agents.append(agent)
    queue_refresh()
    return agents


def _press_together(agents: list[User]) -> tuple[list[int | None], list[BaseException]]:
    barrier = threading.Barrier(len(agents))
    taken: list[int | None] = [None] * len(agents)
    errors: list[BaseException] = []

    def press(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            claim = queue_next_claim(user=agents[index])
            taken[index] = claim.account_id if claim else None
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
def test_sixteen_agents_at_once_get_sixteen_different_accounts() -> None:
    agents = _floor(accounts=40)
    taken, errors = _press_together(agents)
    assert not errors, errors
    assert None not in taken
    assert len(set(taken)) == AGENTS, Counter(taken).most_common(3)
    holders = dict(
        QueueEntry.objects.filter(claimed_by__isnull=False).values_list("pk", "claimed_by_id")
    )
    assert holders == {account: agent.pk for account, agent in zip(taken, agents, strict=True)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_more_agents_than_accounts_each_account_goes_to_one_agent_the_rest_hear_empty() -> None:
    agents = _floor(accounts=5)
    taken, errors = _press_together(agents)
    assert not errors, errors
    given = [account for account in taken if account is not None]
    assert len(given) == 5 and len(set(given)) == 5
    assert taken.count(None) == AGENTS - 5
