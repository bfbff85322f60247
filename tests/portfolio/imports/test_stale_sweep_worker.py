"""A killed import is marked stale by the task worker's housekeeping, with nobody running
`solvent import status` (issue 15, item 4; ADR 0019 and docs/adr/0037-recalls.md).

In-process: the worker's first housekeeping pass when it starts (django-tasks' own loop is
stubbed: the loop is not what is tested), the periodic thread, a failing job. In a real process:
`solvent worker` started on an SQLite file finds a running import whose process is gone and marks
it stale by itself; the test waits on the database, not on a clock.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django_tasks_db.management.commands.db_worker import Worker

from solvent.audit.models import AuditEntry
from solvent.core import clock
from solvent.core.housekeeping import Housekeeping, housekeeping_jobs, housekeeping_run
from solvent.core.management.commands.worker import ResilientWorker
from solvent.portfolio.housekeeping import placement_stale_mark
from solvent.portfolio.imports.liveness import this_worker
from solvent.portfolio.models import Client, Placement

PLACED_ON = date(2026, 11, 1)
# A loaded machine is slow, not stuck: generous limits, and the waits end on progress.
PROCESS_SECONDS = 240.0


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped): nothing answers to it."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _worker(*, batch: bool, every: float) -> ResilientWorker:
    return ResilientWorker(
        queue_names=["*"],
        interval=0,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="housekeeping-test",
        backoff_initial=0.5,
        backoff_max=30.0,
        rng=random.Random(1),
        housekeeping_every=every,
    )


def _running(client: Client, name: str, **liveness: object) -> Placement:
    return Placement.objects.create(
        client=client,
        placed_on=PLACED_ON,
        source_name=f"{name}.csv",
        checksum=name,
        status=Placement.Status.RUNNING,
        rows_done=200,
        rows_total=1000,
        attempt=1,
        **liveness,
    )


@pytest.mark.django_db
def test_the_worker_marks_dead_imports_stale_when_it_starts(monkeypatch) -> None:
    tasks_looked_for: list[int] = []
    monkeypatch.setattr(Worker, "run", lambda self: tasks_looked_for.append(1))
    acme = Client.objects.create(code="acme", name="Acme Bank")
    here = this_worker()
    now = clock.now()
    killed = _running(
        acme, "killed", worker_host=here.host, worker_pid=_dead_pid(), heartbeat_at=now
    )
    silent = _running(
        acme,
        "silent",
        worker_host="worker-9",
        worker_pid=4242,
        heartbeat_at=now - timedelta(hours=1),
    )
    alive = _running(acme, "alive", worker_host=here.host, worker_pid=os.getpid(), heartbeat_at=now)

    _worker(batch=True, every=60).run()

    assert tasks_looked_for == [1]
    for placement in (killed, silent, alive):
        placement.refresh_from_db()
    assert killed.status == silent.status == Placement.Status.STALE
    assert f"its process {killed.worker_pid} on {here.host} is gone" in killed.failure
    assert "no committed batch for 3600 s" in silent.failure
    assert alive.status == Placement.Status.RUNNING
    stale = AuditEntry.objects.filter(action="placement.stale").values_list("object_id", flat=True)
    assert sorted(stale) == sorted([str(killed.pk), str(silent.pk)])


@pytest.mark.django_db
def test_a_worker_without_housekeeping_leaves_them_alone(monkeypatch) -> None:
    monkeypatch.setattr(Worker, "run", lambda self: None)
    acme = Client.objects.create(code="acme", name="Acme Bank")
    killed = _running(
        acme,
        "killed",
        worker_host=this_worker().host,
        worker_pid=_dead_pid(),
        heartbeat_at=clock.now(),
    )
    _worker(batch=True, every=0).run()
    killed.refresh_from_db()
    assert killed.status == Placement.Status.RUNNING


@pytest.mark.django_db
def test_a_long_running_worker_keeps_a_housekeeping_thread_and_stops_it(monkeypatch) -> None:
    seen: list[bool] = []

    def loop(self: Worker) -> None:
        seen.append(any(thread.name == "housekeeping" for thread in threading.enumerate()))

    monkeypatch.setattr(Worker, "run", loop)
    _worker(batch=False, every=3600).run()
    assert seen == [True]
    assert not any(thread.name == "housekeeping" for thread in threading.enumerate())


def test_the_portfolio_declares_the_stale_sweep() -> None:
    assert placement_stale_mark in housekeeping_jobs()


def test_the_thread_runs_the_jobs_again_and_again_until_stopped() -> None:
    calls: list[int] = []
    third = threading.Event()

    def job() -> None:
        calls.append(1)
        if len(calls) >= 3:
            third.set()

    keeper = Housekeeping([job], every=0.01)
    keeper.start()
    try:
        assert third.wait(PROCESS_SECONDS), "the housekeeping thread did not run three passes"
    finally:
        keeper.stop()
    after = len(calls)
    assert after >= 3 and keeper.passes >= 3
    assert not keeper._thread.is_alive()


def test_a_failing_job_is_logged_and_the_next_ones_still_run(caplog) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("a bug in a job")

    assert housekeeping_run([broken, lambda: ran.append("next")]) == 1
    assert ran == ["next"]
    assert "housekeeping" in caplog.text and "a bug in a job" in caplog.text


_CREATE = """
from solvent.portfolio.models import Client, Placement
from solvent.core import clock
client = Client.objects.create(code="acme", name="Acme", currency="USD", country="US")
placement = Placement.objects.create(
    client=client, placed_on=clock.today(), source_name="killed.csv", checksum="killed",
    status="running", rows_done=100, rows_total=500, attempt=1, heartbeat_at=clock.now(),
    worker_host={host!r}, worker_pid={pid},
)
print(placement.pk)
"""


@pytest.mark.slow
@pytest.mark.timeout(int(4 * PROCESS_SECONDS))
def test_a_running_solvent_worker_marks_a_killed_import_stale_by_itself(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SOLVENT_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="solvent.config.settings",
    )
    solvent = [sys.executable, "-m", "solvent.cli"]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*solvent, *args], env=env, capture_output=True, text=True, timeout=PROCESS_SECONDS
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    run("migrate", "-v0")
    run("shell", "-v0", "-c", _CREATE.format(host=this_worker().host, pid=_dead_pid()))

    def status() -> str:
        with sqlite3.connect(tmp_path / "db.sqlite3", timeout=30) as db:
            return str(db.execute("SELECT status FROM portfolio_placement").fetchone()[0])

    assert status() == "running"
    worker = subprocess.Popen(
        [*solvent, "worker", "--queue-name", "*", "--interval", "1", "--no-reload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Nobody runs `import status`: the worker's own housekeeping must mark it.
        deadline = time.monotonic() + PROCESS_SECONDS
        seen = "running"
        while seen == "running" and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # a poll interval, not a synchronisation: the loop ends on the change
            seen = status()
        assert seen == "stale", worker.stderr.read().decode() if worker.poll() is not None else ""
    finally:
        worker.terminate()
        worker.wait(PROCESS_SECONDS)
