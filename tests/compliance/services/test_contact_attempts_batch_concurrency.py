"""Caps hold under concurrency with the batched gate: workers authorising overlapping batches.

Eight threads, each with its own connection, released together by a barrier, each authorising one
batch of six calls: two about each of three debtors' debts, in an order that differs between
threads (so a lock taken in request order would deadlock). Sixteen calls are proposed per debt;
Reg F's seven-in-seven-days cap must let exactly seven through, whatever the interleaving.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections

from solvent.compliance import services
from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.compliance.services import AuthorizationRequest
from tests.compliance.services.compliance_fixtures import (
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

WORKERS = 8
CALLS_PER_DEBTOR = 2
REG_F_WEEKLY_CALLS = 7


def _batch(debtors: list[OhioDebtor], worker: int) -> list[AuthorizationRequest]:
    requests = [
        AuthorizationRequest(
            debtor_id=ohio.debtor.pk,
            channel="call",
            contact_point=MOBILE,
            account_ids=[ohio.card.pk],
            # A minute apart: the cap, not the hour window, decides who is refused.
            at=NOON + timedelta(minutes=worker * CALLS_PER_DEBTOR + call),
        )
        for ohio in debtors
        for call in range(CALLS_PER_DEBTOR)
    ]
    return requests[::-1] if worker % 2 else requests


def _authorize(requests: list[AuthorizationRequest]) -> list[object]:
    """SQLite's shared-cache test database fails BEGIN at once when locked; retrying is the wait
    (see test_contact_attempt_concurrency.py). PostgreSQL never needs it."""
    while True:
        try:
            return list(services.contact_attempts_authorize_many(requests))
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.002)


def _race(debtors: list[OhioDebtor]) -> list[object]:
    barrier = threading.Barrier(WORKERS)

    def run(worker: int) -> list[object]:
        try:
            barrier.wait(timeout=30)
            return _authorize(_batch(debtors, worker))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return [answer for answers in pool.map(run, range(WORKERS)) for answer in answers]


def _assert_exactly_seven_each(debtors: list[OhioDebtor], answers: list[object]) -> None:
    assert all(isinstance(answer, services.Authorization) for answer in answers)
    authorizations = [a for a in answers if isinstance(a, services.Authorization)]
    assert sum(a.allowed for a in authorizations) == REG_F_WEEKLY_CALLS * len(debtors)
    for refused in (a for a in authorizations if not a.allowed):
        assert "regf.call_frequency.7in7" in [rule_id for rule_id, _, _ in refused.blocking]
    for ohio in debtors:
        reserved = ContactAttempt.objects.filter(debtor=ohio.debtor, accounts=ohio.card)
        assert reserved.count() == REG_F_WEEKLY_CALLS
        assert DecisionLog.objects.filter(debtor=ohio.debtor).count() == WORKERS * CALLS_PER_DEBTOR


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_reserve_exactly_seven_calls_per_debt_on_postgres() -> None:
    assert connection.vendor == "postgresql"
    debtors = [ohio_debtor_create(f"c{index}") for index in range(3)]
    _assert_exactly_seven_each(debtors, _race(debtors))


@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_reserve_exactly_seven_calls_per_debt_on_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL pass runs the PostgreSQL variant")
    debtors = [ohio_debtor_create(f"c{index}") for index in range(3)]
    _assert_exactly_seven_each(debtors, _race(debtors))
