"""Crash test: `solvent dialer` is killed with SIGKILL 50 times while it dials a campaign.

A real dialer process (simulated telephony accelerated, bot agents) dials a campaign of planned
calls on its own database (an SQLite file, or a fresh PostgreSQL database). The test kills it at
random moments and starts it again under the same runner name, so each new process takes the
campaign over at once and closes what the dead one left. Then one last run dials until nothing is
left. At the end: every call is ended; every dialled call is in the contact history exactly once,
with its own gate attempt; no debtor has more counted call attempts than the campaign allows in a
day (the gate's ledger); and the abandon figures equal a recount from the rows and the history.

Each dialer process is forked from a "zygote" that imported Django and the dialer once (a cold
start costs seconds of imports, fifty of them the whole time budget): still a process of its own,
with its own database connection, killed outright.

The kills are placed on progress, not on the clock (ADR 0016): after each start the test waits
until the new process has dialled a seeded number of calls (1-3), then a seeded fraction of a
second, then kills it. The seed is printed first, and in every failure message
(SOLVENT_CRASH_SEED reruns it).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.contact.outbox_rig import wait_on_progress
from tests.dialer.crash.dialer_rig_main import CAMPAIGN, LAWFUL_NOW
from tests.servers import postgres_url_for_tests

REPO = Path(__file__).resolve().parents[3]
KILLS = int(os.environ.get("SOLVENT_CRASH_DIALER_KILLS", "50"))
DEBTORS = int(os.environ.get("SOLVENT_CRASH_DIALER_DEBTORS", "100"))
SPEED = 40.0
BOTS = 4
STALL_SECONDS = 120.0
OVERALL_SECONDS = 240.0 + 4.0 * KILLS
TIMEOUT_SECONDS = int(OVERALL_SECONDS + 300)


class DialerRig:
    """A throwaway database and the dialer process that is killed and restarted on it."""

    def __init__(self, database: str, postgres_url: str, seed: int) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="solvent-dialer-crash-"))
        self.database = database
        self._pg_admin_url = postgres_url
        self._pg_name = ""
        if database == "postgres":
            self._pg_name = f"solvent_dialer_{uuid.uuid4().hex[:10]}"
            self.database_url = postgres_url.rsplit("/", 1)[0] + "/" + self._pg_name
        else:
            self.database_url = f"sqlite:///{self.workdir / 'dialer.sqlite3'}"
        self.seed = seed
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "solvent.config.settings",
            "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}",
            "DATABASE_URL": self.database_url,
            "SOLVENT_VAR_DIR": str(self.workdir / "var"),
            "SOLVENT_LOG_LEVEL": "ERROR",
            "SOLVENT_RIG_CLOCK_OFFSET": str((LAWFUL_NOW - datetime.now(tz=UTC)).total_seconds()),
        }
        self.zygote: subprocess.Popen[bytes] | None = None
        self.pid: int | None = None

    def _run(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "tests.dialer.crash.dialer_rig_main", *args],
            env=self.environment,
            cwd=REPO,
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args} failed: {result.stderr.decode()[-3000:]}")
        return result.stdout.decode()

    def create(self, debtors: int) -> None:
        if self._pg_name:
            import psycopg

            with psycopg.connect(self._pg_admin_url, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{self._pg_name}"')
        self._run("migrate")
        self._run("seed", str(debtors))

    def _dialer_args(self, *extra: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "tests.dialer.crash.dialer_rig_main",
            "dialer",
            "--campaign",
            CAMPAIGN,
            "--telephony",
            "simulated",
            "--speed",
            str(SPEED),
            "--bots",
            str(BOTS),
            "--runner",
            "crash-rig",
            "--seed",
            str(self.seed),
            "--talk-seconds",
            "20",
            "--wrap-up-seconds",
            "5",
            *extra,
        ]

    def start(self, *extra: str) -> None:
        """A new dialer process, forked by the rig's zygote (see ``dialer_rig_main._zygote``)."""
        if self.zygote is None:
            self.zygote = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.dialer.crash.dialer_rig_main",
                    "zygote",
                    str(self.workdir / "dialer.log"),
                    *self._dialer_args()[4:],
                ],
                env=self.environment,
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write(" ".join(("start", *extra, "\n")).encode())
        self.zygote.stdin.flush()
        self.pid = int(self.zygote.stdout.readline())

    def alive(self) -> bool:
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        try:
            return Path(f"/proc/{self.pid}/stat").read_text().split()[2] != "Z"
        except (FileNotFoundError, ProcessLookupError):
            return False  # gone between the two looks (or while /proc was read)

    def kill(self) -> None:
        assert self.pid is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not self.alive(), f"dialer {self.pid} survived SIGKILL"
        self.pid = None

    def run_until_idle(self, timeout: float) -> None:
        """The last run: dial what is left, then stop by itself (``--until-idle``)."""
        self.start("--until-idle", "--seconds", str(round(timeout)), "--report-seconds", "5")
        deadline = time.monotonic() + timeout + 60
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not self.alive(), "the last run did not stop"
        self.pid = None

    def _query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.database == "postgres":
            import psycopg

            with psycopg.connect(self.database_url, autocommit=True) as connection:
                return list(connection.execute(sql).fetchall())
        with sqlite3.connect(
            self.database_url.removeprefix("sqlite:///"), timeout=30
        ) as connection:
            return list(connection.execute(sql).fetchall())

    def calls(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM dialer_call")[0][0])

    def report(self) -> dict[str, Any]:
        return dict(json.loads(self._run("report").strip().splitlines()[-1]))

    def log_tail(self, characters: int = 3000) -> str:
        path = self.workdir / "dialer.log"
        return path.read_text(errors="replace")[-characters:] if path.exists() else ""

    def destroy(self) -> None:
        if self.pid is not None:
            self.kill()
        if self.zygote is not None:
            self.zygote.kill()
            self.zygote.wait()
        if self._pg_name:
            import psycopg

            with psycopg.connect(self._pg_admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
        import shutil

        shutil.rmtree(self.workdir, ignore_errors=True)


def _crash_run(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    seed = int(os.environ.get("SOLVENT_CRASH_SEED", str(random.SystemRandom().randrange(2**32))))
    sys.stdout.write(f"dialer crash test ({database}): SOLVENT_CRASH_SEED={seed}\n")
    rng = random.Random(seed)
    rig = DialerRig(database, postgres_url_for_tests() or "", seed)
    kills = 0
    try:
        rig.create(DEBTORS)
        started = time.monotonic()
        for _ in range(KILLS):
            before = rig.calls()
            wanted = before + rng.randint(1, 3)
            rig.start()

            def dialled(wanted: int = wanted) -> bool:
                if not rig.alive():
                    raise AssertionError(f"the dialer exited by itself: {rig.log_tail()}")
                return rig.calls() >= wanted

            wait_on_progress(
                dialled,
                rig.calls,
                stall_seconds=STALL_SECONDS,
                overall_seconds=OVERALL_SECONDS,
                what=lambda kill=kills + 1: f"waiting for dials before kill {kill} (seed {seed})",
                interval=0.05,
                since=started,
            )
            time.sleep(rng.uniform(0.0, 0.3))
            rig.kill()
            kills += 1
        killing = time.monotonic() - started
        rig.run_until_idle(timeout=max(60.0, OVERALL_SECONDS - (time.monotonic() - started)))
        elapsed = time.monotonic() - started
        report = rig.report()
        summary = {
            "database": database,
            "seed": seed,
            "kills": kills,
            "debtors": DEBTORS,
            "speed": SPEED,
            "seconds": round(elapsed, 1),
            "seconds_killing": round(killing, 1),
            **report,
        }
        with capsys.disabled():
            sys.stdout.write(f"\ndialer crash test: {json.dumps(summary)}\n")
        assert kills == KILLS, summary
        assert report["not_ended"] == 0, f"a call was left open: {summary}"
        assert report["placed_without_interaction"] == 0, f"a dialled call is missing: {summary}"
        # Each dialled call is in the history exactly once, with its own gate attempt.
        assert report["attempts_shared"] == 0, summary
        assert report["interactions"] == report["placed"], summary
        assert report["interactions_with_call_attempt"] == report["placed"], summary
        assert report["attempts_reserved"] == 0, f"an attempt was never completed: {summary}"
        assert report["attempts_counted"] == report["placed"], summary
        # The campaign's daily attempts (and so the 7-in-7 cap) held for every debtor.
        assert report["most_attempts_per_debtor"] <= report["max_attempts_per_day"], summary
        # The abandon figures equal a recount from the rows and from the contact history.
        assert report["abandoned_30d"] == report["recount_abandoned"], summary
        assert report["live_answered_30d"] == report["recount_live"], summary
        assert report["dialling_entries"] == 0, summary
        assert report["sessions_busy"] == 0, summary
    except BaseException:
        sys.stdout.write(f"dialer crash test failed, seed {seed}; log:\n{rig.log_tail()}\n")
        raise
    finally:
        rig.destroy()


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT_SECONDS)
def test_no_call_is_lost_when_the_dialer_is_killed_sqlite(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if os.environ.get("SOLVENT_TEST_DB") == "postgres":
        pytest.skip("the SQLite run of the crash test belongs to the SQLite pass")
    _crash_run("sqlite", capsys)


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT_SECONDS)
@pytest.mark.postgres
def test_no_call_is_lost_when_the_dialer_is_killed_postgres(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _crash_run("postgres", capsys)
