"""Two batch writers at once, on two connections, over the same debtors (PostgreSQL).

There is no global import lock any more: unique indexes on the debtor match keys, ordered row locks
and a savepoint retry keep concurrent writers correct. Each test runs two `batch_store` calls on two
threads, each with its own connection and transaction, then the same two batches one after the
other on an empty database, and compares what is stored: no debtor twice, no phone, address, e-mail
or account link lost. A barrier holds both writers after they matched until both have, so the race
the old lock prevented really happens: both miss the new debtors and both insert them, or both
found the stored debtors and one must wait for the other's lock and read them again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from solvent.core import clock
from solvent.portfolio.imports import store, store_postgres
from solvent.portfolio.imports.records import PlacementRow
from solvent.portfolio.imports.store import Batch, Person, batch_store
from solvent.portfolio.models import Account, Client, Debtor, Email, Placement
from tests.portfolio.imports.placement_files import good_row
from tests.portfolio.imports.store_batches import (
    placement_create,
    rows_store,
    rows_valid,
    snapshot,
)

pytestmark = pytest.mark.postgres

JOIN_SECONDS = 400  # a loaded 2-core machine is slow, not stuck; a deadlock would never end


def _rows(numbers: range, prefix: str, **overrides: str) -> list[dict[str, str]]:
    # Every fourth person has no national id: they are matched (and kept unique) by identity.
    return [
        good_row(
            n,
            account_number=f"{prefix}-{n:04d}",
            **({"national_id": ""} if n % 4 == 0 else {}),
            **overrides,
        )
        for n in numbers
    ]


def _store(client: Client, placement: Placement, rows: list[PlacementRow]) -> None:
    with transaction.atomic():
        batch_store(Batch(client.pk, placement.pk, placement.placed_on, clock.now(), rows))


def _together(jobs: list[Callable[[], None]], monkeypatch) -> list[int]:
    """Run the jobs on threads at once; return how many debtors each writer lost to the other."""
    barrier = threading.Barrier(len(jobs))
    waited = threading.local()
    lost: list[int] = []
    insert = store_postgres.CopyWriter.debtors_insert
    lock = store.people_lock

    def lock_together(people: list[Person]) -> None:
        # After matching, before the first lock: both writers have read the same debtors.
        if not getattr(waited, "done", False):  # a batch written again does not wait
            waited.done = True
            barrier.wait(timeout=JOIN_SECONDS)
        lock(people)

    def insert_counted(self, batch: Batch, people: list[Person]) -> list[Person]:
        result = insert(self, batch, people)
        lost.append(len(result))
        return result

    monkeypatch.setattr(store, "people_lock", lock_together)
    monkeypatch.setattr(store_postgres.CopyWriter, "debtors_insert", insert_counted)
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "the writers never finished"
    assert errors == []
    return lost


def _clear() -> None:
    Account.objects.all().delete()
    Debtor.objects.all().delete()


def test_two_writers_creating_the_same_new_debtors_create_each_once(
    transactional_db, monkeypatch
) -> None:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    first, second = placement_create(acme), placement_create(acme)
    # Debtors 16-30 are on accounts of both batches (one person, two debts).
    a = rows_valid(acme, _rows(range(1, 31), "A"))
    b = rows_valid(acme, _rows(range(16, 46), "B"))
    lost = _together([lambda: _store(acme, first, a), lambda: _store(acme, second, b)], monkeypatch)
    assert sum(lost) == 15  # the race happened: one writer found the other's 15 debtors
    together = snapshot()
    assert Debtor.objects.count() == 45
    assert Email.objects.count() == 45
    monkeypatch.undo()
    _clear()
    _store(acme, first, a)
    _store(acme, second, b)
    assert snapshot() == together


def test_two_clients_adding_to_the_same_stored_debtors_lose_nothing(
    transactional_db, monkeypatch
) -> None:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    beta = Client.objects.create(code="beta", name="Beta Bank")
    earlier = _rows(range(1, 41), "A")
    rows_store(acme, earlier)
    a = rows_valid(acme, _rows(range(1, 41), "A", phone_work="(212) 234-5000 ext 7"))
    b = rows_valid(
        beta, _rows(range(11, 51), "B", phone_home="(646) 555-0100", address_line1="8 Beta Rd")
    )
    first, second = placement_create(acme), placement_create(beta)
    _together([lambda: _store(acme, first, a), lambda: _store(beta, second, b)], monkeypatch)
    together = snapshot()
    assert Debtor.objects.count() == 50
    monkeypatch.undo()
    _clear()
    rows_store(acme, earlier)
    _store(acme, first, a)
    _store(beta, second, b)
    assert snapshot() == together
    # Beta's home number sits beside Acme's, each client's own: nothing superseded across clients.
    assert {status for *_, status in together["phones"]} == {"valid"}
