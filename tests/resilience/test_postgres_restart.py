"""PostgreSQL restarted three times under a running web process and `solvent worker`: both survive.

A throwaway cluster, a migrated database, a web process (`runserver --nothreading`: one thread, so
its connection is kept between requests, as a gunicorn sync worker keeps it) and a worker, as real
processes. Each round: work is enqueued and done; PostgreSQL is stopped (`pg_ctl stop -m fast`);
while it is down the API answers 503 JSON (never a 500) and the worker waits instead of dying;
PostgreSQL starts again; the API answers 200 and the worker does newly enqueued work. Then a quick
restart with no request in between: the web process's kept connection is dead, and the first
request after it still gets a 200, because kept connections are health-checked.

Runs in the PostgreSQL pass (marked `postgres`), last (marked `slow`). Every wait is on a condition
with a generous bound, for a loaded 2-core machine.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.resilience.postgres_cluster import ThrowawayPostgres, postgres_binaries
from tests.servers import free_port

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 3
TASKS_PER_ROUND = 3
# Bounds, not sleeps: each wait returns as soon as its condition holds.
START_SECONDS = 180.0  # a process importing Django on a loaded machine
OUTAGE_SECONDS = 90.0  # the API and the worker notice PostgreSQL is gone
RECOVERY_SECONDS = 180.0  # back to 200, and the worker's backoff (capped at 5 s here) ends
WORK_SECONDS = 240.0  # enqueued tasks done
STOP_SECONDS = 60.0
BACKOFF_MAX = 5.0


class Installation:
    """The database, the web process and the worker, with their logs."""

    def __init__(self, cluster: ThrowawayPostgres, work_dir: Path) -> None:
        self.cluster = cluster
        self.work_dir = work_dir
        self.database_url = cluster.create_database("solvent_restart")
        self.web_port = free_port()
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "solvent.config.settings",
            "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}",
            "DATABASE_URL": self.database_url,
            "SOLVENT_VAR_DIR": str(work_dir / "var"),
            "SOLVENT_LOG_LEVEL": "WARNING",
            "SOLVENT_HTTPS": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.token = ""

    def solvent(self, *args: str, **extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "solvent.cli", *args],
            env={**self.environment, **extra},
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            timeout=START_SECONDS,
        )
        assert result.returncode == 0, f"solvent {' '.join(args)}: {result.stderr[-3000:]}"
        return result.stdout

    def prepare(self) -> None:
        self.solvent("migrate", "--verbosity", "0")
        self.solvent(
            "createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.org",
            DJANGO_SUPERUSER_PASSWORD="restart-test-password-1",
        )  # fmt: skip
        self.token = self.solvent("token", "create", "ops", "--scope", "read").strip()

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.work_dir / f"{name}.log").open("ab")
        return subprocess.Popen(
            [sys.executable, "-m", "solvent.cli", *args],
            env=self.environment,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start(self) -> None:
        self.web = self._start(
            "web", "runserver", f"127.0.0.1:{self.web_port}", "--noreload", "--nothreading"
        )
        self.worker = self._start(
            "worker", "worker", "--queue-name", "*", "--interval", "0.5", "--no-reload",
            "--backoff-max", str(BACKOFF_MAX),
        )  # fmt: skip

    def get(self, path: str = "/api/clients") -> tuple[int, dict[str, str], bytes]:
        """One request on a fresh connection; status 0 when the web process does not answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=30)
        try:
            connection.request("GET", path, headers={"Authorization": f"Bearer {self.token}"})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        except OSError:
            return 0, {}, b""
        finally:
            connection.close()

    def task_counts(self) -> Counter[str]:
        with psycopg.connect(self.database_url, autocommit=True, connect_timeout=10) as connection:
            rows = connection.execute(
                "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
            ).fetchall()
        return Counter({str(status): int(count) for status, count in rows})

    def enqueue(self, tasks: int) -> None:
        # What the production cron runs every minute: real work for the worker.
        self.solvent("outbox_kick", "--tasks", str(tasks))

    def log(self, name: str) -> str:
        path = self.work_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self.web, self.worker))

    def describe(self) -> str:
        return (
            f"web exit {self.web and self.web.poll()}, worker exit {self.worker and self.worker.poll()}"
            f"\n--- worker log\n{self.log('worker')[-3000:]}\n--- web log\n{self.log('web')[-2000:]}"
            f"\n--- postgres log\n{self.cluster.log_tail()}"
        )

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=STOP_SECONDS)


def wait_for(
    condition: Callable[[], Any], *, bound: float, what: str, describe: Callable[[], str]
) -> tuple[Any, float]:
    """Poll `condition` until it returns something true; fail with `what` past `bound` seconds."""
    started = time.monotonic()
    while True:
        value = condition()
        if value:
            return value, time.monotonic() - started
        if time.monotonic() - started > bound:
            pytest.fail(f"{what}: not within {bound:.0f} s\n{describe()}")
        time.sleep(0.2)


def _postgres_or_skip() -> Path:
    bin_dir = postgres_binaries()
    if bin_dir is not None:
        return bin_dir
    if os.environ.get("CI"):
        pytest.fail("CI is set and no PostgreSQL server binaries (initdb, pg_ctl) were found")
    pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(3600)
def test_the_web_process_and_the_worker_survive_three_postgresql_restarts(capsys) -> None:
    cluster = ThrowawayPostgres(_postgres_or_skip())
    work_dir = Path(tempfile.mkdtemp(prefix="solvent-restart-"))
    cluster.create()
    site = Installation(cluster, work_dir)
    describe = site.describe
    rounds: list[dict[str, float]] = []
    statuses_while_down: Counter[int] = Counter()
    try:
        site.prepare()
        site.start()
        wait_for(
            lambda: site.get()[0] == 200, bound=START_SECONDS, what="web up", describe=describe
        )
        expected_done = 0
        for round_number in range(1, ROUNDS + 1):
            # Work before the outage is done.
            site.enqueue(TASKS_PER_ROUND)
            expected_done += TASKS_PER_ROUND
            wait_for(
                lambda done=expected_done: site.task_counts()["SUCCESSFUL"] >= done,
                bound=WORK_SECONDS,
                what=f"round {round_number}: work before the outage",
                describe=describe,
            )
            log_start = len(site.log("worker"))

            stopped_at = time.monotonic()
            cluster.stop()

            def answer_while_down() -> bool:
                status, headers, body = site.get()
                statuses_while_down[status] += 1
                if status != 503:
                    return False
                assert headers.get("Content-Type") == "application/json", headers
                assert int(headers["Retry-After"]) > 0
                assert json.loads(body)["code"] == "database_unavailable"
                return True

            _, first_503 = wait_for(
                answer_while_down,
                bound=OUTAGE_SECONDS,
                what=f"round {round_number}: 503 JSON while PostgreSQL is down",
                describe=describe,
            )

            def worker_keeps_trying(since: int = log_start) -> bool:
                # Down long enough for the backoff to show: three failed attempts (0.5, 1, 2 s
                # steps), the API answering 503 all along.
                assert site.alive(), describe()
                assert answer_while_down(), "PostgreSQL is down, yet the API did not answer 503"
                return site.log("worker")[since:].count("database still unavailable") >= 3

            wait_for(
                worker_keeps_trying,
                bound=OUTAGE_SECONDS,
                what=f"round {round_number}: the worker retries while PostgreSQL is down",
                describe=describe,
            )
            assert site.alive(), describe()
            down_for = time.monotonic() - stopped_at

            cluster.start()
            started_at = time.monotonic()
            _, back_200 = wait_for(
                lambda: site.get()[0] == 200,
                bound=RECOVERY_SECONDS,
                what=f"round {round_number}: 200 once PostgreSQL is back",
                describe=describe,
            )
            site.enqueue(TASKS_PER_ROUND)
            expected_done += TASKS_PER_ROUND
            wait_for(
                lambda done=expected_done: site.task_counts()["SUCCESSFUL"] >= done,
                bound=WORK_SECONDS,
                what=f"round {round_number}: the worker does new work after the restart",
                describe=describe,
            )
            work_resumed = time.monotonic() - started_at
            assert site.alive(), describe()

            # A quick restart nobody sees: the web process's kept connection is dead, and the
            # health check replaces it before the first request uses it.
            cluster.restart()
            status, _, body = site.get()
            assert status == 200, f"first request after a quick restart: {status} {body[:300]!r}"
            rounds.append(
                {
                    "round": round_number,
                    "down_s": round(down_for, 1),
                    "first_503_after_stop_s": round(first_503, 1),
                    "200_after_start_s": round(back_200, 1),
                    "work_done_after_start_s": round(work_resumed, 1),
                }
            )

        assert statuses_while_down.keys() <= {200, 503}, statuses_while_down  # never a 500
        reconnections = re.findall(
            r"has the database back after ([\d.]+) s \((\d+) attempts\)", site.log("worker")
        )
        assert len(reconnections) >= ROUNDS, describe()
        counts = site.task_counts()
        assert counts["FAILED"] == 0, describe()

        # SIGTERM while the worker waits for the database ends it cleanly (exit 0).
        # (Its last reconnection may still be under way: a quick restart can fall between two
        # polls, or not. Either way a failed attempt after this stop shows it waiting.)
        since = len(site.log("worker"))
        cluster.stop()
        wait_for(
            lambda: "database still unavailable" in site.log("worker")[since:],
            bound=OUTAGE_SECONDS,
            what="the worker waits out the last outage",
            describe=describe,
        )
        assert site.worker is not None
        site.worker.send_signal(signal.SIGTERM)
        assert site.worker.wait(timeout=STOP_SECONDS) == 0, describe()

        summary = {
            "restarts_survived": len(rounds),
            "quick_restarts_first_request_200": len(rounds),
            "tasks_done": counts["SUCCESSFUL"],
            "statuses_while_down": dict(statuses_while_down),
            "worker_reconnections": [
                {"seconds": float(s), "attempts": int(a)} for s, a in reconnections
            ],
            "rounds": rounds,
        }
        with capsys.disabled():
            sys.stdout.write(f"\npostgres restart test: {json.dumps(summary)}\n")
        assert len(rounds) == ROUNDS
    finally:
        site.stop()
        cluster.destroy()
        shutil.rmtree(work_dir, ignore_errors=True)
