"""An import killed with SIGKILL half-way, then run again: no duplicates, no half-written account.

The import runs in a real subprocess (`solvent import placements`), in batches of 100 rows; the test
kills it once a few batches have committed, runs it again to the end, and checks the counts against
what the file must produce. Each batch is one transaction, so what the killed run left is whole
accounts, and the re-run upserts over them.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from solvent.core import clock
from solvent.core.crypto import keyed_hash
from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.generate import write_placement_csv
from solvent.portfolio.imports.layout import data_rows, layout_for
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.rows import row_validate
from solvent.portfolio.imports.source import placement_source_open
from solvent.portfolio.imports.store import Batch, _people_group
from solvent.portfolio.models import Client

ROWS = 3000
PLACED_ON = date(2026, 11, 1)
# Limits that scale with the work, for a loaded machine: minutes without a new batch mean stuck;
# a whole run may take a tenth of a second per row (unloaded it takes a few seconds in all).
STALL_SECONDS = 180.0
RUN_SECONDS = 120.0 + 0.1 * ROWS
TIMEOUT_SECONDS = int(STALL_SECONDS + 2 * RUN_SECONDS + 300)
TABLES = ("portfolio_account", "portfolio_debtor", "portfolio_accountdebtor", "portfolio_phone")


def _expected(path: Path, client_id: int) -> dict[str, int]:
    """What one clean run must leave, worked out with the pure validation and grouping."""
    source = placement_source_open(path)
    spec = ProfileSpec.default()
    layout = layout_for(source, spec)
    context = ImportContext(client_id, "US", "USD", PLACED_ON, keyed_hash, clock.today())
    rows = [
        row_validate(raw, layout=layout, context=context) for raw in data_rows(source, layout, spec)
    ]
    valid = [row for row in rows if isinstance(row, PlacementRow)]
    batch = Batch(client_id, 0, PLACED_ON, clock.now(), valid)
    _people_group(batch)
    links = sum(1 + (c is not None and c is not d) for d, c in batch.links)
    phones = sum(len(person.phones) for person in batch.people)
    return dict(zip(TABLES, (len(valid), len(batch.people), links, phones), strict=True))


def _run_killed_then_complete(env: dict[str, str], path: Path, count: Callable[[str], int]) -> None:
    command = [sys.executable, "-m", "solvent.cli", "import", "placements", str(path)]
    command += ["--client", "acme", "--placed-on", PLACED_ON.isoformat(), "--batch-size", "100"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # Killed on progress, not on a clock: once 300 accounts are in. A loaded machine is slow, not
    # stuck, so the wait gives up only after STALL_SECONDS without a new batch (ADR 0016).
    killed_at = last_move = 0
    moved_at = time.monotonic()
    while child.poll() is None:
        killed_at = count("portfolio_account")
        if killed_at >= 300:
            child.send_signal(signal.SIGKILL)
            break
        if killed_at != last_move:
            last_move, moved_at = killed_at, time.monotonic()
        if time.monotonic() - moved_at > STALL_SECONDS:
            child.kill()
            pytest.fail(f"the import stalled at {killed_at} of {ROWS} accounts")
        time.sleep(0.02)
    child.wait()
    assert child.returncode == -signal.SIGKILL, (
        f"the import ended before the kill, at {killed_at} of {ROWS} accounts: "
        + (child.stderr.read().decode() if child.stderr else "")
    )
    left = count("portfolio_account")
    assert 300 <= left < ROWS, "the kill must land half-way"
    # What the killed run left is whole: every account has its primary debtor.
    assert count("orphans") == 0
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RUN_SECONDS)
    assert finished.returncode == 0, finished.stderr


def _child_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SOLVENT_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="solvent.config.settings",
    )
    return env


_ORPHANS = (
    "SELECT COUNT(*) FROM portfolio_account a WHERE NOT EXISTS (SELECT 1 FROM portfolio_accountdebtor l "
    "WHERE l.account_id = a.id AND l.role = 'primary')"
)


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT_SECONDS)
def test_killed_import_rerun_on_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    env = _child_env(f"sqlite:///{database}", tmp_path)
    migrate = [sys.executable, "-m", "solvent.cli", "migrate", "-v0"]
    migrated = subprocess.run(migrate, env=env, capture_output=True, text=True, timeout=RUN_SECONDS)
    assert migrated.returncode == 0, migrated.stderr
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO portfolio_client (code, name, currency, country, is_active, created_at) "
            "VALUES ('acme', 'Acme', 'USD', 'US', 1, '2026-01-01')"
        )
        client_id = db.execute("SELECT id FROM portfolio_client").fetchone()[0]
    path = tmp_path / "placement.csv"
    write_placement_csv(path, rows=ROWS, seed=3, as_of=PLACED_ON)

    def count(table: str) -> int:
        with sqlite3.connect(database, timeout=30) as db:
            sql = _ORPHANS if table == "orphans" else f"SELECT COUNT(*) FROM {table}"  # noqa: S608
            return int(db.execute(sql).fetchone()[0])

    _run_killed_then_complete(env, path, count)
    assert {table: count(table) for table in TABLES} == _expected(path, client_id)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(TIMEOUT_SECONDS)
def test_killed_import_rerun_on_postgres(tmp_path: Path, transactional_db: None) -> None:
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    if settings.get("PASSWORD"):
        url = f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    client = Client.objects.create(code="acme", name="Acme")
    path = tmp_path / "placement.csv"
    write_placement_csv(path, rows=ROWS, seed=3, as_of=PLACED_ON)

    def count(table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(_ORPHANS if table == "orphans" else f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            return int(cursor.fetchone()[0])

    _run_killed_then_complete(_child_env(url, tmp_path), path, count)
    assert {table: count(table) for table in TABLES} == _expected(path, client.pk)
