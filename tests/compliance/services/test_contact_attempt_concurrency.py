"""Caps hold under concurrency: many workers reserving calls for one debtor and debt at once.

Each thread has its own database connection and calls contact_attempt_authorize at the same moment
(a barrier releases them together). The ledger lock serialises the decide-and-reserve step, so
exactly seven of sixteen calls are reserved under Reg F's seven-in-seven-days cap.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from solvent.compliance import services
from solvent.compliance.models import ContactAttempt, DecisionLog
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create

WORKERS = 16
REG_F_WEEKLY_CALLS = 7


def _authorize_waiting_for_sqlite(**arguments: Any) -> services.Authorization:
    """The in-memory SQLite test database shares one cache between threads, where a held write lock
    fails BEGIN at once ("database table is locked") instead of waiting as a file database with
    busy_timeout does. Retrying the whole transaction is that wait; PostgreSQL never needs it."""
    while True:
        try:
            return services.contact_attempt_authorize(**arguments)
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.002)


def _race(debtor_id: int, account_id: int) -> list[services.Authorization]:
    barrier = threading.Barrier(WORKERS)

    def reserve(index: int) -> services.Authorization:
        try:
            barrier.wait(timeout=30)
            return _authorize_waiting_for_sqlite(
                debtor_id=debtor_id,
                channel="call",
                contact_point=MOBILE,
                account_ids=[account_id],
                # A minute apart: the cap, not the hour window, decides who is refused.
                at=NOON + timedelta(minutes=index),
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(reserve, range(WORKERS)))


def _assert_exactly_seven(results: list[services.Authorization], debtor_id: int) -> None:
    allowed = [result for result in results if result.allowed]
    refused = [result for result in results if not result.allowed]
    assert len(allowed) == REG_F_WEEKLY_CALLS
    assert all(
        "regf.call_frequency.7in7" in [rule_id for rule_id, _, _ in result.blocking]
        for result in refused
    )
    assert ContactAttempt.objects.filter(debtor_id=debtor_id).count() == REG_F_WEEKLY_CALLS
    assert DecisionLog.objects.filter(debtor_id=debtor_id).count() == WORKERS
    assert DecisionLog.objects.filter(debtor_id=debtor_id, allowed=True).count() == 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_workers_reserve_exactly_seven_calls_on_postgres() -> None:
    assert connection.vendor == "postgresql"
    ohio = ohio_debtor_create()
    results = _race(ohio.debtor.pk, ohio.card.pk)
    _assert_exactly_seven(results, ohio.debtor.pk)


@pytest.mark.django_db(transaction=True)
def test_sixteen_workers_reserve_exactly_seven_calls_on_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL pass runs the PostgreSQL variant")
    ohio = ohio_debtor_create()
    results = _race(ohio.debtor.pk, ohio.card.pk)
    _assert_exactly_seven(results, ohio.debtor.pk)
