"""The task worker's housekeeping: small periodic jobs the apps declare, run by `solvent worker`.

An app that has something to check now and then without anyone asking (an import whose process
died) declares it in its own `housekeeping.py` as `JOBS`: callables without arguments, each quick,
idempotent and safe to run from several workers at once (they lock what they change). The worker
runs every installed app's jobs once when it starts and then every `--housekeeping-every` seconds
on a thread of its own, so a long task does not hold them up. A job that fails is logged and tried
again at the next pass; it never stops the worker. Core names no app: the jobs are found by the
module's name, as Django finds `admin.py`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from importlib import import_module

from django.apps import apps
from django.db import DatabaseError, connection
from django.utils.module_loading import module_has_submodule

logger = logging.getLogger("solvent.housekeeping")

Job = Callable[[], object]
# Between passes: often enough that a dead import is flagged within a minute of being stale.
DEFAULT_EVERY_SECONDS = 60.0


def housekeeping_jobs() -> list[Job]:
    """Every installed app's `housekeeping.JOBS`, in app order."""
    jobs: list[Job] = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "housekeeping"):
            module = import_module(f"{config.name}.housekeeping")
            jobs.extend(getattr(module, "JOBS", ()))
    return jobs


def housekeeping_run(jobs: Sequence[Job]) -> int:
    """Run each job once; returns how many failed (each failure is logged, none is raised)."""
    failed = 0
    for job in jobs:
        name = getattr(job, "__qualname__", repr(job))
        try:
            job()
        except DatabaseError as error:
            failed += 1
            logger.warning("housekeeping %s: the database refused (%s); next pass", name, error)
        except Exception:
            failed += 1
            logger.exception("housekeeping %s failed; next pass", name)
    return failed


class Housekeeping:
    """Runs the jobs every `every` seconds on a daemon thread until stopped."""

    def __init__(self, jobs: Sequence[Job], *, every: float) -> None:
        self.jobs = list(jobs)
        self.every = every
        self.passes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="housekeeping", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(self.every):
                housekeeping_run(self.jobs)
                self.passes += 1
                # This thread's own connection: idle for a minute between passes, a pooler or a
                # database restart may cut it, so each pass connects afresh.
                connection.close()
        finally:
            connection.close()
