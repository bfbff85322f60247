"""A throwaway Solvent installation for the crash test and the benchmark.

Its own database (an SQLite file, or a fresh database on the PostgreSQL server), N e-mails queued for
N debtors, a loopback SMTP server that records every Message-ID, and real worker processes
(`db_worker` on the outbox queue) that can be killed with SIGKILL and started again.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.contact.outbox_rig_main import LAWFUL_NOW

REPO = Path(__file__).resolve().parents[2]


class OutboxRig:
    def __init__(
        self,
        *,
        database: str,
        smtp_port: int,
        postgres_url: str = "",
        lease_seconds: int = 5,
        batch: int = 20,
        gate: str = "real",
        redis_url: str = "",
        commit_every: int = 1,
    ) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="solvent-outbox-"))
        self.database = database
        self._pg_admin_url = postgres_url
        self._pg_name = ""
        if database == "postgres":
            self._pg_name = f"solvent_outbox_{uuid.uuid4().hex[:10]}"
            self.database_url = postgres_url.rsplit("/", 1)[0] + "/" + self._pg_name
        else:
            self.database_url = f"sqlite:///{self.workdir / 'outbox.sqlite3'}"
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "solvent.config.settings",
            "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}",
            "DATABASE_URL": self.database_url,
            "SOLVENT_VAR_DIR": str(self.workdir / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "SOLVENT_OUTBOX_LEASE_SECONDS": str(lease_seconds),
            "SOLVENT_OUTBOX_BATCH": str(batch),
            "SOLVENT_LOG_LEVEL": "ERROR",
            "SOLVENT_RIG_GATE": gate,
            "SOLVENT_OUTBOX_COMMIT_EVERY": str(commit_every),
            "SOLVENT_TASK_BACKEND": (
                "django_tasks_rq.RQBackend" if redis_url else "django_tasks_db.DatabaseBackend"
            ),
            "REDIS_URL": redis_url,
            "SOLVENT_RIG_CLOCK_OFFSET": str((LAWFUL_NOW - datetime.now(tz=UTC)).total_seconds()),
        }
        self.workers: dict[int, subprocess.Popen[bytes]] = {}
        self.kicks: list[subprocess.Popen[bytes]] = []

    def _run(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "tests.contact.outbox_rig_main", *args],
            env=self.environment,
            cwd=REPO,
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args} failed: {result.stderr.decode()[-3000:]}")
        return result.stdout.decode()

    def create(self, messages: int) -> None:
        if self._pg_name:
            import psycopg

            with psycopg.connect(self._pg_admin_url, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{self._pg_name}"')
        self._run("migrate")
        self._run("seed", str(messages))

    def start_worker(self, slot: int) -> None:
        log = (self.workdir / f"worker-{slot}.log").open("ab")
        self.workers[slot] = subprocess.Popen(
            [sys.executable, "-m", "tests.contact.outbox_rig_main", "worker"],
            env=self.environment,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kick(self) -> None:
        """Enqueue one dispatch task, as the production cron does; does not wait for it."""
        self.kicks = [k for k in self.kicks if k.poll() is None]
        log = (self.workdir / "kick.log").open("ab")
        self.kicks.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.contact.outbox_rig_main", "kick"],
                env=self.environment,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )

    def log_tails(self, characters: int = 1500) -> str:
        """The end of every worker's and kick's log: what a failure report needs."""
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-characters:]}"
            for log in sorted(self.workdir.glob("*.log"))
        )

    def worker_name(self, slot: int) -> str:
        """The name the worker in this slot claims messages under (contact.sender.worker_name)."""
        return f"{socket.gethostname()}:{self.workers[slot].pid}"

    def kill_worker(self, slot: int) -> None:
        process = self.workers.pop(slot)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for slot in list(self.workers):
            self.kill_worker(slot)
        for kick in self.kicks:
            kick.kill()
            kick.wait()
        self.kicks = []

    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.database == "postgres":
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as connection:
                return list(connection.execute(sql).fetchall())
        with sqlite3.connect(
            self.database_url.removeprefix("sqlite:///"), timeout=30
        ) as connection:
            return list(connection.execute(sql).fetchall())

    def status_counts(self) -> dict[str, int]:
        rows = self._query("SELECT status, COUNT(*) FROM contact_outboxmessage GROUP BY status")
        return {str(status): int(count) for status, count in rows}

    def sent_by_worker(self) -> dict[str, int]:
        """Sent messages per worker name: a restarted worker has a new name (its pid)."""
        rows = self._query(
            "SELECT worker, COUNT(*) FROM contact_outboxmessage WHERE status = 'sent' GROUP BY worker"
        )
        return {str(worker): int(count) for worker, count in rows}

    def message_keys(self) -> set[str]:
        return {
            str(uuid.UUID(str(k)))
            for (k,) in self._query("SELECT idempotency_key FROM contact_outboxmessage")
        }

    def interactions_per_message(self) -> dict[int, int]:
        rows = self._query(
            "SELECT m.id, COUNT(i.id) FROM contact_outboxmessage m LEFT JOIN contact_interaction i "
            "ON i.id = m.interaction_id GROUP BY m.id"
        )
        return {int(pk): int(count) for pk, count in rows}

    def interaction_count(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM contact_interaction")[0][0])

    def destroy(self) -> None:
        self.stop()
        if self._pg_name:
            import psycopg

            with psycopg.connect(self._pg_admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
        shutil.rmtree(self.workdir, ignore_errors=True)


class StalledError(AssertionError):
    """Progress stopped, or the overall bound passed: says how far the run got."""


def wait_on_progress(
    done: Callable[[], bool],
    progress: Callable[[], int],
    *,
    stall_seconds: float,
    overall_seconds: float,
    what: Callable[[], str],
    interval: float = 0.2,
    idle: Callable[[], None] | None = None,
    idle_seconds: float = 15.0,
    since: float | None = None,
) -> None:
    """Wait until `done()`, as long as `progress()` keeps rising.

    A loaded machine is slow, not stuck: the wait gives up only when nothing has moved for
    `stall_seconds`, or past `overall_seconds` (a bound the caller derives from the amount of work),
    and then says how far it got. `idle` runs after each `idle_seconds` without progress (the rig's
    stand-in for the outbox cron). `since` (a `time.monotonic()` value) starts the overall bound
    earlier, so that several waits of one run share it; `what` describes the state at giving up.
    """
    started = time.monotonic() if since is None else since
    last_value = progress()
    last_move = last_idle = time.monotonic()
    while not done():
        now = time.monotonic()
        value = progress()
        if value != last_value:
            last_value, last_move = value, now
        elif idle is not None and now - max(last_move, last_idle) > idle_seconds:
            idle()
            last_idle = now
        if now - last_move > stall_seconds or now - started > overall_seconds:
            raise StalledError(
                f"{what()}: gave up at {last_value} after {now - started:.0f} s "
                f"(no progress for {now - last_move:.0f} s; bounds {stall_seconds:.0f} s "
                f"without progress, {overall_seconds:.0f} s overall)"
            )
        time.sleep(interval)


def wait_until(predicate: Any, *, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
