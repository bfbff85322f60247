"""A batch that lost a race is rolled back to its savepoint and written again from the start.

PostgreSQL reports a deadlock it broke, or a key another writer committed meanwhile; `store` raises
RaceLostError when a debtor it had read changed under it. Either way nothing of the failed attempt
stays (the savepoint), the batch is grouped and matched again, and the result is the one a clean
write gives. A batch that keeps failing fails after a few attempts instead of looping.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from solvent.core import clock
from solvent.portfolio.imports import store, store_links
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Phone
from tests.portfolio.imports.placement_files import good_row
from tests.portfolio.imports.store_batches import placement_create, rows_valid

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_batch_that_lost_a_race_is_written_again_with_nothing_left_of_the_first_try(
    monkeypatch,
) -> None:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    placement = placement_create(acme)
    rows = rows_valid(acme, [good_row(n) for n in range(1, 6)])
    attempts = 0
    write = store_links.links_write

    def failing_once(*args, **kwargs):
        nonlocal attempts
        attempts += 1
        if attempts == 1:  # debtors, phones and accounts of the first try are written by now
            raise store.RaceLostError("another writer changed a debtor")
        return write(*args, **kwargs)

    monkeypatch.setattr(store_links, "links_write", failing_once)
    with transaction.atomic():
        outcome = store.batch_store(
            store.Batch(acme.pk, placement.pk, placement.placed_on, clock.now(), rows)
        )
    assert attempts == 2
    assert outcome.accounts_created == 5
    assert (Debtor.objects.count(), Account.objects.count(), AccountDebtor.objects.count()) == (
        5,
        5,
        5,
    )
    assert Phone.objects.count() == 10


def test_a_batch_that_keeps_losing_fails_after_a_few_attempts(monkeypatch) -> None:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    placement = placement_create(acme)
    rows = rows_valid(acme, [good_row(1)])

    def always_failing(*args, **kwargs):
        raise store.RaceLostError("again")

    monkeypatch.setattr(store_links, "links_write", always_failing)
    with pytest.raises(store.RaceLostError), transaction.atomic():
        store.batch_store(
            store.Batch(acme.pk, placement.pk, placement.placed_on, clock.now(), rows)
        )
    assert Debtor.objects.count() == 0
