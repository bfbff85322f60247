"""`solvent worker`: the database task worker, which outlives the database going away (ADR 0021).

django-tasks' `db_worker` ends at the first error it cannot place, a lost connection included, and
leaves the task whose outcome it was recording marked running for ever. This command runs the same
worker (its loop, its options, its SIGTERM/SIGINT handling) and, when the connection is lost:
closes Django's connections, waits with capped exponential backoff (0.5 s doubling to 30 s, each
wait drawn between half and all of that, so workers that lost the database together do not return
together) until the database answers, queues again the task whose outcome it could not record
(tasks are idempotent), and carries on. Any other error still ends it.

It also runs the apps' housekeeping (core.housekeeping: an import whose process died is marked
stale) when it starts and every `--housekeeping-every` seconds on a thread of its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import time
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, connections, router
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker, valid_interval
from django_tasks_db.models import DBTaskResult

from solvent.core.housekeeping import (
    DEFAULT_EVERY_SECONDS,
    Housekeeping,
    housekeeping_jobs,
    housekeeping_run,
)

# What Django raises when the database refuses or drops the connection.
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

logger = logging.getLogger("solvent.worker")


def backoff_delays(*, initial: float, maximum: float, rng: random.Random) -> Iterator[float]:
    """Waits between reconnection attempts: `initial` doubling up to `maximum`, with jitter.

    Each wait is drawn between half and all of its step, so it never exceeds `maximum`.
    """
    step = initial
    while True:
        yield rng.uniform(step / 2, step)
        step = min(maximum, step * 2)


class ResilientWorker(Worker):
    """django-tasks' database worker, run again after each lost connection instead of ending."""

    def __init__(
        self,
        *,
        backoff_initial: float,
        backoff_max: float,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        housekeeping_every: float = 0,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        # Seconds between housekeeping passes; 0 runs none (the tests' workers).
        self.housekeeping_every = housekeeping_every
        self.reconnects = 0
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        # The task being run when the connection was lost: its outcome may not have been saved.
        self._unsettled: DBTaskResult[Any, Any] | None = None

    def run(self) -> None:
        keeper = self._housekeeping_start()
        try:
            self._run_resilient()
        finally:
            if keeper is not None:
                keeper.stop()

    def _housekeeping_start(self) -> Housekeeping | None:
        """One pass now (a worker restarted after a crash flags the imports that died with it at
        once), then a thread for the next ones; none in batch mode, which ends with the queue."""
        if self.housekeeping_every <= 0:
            return None
        jobs = housekeeping_jobs()
        housekeeping_run(jobs)
        if self.batch:
            return None
        keeper = Housekeeping(jobs, every=self.housekeeping_every)
        keeper.start()
        return keeper

    def _run_resilient(self) -> None:
        while True:
            try:
                self._requeue_unsettled()
                super().run()
                return
            except DATABASE_ERRORS as error:
                if not self.running:
                    # Asked to stop while a task ran: stop now, the database is away anyway.
                    logger.warning(
                        "database connection lost while stopping: %s", _first_line(error)
                    )
                    return
                self._wait_for_database(error)
                # The thundering-herd delay is for a fresh start; the backoff has its own jitter.
                self.startup_delay = False

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        # django-tasks records every outcome itself: this only raises when recording failed.
        self._unsettled = db_task_result
        super().run_task(db_task_result)
        self._unsettled = None

    def _wait_for_database(self, error: Exception) -> None:
        started = time.monotonic()
        logger.warning(
            "worker %s lost the database (%s: %s); reconnecting with backoff up to %.0f s",
            self.worker_id,
            type(error).__name__,
            _first_line(error),
            self.backoff_max,
        )
        delays = backoff_delays(
            initial=self.backoff_initial, maximum=self.backoff_max, rng=self._rng
        )
        for attempt, delay in enumerate(delays, start=1):
            _close_connections()
            self._sleep(delay)
            if self._database_answers():
                self.reconnects += 1
                logger.warning(
                    "worker %s has the database back after %.1f s (%d attempts); carrying on",
                    self.worker_id,
                    time.monotonic() - started,
                    attempt,
                )
                return
            logger.info(
                "worker %s: database still unavailable (attempt %d)", self.worker_id, attempt
            )

    def _database_answers(self) -> bool:
        alias = router.db_for_write(DBTaskResult)
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DATABASE_ERRORS:
            return False
        return True

    def _requeue_unsettled(self) -> None:
        """Queue again the task that was running when the connection went: it may not have run.

        Only if it is still marked running: a commit whose answer was lost may have saved it after all.
        """
        task = self._unsettled
        if task is None:
            return
        queued = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
        self._unsettled = None
        if queued:
            logger.warning(
                "task %s (%s) was running when the database went away and its outcome was not "
                "saved: queued to run again",
                task.pk,
                task.task_path,
            )


def _close_connections() -> None:
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


class Command(DatabaseWorkerCommand):
    help = (
        "Run the database task worker (db_worker's options); it waits out a lost database "
        "connection with backoff instead of exiting."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--backoff-initial",
            type=valid_interval,
            default=0.5,
            help="first wait, in seconds, before reconnecting to a lost database (default: 0.5)",
        )
        parser.add_argument(
            "--backoff-max",
            type=valid_interval,
            default=30.0,
            help="longest wait, in seconds, between reconnection attempts (default: 30)",
        )
        parser.add_argument(
            "--housekeeping-every",
            type=float,
            default=DEFAULT_EVERY_SECONDS,
            help="seconds between the apps' housekeeping passes, e.g. marking dead imports "
            f"stale (default: {DEFAULT_EVERY_SECONDS:.0f}; 0: none)",
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        logger.setLevel(
            logging.CRITICAL
            if verbosity == 0
            else logging.INFO
            if verbosity == 1
            else logging.DEBUG
        )

    def handle(  # type: ignore[override]
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        backoff_initial: float,
        backoff_max: float,
        housekeeping_every: float,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            backoff_initial=backoff_initial,
            backoff_max=max(backoff_max, backoff_initial),
            housekeeping_every=housekeeping_every,
        )
        # As db_worker does: with --reload only the reloader's child handles the signals.
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
