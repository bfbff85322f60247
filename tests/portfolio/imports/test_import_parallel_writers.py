"""On PostgreSQL several writer threads, each with its own connection, commit batches in order."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from solvent.portfolio.imports import batches
from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Phone, Placement
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_writers(monkeypatch) -> set[str]:
    monkeypatch.setattr(batches, "DEFAULT_WRITERS", 2)
    monkeypatch.setattr(batches, "PARALLEL_WRITERS_FROM_ROWS", 0)
    threads: set[str] = set()
    flush = batches._flush

    def spying_flush(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return flush(*args, **kwargs)

    monkeypatch.setattr(batches, "_flush", spying_flush)
    return threads


def _rows() -> list[dict[str, str]]:
    # Every person owns three accounts spread over different batches: writers race for the same
    # new debtor, and one of them must wait for the other's commit.
    return [
        good_row(
            n,
            last_name=f"Lopez{n % 7}",
            national_id=f"123-45-{6000 + n % 7:04d}",
            email=f"maria{n % 7}@example.com",
            address_line1=f"{n % 7} Main St",
            principal="oops" if n == 11 else "10.00",
        )
        for n in range(1, 22)
    ]


def test_two_writers_end_like_one_clean_import(transactional_db, tmp_path, two_writers) -> None:
    client = Client.objects.create(code="acme", name="Acme Bank")
    path = write_rows(tmp_path / "p.csv", _rows())
    placement = placement_import(
        client=client, path=path, placed_on=date(2026, 11, 1), batch_rows=3, background_writer=True
    )
    assert placement.status == Placement.Status.DONE
    assert (placement.rows_imported, placement.rows_rejected, placement.rows_done) == (20, 1, 21)
    assert (placement.accounts_created, placement.accounts_updated) == (20, 0)
    assert Account.objects.count() == 20
    assert Debtor.objects.count() == 7  # each person once, whichever writer created them
    assert AccountDebtor.objects.count() == 20
    assert Phone.objects.count() == 14
    assert len(two_writers) == 2 and all(n.startswith("placement-writer") for n in two_writers)


def test_a_failed_batch_stops_the_later_ones_and_rows_done_covers_only_committed_rows(
    transactional_db, tmp_path, two_writers, monkeypatch
) -> None:
    client = Client.objects.create(code="acme", name="Acme Bank")
    flush = batches._flush

    def third_batch_fails(placement, job, turn=None):
        if job.number == 3:
            raise RuntimeError("database went away")
        return flush(placement, job, turn)

    monkeypatch.setattr(batches, "_flush", third_batch_fails)
    rows = [good_row(n) for n in range(1, 31)]
    path = write_rows(tmp_path / "p.csv", rows)
    with pytest.raises(RuntimeError, match="database went away"):
        placement_import(client=client, path=path, batch_rows=3, background_writer=True)
    placement = Placement.objects.get()
    assert placement.status == Placement.Status.FAILED
    # Batches 1 and 2 committed; nothing after the failed third one did, though a writer may
    # already have written its rows when the third failed.
    assert placement.rows_done == 6
    assert placement.rows_imported == 6
    assert sorted(Account.objects.values_list("account_number", flat=True)) == [
        f"A-{n:04d}" for n in range(1, 7)
    ]
