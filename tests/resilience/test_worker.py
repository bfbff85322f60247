"""`solvent worker` outlives a lost database connection: it backs off, reconnects and carries on.

The loop is driven here with the database "lost" by a stand-in for django-tasks' own loop; the real
thing (PostgreSQL stopped and started under a running worker) is in test_postgres_restart.py.
"""

from __future__ import annotations

import random
import signal
from itertools import islice

import pytest
from django.db import InterfaceError, OperationalError
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from solvent.core.management.commands import worker as worker_command
from solvent.core.management.commands.worker import ResilientWorker, backoff_delays

LOST = "server closed the connection unexpectedly"


@task()
def resilience_note_task() -> int:
    return 1


class Sleeps(list[float]):
    """Records the worker's waits instead of waiting; a loop that never ends fails the test."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        assert len(self) < 100, "the worker kept waiting: the database never came back"


@pytest.fixture(autouse=True)
def database_stand_in(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The database "answers" at once and closing connections is only counted.

    A real close inside the test's transaction would be refused a reconnection (PostgreSQL pass);
    the real closing and reconnecting is what test_postgres_restart.py exercises.
    """
    closed: list[int] = []
    monkeypatch.setattr(worker_command, "_close_connections", lambda: closed.append(1))
    monkeypatch.setattr(ResilientWorker, "_database_answers", lambda self: True)
    return closed


def _worker(sleeps: Sleeps, **overrides: object) -> ResilientWorker:
    options: dict[str, object] = {
        "queue_names": ["*"],
        "interval": 0,
        "batch": False,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "resilience-test",
        "backoff_initial": 0.5,
        "backoff_max": 30.0,
        "sleep": sleeps,
        "rng": random.Random(7),
    }
    return ResilientWorker(**{**options, **overrides})  # type: ignore[arg-type]


def _runs(monkeypatch: pytest.MonkeyPatch, *outcomes: BaseException | None) -> list[int]:
    """Make django-tasks' loop raise each outcome in turn (None: return normally)."""
    calls: list[int] = []
    pending = list(outcomes)

    def run(self: Worker) -> None:
        calls.append(1)
        outcome = pending.pop(0)
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(Worker, "run", run)
    return calls


def test_the_backoff_doubles_from_half_a_second_to_thirty_with_jitter() -> None:
    seed = random.randrange(2**32)
    delays = list(islice(backoff_delays(initial=0.5, maximum=30.0, rng=random.Random(seed)), 12))
    caps = [min(30.0, 0.5 * 2**n) for n in range(12)]
    assert all(cap / 2 <= delay <= cap for delay, cap in zip(delays, caps, strict=True)), seed
    assert caps[-1] == 30.0 and max(delays) <= 30.0, seed
    assert len(set(delays)) == len(delays), f"no jitter (seed {seed})"


@pytest.mark.parametrize(
    "error", [OperationalError(LOST), InterfaceError("connection already closed")]
)
def test_a_lost_connection_is_waited_out_instead_of_ending_the_worker(
    monkeypatch: pytest.MonkeyPatch, error: Exception, database_stand_in: list[int]
) -> None:
    calls = _runs(monkeypatch, error, error, None)
    sleeps = Sleeps()
    worker = _worker(sleeps)

    worker.run()

    assert len(calls) == 3
    assert worker.reconnects == 2
    assert len(database_stand_in) == 2  # the dead connections were closed before reconnecting
    assert len(sleeps) == 2 and all(0.25 <= s <= 0.5 for s in sleeps), sleeps


def test_while_the_database_stays_away_the_waits_grow_to_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _runs(monkeypatch, OperationalError(LOST), None)
    answers = iter([False] * 7 + [True])
    monkeypatch.setattr(ResilientWorker, "_database_answers", lambda self: next(answers))
    sleeps = Sleeps()

    _worker(sleeps, backoff_max=4.0).run()

    caps = [0.5, 1, 2, 4, 4, 4, 4, 4]
    assert len(sleeps) == len(caps)
    assert all(cap / 2 <= s <= cap for s, cap in zip(sleeps, caps, strict=True)), sleeps


def test_any_other_error_still_ends_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    _runs(monkeypatch, ValueError("a bug in a task runner"))
    with pytest.raises(ValueError, match="a bug"):
        _worker(Sleeps()).run()


def test_sigterm_while_waiting_for_the_database_ends_the_worker_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _runs(monkeypatch, OperationalError(LOST))
    monkeypatch.setattr(ResilientWorker, "_database_answers", lambda self: False)
    worker: ResilientWorker

    def sleep(seconds: float) -> None:
        worker.shutdown(signal.SIGTERM, None)

    worker = _worker(Sleeps(), sleep=sleep)
    with pytest.raises(SystemExit) as exit_:
        worker.run()
    assert exit_.value.code == 0


@pytest.mark.django_db
def test_a_task_whose_outcome_could_not_be_recorded_is_queued_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resilience_note_task.enqueue()
    row = DBTaskResult.objects.get()
    worker = _worker(Sleeps())

    def record_lost(self: DBTaskResult, *args: object) -> None:
        raise OperationalError(LOST)

    def run(self: Worker) -> None:
        if row.status == TaskResultStatus.READY and not calls:
            calls.append(1)
            row.claim(self.worker_id)
            # The task ran, then the database went away before its outcome was saved.
            with monkeypatch.context() as lost:
                lost.setattr(DBTaskResult, "set_successful", record_lost)
                lost.setattr(DBTaskResult, "set_failed", record_lost)
                self.run_task(row)

    calls: list[int] = []
    monkeypatch.setattr(Worker, "run", run)

    worker.run()

    row.refresh_from_db()
    assert calls == [1]
    assert row.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=row.pk).exists()
    assert row.worker_ids == ["resilience-test"]
