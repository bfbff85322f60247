"""Several dialer takers at once on PostgreSQL: no entry is ever handed out twice.

Real transactions on separate connections (one per thread), released together by a barrier. The
take holds because the chosen rows are locked with SKIP LOCKED and updated in the same
transaction: a second taker passes over a locked row instead of taking it again or waiting.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from solvent.dialer.models import HopperEntry
from solvent.dialer.services import hopper_take
from tests.compliance.services.compliance_fixtures import NOON, ohio_debtor_create
from tests.dialer.services.dialer_fixtures import campaign_create, entry_create

TAKERS = 8
ENTRIES = 60


def _in_threads(count: int, work: object) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(index)  # type: ignore[operator]
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a taker never returned"
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_takers_draining_one_hopper_never_get_the_same_entry() -> None:
    campaign = campaign_create()
    for index in range(ENTRIES):
        entry_create(campaign, ohio_debtor_create(str(index)), priority=float(index % 7))
    taken: list[list[int]] = [[] for _ in range(TAKERS)]

    def drain(index: int) -> None:
        while batch := hopper_take(campaign_id=campaign.pk, count=3, now=NOON):
            taken[index].extend(entry.pk for entry in batch)

    errors = _in_threads(TAKERS, drain)

    assert not errors, errors
    every = [pk for batch in taken for pk in batch]
    assert len(every) == ENTRIES, Counter(every).most_common(3)
    assert len(set(every)) == ENTRIES, Counter(every).most_common(3)
    assert set(HopperEntry.objects.values_list("status", flat=True)) == {"dialling"}
    assert set(HopperEntry.objects.values_list("attempts", flat=True)) == {1}
    assert sum(1 for batch in taken if batch) > 1, "the takers really ran side by side"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_taker_passes_over_entries_another_holds_without_waiting() -> None:
    campaign = campaign_create()
    entries = [
        entry_create(campaign, ohio_debtor_create(str(index)), priority=float(10 - index))
        for index in range(4)
    ]
    other: list[int] = []
    with transaction.atomic():
        mine = [e.pk for e in hopper_take(campaign_id=campaign.pk, count=2, now=NOON)]
        # Still inside the first taker's transaction: its two rows are locked.

        def take(_: int) -> None:
            other.extend(e.pk for e in hopper_take(campaign_id=campaign.pk, count=2, now=NOON))

        errors = _in_threads(1, take)
    assert not errors, errors
    assert mine == [entries[0].pk, entries[1].pk]
    assert other == [entries[2].pk, entries[3].pk]
