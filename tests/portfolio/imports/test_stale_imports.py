"""Stale imports: a run whose process died is detected, resumed or superseded; a live one is not raced.

The crash tests run `solvent import placements` in a real subprocess and SIGKILL it once a few
batches have committed (waiting on the placement's progress in the database, not on time), then
detect the run as stale (`solvent import status`) and resume it (`--resume ID`); the resumed
placement must end with the counts, error report and accounts of a clean import of the same file.
The other tests set the state directly: a run "dies" by raising a BaseException out of its progress
callback after its first committed batch, which leaves the placement `running`, as a kill does.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test import Client as HttpClient
from django.test import override_settings

from solvent.audit.models import AuditEntry
from solvent.core import clock
from solvent.core.domain.errors import ValidationError
from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.generate import write_placement_csv
from solvent.portfolio.imports.liveness import Worker, stale_reason, this_worker
from solvent.portfolio.imports.runs import (
    ImportRunningError,
    ImportStateError,
    RunTakenOverError,
    placement_stale_sweep,
)
from solvent.portfolio.imports.services import placement_import, placement_resume
from solvent.portfolio.models import Account, Client, Placement, Team
from tests.portfolio.imports.placement_files import good_row, write_rows

PLACED_ON = date(2026, 11, 1)
COUNTERS = (
    "status",
    "rows_total",
    "rows_done",
    "rows_imported",
    "rows_rejected",
    "accounts_created",
    "accounts_updated",
)
IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports"],
    }
}


class _Killed(BaseException):
    """Not an Exception: the import's error handling never sees it, as it never sees SIGKILL."""


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped): nothing answers to it."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _killed_after_first_batch(client: Client, path: Path, *, batch_rows: int) -> Placement:
    """Run an import that dies once its first batch has committed; its process is then gone."""

    def die(done: int, total: int) -> None:
        raise _Killed

    with pytest.raises(_Killed):
        placement_import(
            client=client, path=path, placed_on=PLACED_ON, progress=die, batch_rows=batch_rows
        )
    placement = Placement.objects.get(client=client)
    assert placement.status == Placement.Status.RUNNING
    Placement.objects.filter(pk=placement.pk).update(worker_pid=_dead_pid())
    placement.refresh_from_db()
    return placement


def _counters(placement: Placement) -> dict[str, Any]:
    placement.refresh_from_db()
    return {name: getattr(placement, name) for name in COUNTERS}


def _accounts(client: Client) -> list[tuple[Any, ...]]:
    """What an account holds, without what differs by client (ids, client, placement)."""
    return list(
        Account.objects.filter(client=client)
        .order_by("account_number")
        .values_list("account_number", "principal", "interest", "fees", "placed_on", "status")
    )


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank")


@pytest.fixture
def clean() -> Client:
    """A second client for the clean import of the same file (accounts are per client)."""
    return Client.objects.create(code="clean", name="Clean Import Bank")


@pytest.fixture
def ten_rows(tmp_path: Path) -> Path:
    rows = [good_row(n, principal="abc" if n in {2, 8} else f"{100 + n}.00") for n in range(1, 11)]
    return write_rows(tmp_path / "p.csv", rows)


# -- detection ------------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(SOLVENT_IMPORT_STALE_SECONDS=600)
def test_a_running_import_is_stale_once_its_heartbeat_is_older_than_the_limit(acme) -> None:
    now = clock.now()
    elsewhere = Worker(host="worker-7", pid=4242)  # another machine: its pid cannot be checked
    fresh, old = (
        Placement.objects.create(
            client=acme,
            placed_on=PLACED_ON,
            source_name=f"{name}.csv",
            checksum=name,
            status=Placement.Status.RUNNING,
            heartbeat_at=now - timedelta(seconds=age),
            worker_host=elsewhere.host,
            worker_pid=elsewhere.pid,
            rows_done=400,
            rows_total=1000,
        )
        for name, age in (("fresh", 599), ("old", 601))
    )
    assert stale_reason(fresh, now=now) == ""
    assert stale_reason(old, now=now) == "no committed batch for 601 s"
    assert [p.pk for p in placement_stale_sweep(now=now)] == [old.pk]
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert fresh.status == Placement.Status.RUNNING
    assert old.status == Placement.Status.STALE
    assert old.failure.startswith("stale: the importing process stopped after 400 of 1,000 rows")
    assert f"--resume {old.pk}" in old.failure
    assert AuditEntry.objects.filter(action="placement.stale", object_id=str(old.pk)).count() == 1


@pytest.mark.django_db
def test_on_the_same_host_a_run_whose_process_is_gone_is_stale_at_once(acme) -> None:
    here = this_worker()
    running = Placement.objects.create(
        client=acme,
        placed_on=PLACED_ON,
        source_name="p.csv",
        checksum="x",
        status=Placement.Status.RUNNING,
        heartbeat_at=clock.now(),
        worker_host=here.host,
        worker_pid=os.getpid(),
    )
    assert stale_reason(running, now=clock.now()) == ""  # this very process: alive
    running.worker_pid = _dead_pid()
    reason = stale_reason(running, now=clock.now())
    assert reason == f"its process {running.worker_pid} on {here.host} is gone"


# -- refusing a second run ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_run_of_a_file_that_is_being_imported_is_refused(acme, ten_rows, tmp_path) -> None:
    first = _killed_after_first_batch(acme, ten_rows, batch_rows=3)
    # Alive again: this process's pid, a fresh heartbeat.
    Placement.objects.filter(pk=first.pk).update(worker_pid=os.getpid(), heartbeat_at=clock.now())
    with pytest.raises(ImportRunningError, match=rf"placement {first.pk} is importing this file"):
        placement_import(client=acme, path=ten_rows, placed_on=PLACED_ON)
    with pytest.raises(ImportRunningError):
        placement_resume(placement_id=first.pk)
    assert Placement.objects.count() == 1
    assert Account.objects.count() == 3  # the first batch: 3 valid rows (row 3 was rejected)
    other = write_rows(tmp_path / "other.csv", [good_row(20)])
    assert placement_import(client=acme, path=other).status == Placement.Status.DONE


@pytest.mark.django_db
def test_the_cli_refuses_a_second_run_with_the_reason(acme, ten_rows) -> None:
    first = _killed_after_first_batch(acme, ten_rows, batch_rows=3)
    Placement.objects.filter(pk=first.pk).update(worker_pid=os.getpid(), heartbeat_at=clock.now())
    with pytest.raises(CommandError, match=rf"placement {first.pk} is importing this file now"):
        call_command(
            "import", "placements", str(ten_rows), "--client", "acme", stdout=io.StringIO()
        )


# -- resuming -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resume_writes_only_the_rows_after_the_last_committed_batch_and_ends_like_a_clean_import(
    acme, clean, ten_rows
) -> None:
    stopped = _killed_after_first_batch(acme, ten_rows, batch_rows=3)
    assert (stopped.rows_done, stopped.rows_imported, stopped.rows_rejected) == (4, 3, 1)
    # A payment lands on a committed account before the resume: the resume must not write it again.
    first = Account.objects.get(client=acme, account_number="A-0001")
    Account.objects.filter(pk=first.pk).update(principal="1.00")

    resumed = placement_resume(placement_id=stopped.pk, batch_rows=3)

    reference = placement_import(client=clean, path=ten_rows, placed_on=PLACED_ON, batch_rows=3)
    assert resumed.pk == stopped.pk and resumed.attempt == 2
    assert _counters(resumed) == _counters(reference)
    assert _counters(resumed)["rows_rejected"] == 2  # row 3 (first batch) and row 9 (after)
    assert resumed.error_report == reference.error_report  # rows skipped were validated again
    mine = _accounts(acme)
    assert mine[0][:2] == ("A-0001", Decimal("1.00"))
    assert mine[1:] == _accounts(clean)[1:]
    assert len(mine) == 8
    assert set(Account.objects.filter(client=acme).values_list("placement", flat=True)) == {
        resumed.pk
    }
    assert Placement.objects.filter(client=acme).count() == 1
    actions = list(
        AuditEntry.objects.filter(object_id=str(resumed.pk)).values_list("action", flat=True)
    )
    assert "placement.stale" in actions and "placement.resumed" in actions


@pytest.mark.django_db
def test_a_resume_reads_the_same_file_given_again_and_refuses_another(acme, ten_rows, tmp_path):
    stopped = _killed_after_first_batch(acme, ten_rows, batch_rows=3)
    moved = tmp_path / "again.csv"
    moved.write_bytes(ten_rows.read_bytes())
    ten_rows.unlink()  # the stored file is gone
    with pytest.raises(ValidationError, match="is no longer here") as gone:
        placement_resume(placement_id=stopped.pk)
    assert gone.value.code == "placement_file_missing"
    edited = write_rows(tmp_path / "edited.csv", [good_row(1)])
    with pytest.raises(ValidationError, match="is not the file of placement") as other:
        placement_resume(placement_id=stopped.pk, path=edited)
    assert other.value.code == "placement_file_changed"
    resumed = placement_resume(placement_id=stopped.pk, path=moved)
    assert resumed.status == Placement.Status.DONE
    assert resumed.source_path == str(moved)
    assert (resumed.rows_imported, resumed.accounts_created) == (8, 8)
    with pytest.raises(ImportStateError, match="is done: there is nothing to resume"):
        placement_resume(placement_id=stopped.pk, path=moved)


@pytest.mark.django_db
def test_a_run_that_was_taken_over_stops_without_writing_another_batch(acme, ten_rows) -> None:
    def taken_over(done: int, total: int) -> None:
        # Another process declared this run stale and claimed the placement (a new attempt).
        Placement.objects.filter(client=acme).update(attempt=F("attempt") + 1)

    with pytest.raises(RunTakenOverError):
        placement_import(
            client=acme, path=ten_rows, placed_on=PLACED_ON, progress=taken_over, batch_rows=3
        )
    placement = Placement.objects.get(client=acme)
    assert Account.objects.count() == 3  # the first batch only
    assert placement.rows_done == 4
    # The successor owns the outcome: the stopped run wrote no failure over it.
    assert (placement.status, placement.failure) == (Placement.Status.RUNNING, "")


# -- superseding ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_import_of_the_same_file_supersedes_the_stale_run_and_takes_its_accounts(
    acme, ten_rows
) -> None:
    stale = _killed_after_first_batch(acme, ten_rows, batch_rows=3)
    assert Account.objects.filter(placement=stale).count() == 3
    newer = placement_import(client=acme, path=ten_rows, placed_on=date(2026, 11, 2))
    stale.refresh_from_db()
    assert stale.status == Placement.Status.SUPERSEDED
    assert stale.superseded_by_id == newer.pk
    assert f"superseded by placement {newer.pk}, which took its 3 accounts" in stale.failure
    assert newer.status == Placement.Status.DONE
    # The stale run's 3 accounts are as this file writes them: unchanged, skipped by fingerprint.
    assert (newer.accounts_created, newer.accounts_updated, newer.rows_unchanged) == (5, 0, 3)
    accounts = Account.objects.filter(client=acme)
    assert accounts.count() == 8
    assert set(accounts.values_list("placement", "placed_on")) == {(newer.pk, date(2026, 11, 2))}
    with pytest.raises(ImportStateError, match=f"superseded by placement {newer.pk}"):
        placement_resume(placement_id=stale.pk)


# -- the status command ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_status_marks_stopped_runs_stale_and_lists_them_with_their_counts(
    acme, ten_rows
) -> None:
    stopped = _killed_after_first_batch(acme, ten_rows, batch_rows=3)
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "status", stdout=out, stderr=err)
    assert f"placement {stopped.pk} is stale" in err.getvalue()
    line = next(row for row in out.getvalue().splitlines() if row.split()[0] == str(stopped.pk))
    assert line.split()[1:7] == ["acme", "stale", "4", "/", "10", "3"]
    stopped.refresh_from_db()
    assert stopped.status == Placement.Status.STALE
    call_command("import", "placements", "--resume", str(stopped.pk), stdout=(out := io.StringIO()))
    assert "rows imported              8" in out.getvalue()
    assert "runs                       2" in out.getvalue()
    call_command("import", "status", stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "no unfinished imports"


# -- the API --------------------------------------------------------------------------------------


def _token(role: Role, team: str | None = None, name: str | None = None) -> dict[str, str]:
    user = User.objects.create_user(username=name or role.value, password="a-password-123")
    staff_role_set(user=user, role=role)
    if team:
        Team.objects.get_or_create(name=team)[0].members.add(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')}"}


def _resume(placement_id: int, headers: dict[str, str], content: bytes | None = None):
    data = {}
    if content is not None:
        data["file"] = SimpleUploadedFile("again.csv", content, content_type="text/csv")
    return HttpClient().post(f"/api/placements/{placement_id}/resume", data, **headers)


@pytest.mark.django_db
def test_the_api_resumes_a_stale_import_for_operations_staff_only(
    acme, ten_rows, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    # Through the settings fixture, not @override_settings: the two restore in the wrong order
    # and leaked TASKS into every later test (test_worker found it).
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    Team.objects.create(name="Acme floor").clients.add(acme)
    globex = Client.objects.create(code="globex", name="Globex")
    Team.objects.create(name="Globex floor").clients.add(globex)
    stopped = _killed_after_first_batch(acme, ten_rows, batch_rows=3)
    admin = _token(Role.ADMIN)
    assert _resume(stopped.pk, _token(Role.AGENT, team="Acme floor")).status_code == 403
    assert _resume(stopped.pk, _token(Role.SUPERVISOR, "Globex floor", "g")).status_code == 404
    # Alive: refused with the reason.
    Placement.objects.filter(pk=stopped.pk).update(worker_pid=os.getpid(), heartbeat_at=clock.now())
    refused = _resume(stopped.pk, admin)
    assert refused.status_code == 409 and refused.json()["code"] == "import_running"
    Placement.objects.filter(pk=stopped.pk).update(worker_pid=_dead_pid())
    ten_rows_content = ten_rows.read_bytes()
    ten_rows.unlink()
    gone = _resume(stopped.pk, admin)
    assert gone.status_code == 400 and gone.json()["code"] == "placement_file_missing"
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _resume(stopped.pk, admin, content=ten_rows_content)
    assert accepted.status_code == 202, accepted.content
    status = HttpClient().get(f"/api/placements/{stopped.pk}", **admin).json()
    assert (status["status"], status["rows_done"], status["attempt"]) == ("done", 10, 2)
    assert (status["rows_imported"], status["rows_rejected"], status["accounts_created"]) == (
        8,
        2,
        8,
    )
    assert list((tmp_path / "media" / "placements").iterdir()) == []  # the re-sent copy is deleted
    done = _resume(stopped.pk, admin)
    assert done.status_code == 409 and done.json()["code"] == "import_not_resumable"


@pytest.mark.django_db
def test_an_upload_of_a_file_being_imported_is_refused_and_not_kept(
    acme, ten_rows, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    first = _killed_after_first_batch(acme, ten_rows, batch_rows=3)
    Placement.objects.filter(pk=first.pk).update(worker_pid=os.getpid(), heartbeat_at=clock.now())
    upload = SimpleUploadedFile("march.csv", ten_rows.read_bytes(), content_type="text/csv")
    response = HttpClient().post(
        "/api/placements", {"file": upload, "client": "acme"}, **_token(Role.ADMIN)
    )
    assert response.status_code == 409 and response.json()["code"] == "import_running"
    assert list((tmp_path / "media" / "placements").iterdir()) == []
    assert Placement.objects.count() == 1


# -- a real process, killed -----------------------------------------------------------------------

ROWS = 3000
BAD_ROWS = (40, 1500, 2900)  # one rejected row before the kill, two after
# Limits that scale with the work on a loaded machine (see test_import_killed): minutes without a
# new batch mean stuck, not slow.
STALL_SECONDS = 180.0
RUN_SECONDS = 120.0 + 0.1 * ROWS
TIMEOUT_SECONDS = int(STALL_SECONDS + 3 * RUN_SECONDS + 300)


def _placement_file(path: Path) -> Path:
    write_placement_csv(path, rows=ROWS, seed=5, as_of=PLACED_ON)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for index in BAD_ROWS:
        rows[index]["principal"] = "not-an-amount"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


class _Database:
    """The test's own view of the database the subprocesses write (SQLite file or PostgreSQL)."""

    def __init__(self, sqlite_path: Path | None = None) -> None:
        self.sqlite_path = sqlite_path

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        if self.sqlite_path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        with sqlite3.connect(self.sqlite_path, timeout=30) as db:
            return list(db.execute(sql.replace("%s", "?"), params).fetchall())

    def placement(self, client_id: int) -> dict[str, Any]:
        columns = ("id", *COUNTERS, "failure", "error_report", "attempt")
        found = self.rows(
            f"SELECT {', '.join(columns)} FROM portfolio_placement WHERE client_id = %s",  # noqa: S608
            client_id,
        )
        assert len(found) == 1, found
        return dict(zip(columns, found[0], strict=True))

    def accounts(self, client_id: int) -> list[tuple[Any, ...]]:
        return self.rows(
            "SELECT a.account_number, a.principal, a.interest, a.fees, a.delinquency_date, "
            "a.placed_on, a.status, l.role, l.debtor_id FROM portfolio_account a "
            "JOIN portfolio_accountdebtor l ON l.account_id = a.id WHERE a.client_id = %s "
            "ORDER BY a.account_number, l.role, l.debtor_id",
            client_id,
        )


def _cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "solvent.cli", *arguments]


def _kill_once_batches_committed(
    env: dict[str, str], path: Path, progress: Callable[[], int]
) -> int:
    command = _cli("import", "placements", str(path), "--client", "acme")
    command += ["--placed-on", PLACED_ON.isoformat(), "--batch-size", "100"]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = last = 0
    moved_at = time.monotonic()
    while child.poll() is None:
        done = progress()
        if done >= 300:
            child.send_signal(signal.SIGKILL)
            break
        if done != last:
            last, moved_at = done, time.monotonic()
        if time.monotonic() - moved_at > STALL_SECONDS:
            child.kill()
            pytest.fail(f"the import stalled at row {done} of {ROWS}")
        time.sleep(0.02)
    child.wait()
    assert child.returncode == -signal.SIGKILL, (
        f"the import ended before the kill, at row {done} of {ROWS}: "
        + (child.stderr.read().decode() if child.stderr else "")
    )
    return child.pid


def _crash_detect_resume_compare(
    env: dict[str, str], path: Path, db: _Database, acme_id: int, clean_id: int
) -> None:
    def progress() -> int:
        found = db.rows("SELECT rows_done FROM portfolio_placement WHERE client_id = %s", acme_id)
        return int(found[0][0]) if found else 0

    _kill_once_batches_committed(env, path, progress)
    killed = db.placement(acme_id)
    assert killed["status"] == "running"
    assert 300 <= killed["rows_done"] < ROWS, "the kill must land half-way"
    # Whole batches only, and the counters committed with them.
    committed = db.rows("SELECT COUNT(*) FROM portfolio_account WHERE client_id = %s", acme_id)
    assert committed[0][0] == killed["rows_imported"] and killed["rows_imported"] % 100 == 0

    status = subprocess.run(
        _cli("import", "status"), env=env, capture_output=True, text=True, timeout=RUN_SECONDS
    )
    assert status.returncode == 0, status.stderr
    assert f"placement {killed['id']} is stale" in status.stderr
    stale = db.placement(acme_id)
    assert stale["status"] == "stale"
    assert stale["failure"].startswith(
        f"stale: the importing process stopped after {killed['rows_done']:,} of {ROWS:,} rows"
    )

    resume = _cli("import", "placements", "--resume", str(killed["id"]), "--batch-size", "100")
    resumed = subprocess.run(resume, env=env, capture_output=True, text=True, timeout=RUN_SECONDS)
    assert resumed.returncode == 0, resumed.stderr
    clean = _cli("import", "placements", str(path), "--client", "clean")
    clean += ["--placed-on", PLACED_ON.isoformat(), "--batch-size", "100"]
    reference = subprocess.run(clean, env=env, capture_output=True, text=True, timeout=RUN_SECONDS)
    assert reference.returncode == 0, reference.stderr

    mine, theirs = db.placement(acme_id), db.placement(clean_id)
    assert mine["id"] == killed["id"] and mine["attempt"] == 2
    assert {k: mine[k] for k in COUNTERS} == {k: theirs[k] for k in COUNTERS}
    assert mine["status"] == "done" and mine["rows_rejected"] == len(BAD_ROWS)
    assert mine["rows_imported"] == mine["accounts_created"] == ROWS - len(BAD_ROWS)
    assert mine["error_report"] == theirs["error_report"]
    assert db.accounts(acme_id) == db.accounts(clean_id)
    pointing = db.rows(
        "SELECT DISTINCT placement_id FROM portfolio_account WHERE client_id = %s", acme_id
    )
    assert pointing == [(killed["id"],)]


def _child_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SOLVENT_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="solvent.config.settings",
    )
    return env


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT_SECONDS)
def test_a_killed_import_is_detected_as_stale_and_resumed_like_a_clean_one_on_sqlite(
    tmp_path: Path,
) -> None:
    database = tmp_path / "db.sqlite3"
    env = _child_env(f"sqlite:///{database}", tmp_path)
    migrate = subprocess.run(
        _cli("migrate", "-v0"), env=env, capture_output=True, text=True, timeout=RUN_SECONDS
    )
    assert migrate.returncode == 0, migrate.stderr
    with sqlite3.connect(database) as db:
        for code in ("acme", "clean"):
            db.execute(
                "INSERT INTO portfolio_client (code, name, currency, country, is_active, created_at) "
                "VALUES (?, ?, 'USD', 'US', 1, '2026-01-01')",
                (code, code.title()),
            )
        ids = dict(db.execute("SELECT code, id FROM portfolio_client").fetchall())
    path = _placement_file(tmp_path / "placement.csv")
    _crash_detect_resume_compare(env, path, _Database(database), ids["acme"], ids["clean"])


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(TIMEOUT_SECONDS)
def test_a_killed_import_is_detected_as_stale_and_resumed_like_a_clean_one_on_postgres(
    tmp_path: Path, transactional_db: None
) -> None:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    url = (
        f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/"
        f"{settings['NAME']}"
    )
    acme = Client.objects.create(code="acme", name="Acme")
    clean = Client.objects.create(code="clean", name="Clean")
    path = _placement_file(tmp_path / "placement.csv")
    _crash_detect_resume_compare(_child_env(url, tmp_path), path, _Database(), acme.pk, clean.pk)
