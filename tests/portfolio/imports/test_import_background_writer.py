"""Large imports on PostgreSQL commit batches on a writer thread with its own connection."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from solvent.portfolio.imports import batches
from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.models import Account, Client, Debtor, Placement
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.postgres


def test_batches_are_written_on_another_thread_with_the_same_result(
    transactional_db, tmp_path, monkeypatch
) -> None:
    client = Client.objects.create(code="acme", name="Acme Bank")
    threads: set[str] = set()
    flush = batches._flush

    def spying_flush(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return flush(*args, **kwargs)

    monkeypatch.setattr(batches, "_flush", spying_flush)
    rows = [good_row(n, principal="oops" if n == 5 else "10.00") for n in range(1, 41)]
    path = write_rows(tmp_path / "p.csv", rows)
    placement = placement_import(
        client=client, path=path, placed_on=date(2026, 11, 1), batch_rows=6, background_writer=True
    )
    assert placement.status == Placement.Status.DONE
    assert (placement.rows_imported, placement.rows_rejected, placement.accounts_created) == (
        39,
        1,
        39,
    )
    assert Account.objects.count() == 39 and Debtor.objects.count() == 39
    assert threads and all(name.startswith("placement-writer") for name in threads)
    assert connection.vendor == "postgresql"


def test_a_failing_batch_stops_the_import_and_fails_the_placement(
    transactional_db, tmp_path, monkeypatch
) -> None:
    client = Client.objects.create(code="acme", name="Acme Bank")
    calls = 0
    flush = batches._flush

    def failing_second_flush(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("database went away")
        return flush(*args, **kwargs)

    monkeypatch.setattr(batches, "_flush", failing_second_flush)
    path = write_rows(tmp_path / "p.csv", [good_row(n) for n in range(1, 21)])
    with pytest.raises(RuntimeError, match="database went away"):
        placement_import(client=client, path=path, batch_rows=5, background_writer=True)
    placement = Placement.objects.get()
    assert placement.status == Placement.Status.FAILED
    assert placement.failure == "import stopped: database went away"
    assert Account.objects.count() == 5  # the first batch, whole
