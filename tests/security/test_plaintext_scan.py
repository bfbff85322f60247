"""Personal data is never on disk in plain text: known values written through Solvent's real paths
(the placement upload and the command-line import, rows rejected for other reasons, the demo loader,
the API, desk and admin pages) are not found in any byte of the SQLite database, its WAL and shared
memory file, the var dir (upload dir, error report), the logs, nor in a `pg_dump` of PostgreSQL.

The writer runs in a process of its own with production-like settings (keys from the environment,
a file database in WAL mode), see plaintext_writer.py. Each scan prints what it read, in bytes.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.security.plaintext_values import DATE_OF_BIRTH_FORMS, NATIONAL_ID_FORMS, SURNAME
from tests.servers import postgres_url_for_tests

ROOT = Path(__file__).resolve().parents[2]
WRITER_TIMEOUT_SECONDS = 600


@dataclass
class Scan:
    """What a scan read and what it found: (where, form) for each hit."""

    needles: tuple[str, ...]
    sources: dict[str, int] = field(default_factory=dict)
    hits: list[tuple[str, str]] = field(default_factory=list)

    def bytes_(self, where: str, content: bytes) -> None:
        self.sources[where] = len(content)
        self.hits.extend((where, needle) for needle in self.needles if needle.encode() in content)

    def file(self, path: Path, root: Path) -> None:
        self.bytes_(str(path.relative_to(root)), path.read_bytes())

    def summary(self) -> str:
        found: dict[str, list[str]] = {}
        for where, needle in self.hits:
            found.setdefault(where, []).append(needle)
        lines = [
            f"  {where}: {size:,} bytes"
            + (
                f", {len(found[where])} hits: {', '.join(found[where][:5])}"
                if where in found
                else ""
            )
            for where, size in sorted(self.sources.items())
        ]
        total = sum(self.sources.values())
        return (
            f"scanned {len(self.sources)} sources, {total:,} bytes, for {len(self.needles)} "
            f"values; {len(self.hits)} hits\n" + "\n".join(lines)
        )


@dataclass
class Writer:
    process: subprocess.Popen[str]
    report: dict[str, object]
    var_dir: Path
    log: Path


def _environment(var_dir: Path, database_url: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        # Without pytest's marker the settings take their keys from the environment, as in production.
        if key not in {"PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DATABASE_URL", "SOLVENT_DEBUG"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "solvent.config.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SOLVENT_FIELD_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "SOLVENT_AUDIT_KEY": secrets.token_hex(32),
            "SOLVENT_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "SOLVENT_HTTPS": "0",
            # The upload's import task runs at once, as a worker would run it.
            "SOLVENT_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            # Everything a process logs would reach the machine's journal: log it all, and scan it.
            "SOLVENT_LOG_LEVEL": "DEBUG",
        }
    )
    return environment


@pytest.fixture
def writer_started(tmp_path: Path) -> Iterator[object]:
    started: list[subprocess.Popen[str]] = []

    def start(database_url: str) -> Writer:
        var_dir = tmp_path / "var"
        log = tmp_path / "writer.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.security.plaintext_writer", str(tmp_path / "input")],
            cwd=ROOT,
            env=_environment(var_dir, database_url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log.open("w"),
            text=True,
        )
        started.append(process)
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            process.wait(timeout=WRITER_TIMEOUT_SECONDS)
            pytest.fail(f"the writer stopped (exit {process.returncode}):\n{log.read_text()}")
        return Writer(process, json.loads(line), var_dir, log)

    yield start
    for process in started:
        if process.poll() is None:
            process.communicate(timeout=WRITER_TIMEOUT_SECONDS)


def _finish(writer: Writer) -> str:
    writer.process.communicate(timeout=WRITER_TIMEOUT_SECONDS)
    assert writer.process.returncode == 0, writer.log.read_text()
    return writer.log.read_text()


def _needles(report: dict[str, object]) -> tuple[str, ...]:
    demo_ids = report["demo_national_ids"]
    assert isinstance(demo_ids, list)
    return (*DATE_OF_BIRTH_FORMS, *NATIONAL_ID_FORMS, *demo_ids)


def _check_the_writes(report: dict[str, object]) -> None:
    """The values did go in: rows imported and rejected, pages served, nothing showing them."""
    for name in ("upload", "cli"):
        counts = report[name]
        assert isinstance(counts, dict)
        assert counts["status"] == "done", counts
        assert (counts["rows_imported"], counts["rows_rejected"]) == (2, 8), counts
    assert report["demo_national_ids"], "the demo wrote no national ids: nothing to look for"
    assert report["history_recorded"], report
    assert report["upload_dir_left"] == [], report["upload_dir_left"]
    pages = report["pages"]
    assert isinstance(pages, dict)
    assert set(pages.values()) == {200}, pages
    assert report["pages_showing_plaintext"] == [], report["pages_showing_plaintext"]
    assert report["admin_change_status"] == 302, report["admin_change_status"]
    assert report["audit_intact"], report


def _var_dir_scan(scan: Scan, var_dir: Path) -> None:
    for path in sorted(var_dir.rglob("*")):
        if path.is_file():
            scan.file(path, var_dir.parent)


def test_no_personal_data_in_plain_text_in_the_sqlite_files_wal_var_dir_or_logs(
    writer_started: object, tmp_path: Path
) -> None:
    database = tmp_path / "var" / "solvent.sqlite3"
    writer = writer_started(f"sqlite:///{database}")  # type: ignore[operator]
    _check_the_writes(writer.report)
    scan = Scan(_needles(writer.report))
    wal = database.with_name(database.name + "-wal")
    # Scanned while the writer's connections are open: nothing has checkpointed the WAL away.
    assert wal.exists() and wal.stat().st_size > 0, (
        "no WAL to scan: the database is not in WAL mode"
    )
    _var_dir_scan(scan, writer.var_dir)
    _control(writer.var_dir, [database, wal], ["var/errors.csv"])
    log = _finish(writer)
    scan.bytes_("writer's log (stderr)", log.encode())
    print(scan.summary())  # noqa: T201 - the figures the operations guide quotes
    assert {"var/solvent.sqlite3", "var/solvent.sqlite3-wal", "var/solvent.sqlite3-shm"} <= set(
        scan.sources
    )
    assert scan.hits == [], scan.summary()


def _control(var_dir: Path, database_files: list[Path], reports: list[str]) -> None:
    """The scan reads what was written: the debtors' surname, stored in clear, is found where the
    personal values are not, and the error report holds the masked rows."""
    found = Scan((SURNAME,))
    for path in database_files:
        found.file(path, var_dir.parent)
    assert found.hits, "the debtors' surname is not in the database files: the scan saw nothing"
    for report in reports:
        text = (var_dir.parent / report).read_text()
        assert text.count("[masked]") >= 6 and "principal" in text, text


def _pg_dump() -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), reverse=True)
    found = str(candidates[0]) if candidates else shutil.which("pg_dump")
    if found is None:
        pytest.fail("pg_dump not found (PostgreSQL client binaries)")
    return found


@pytest.mark.postgres
def test_no_personal_data_in_plain_text_in_a_pg_dump(
    writer_started: object, tmp_path: Path
) -> None:
    import psycopg

    server = postgres_url_for_tests()
    if server is None:
        pytest.skip("PostgreSQL is not available")
    name = f"solvent_scan_{uuid.uuid4().hex[:12]}"
    database_url = server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        writer = writer_started(database_url)  # type: ignore[operator]
        _check_the_writes(writer.report)
        log = _finish(writer)
        dump = subprocess.run(
            [_pg_dump(), "--no-owner", "--dbname", database_url],
            check=True,
            capture_output=True,
        ).stdout
        scan = Scan(_needles(writer.report))
        scan.bytes_("pg_dump", dump)
        _var_dir_scan(scan, writer.var_dir)
        scan.bytes_("writer's log (stderr)", log.encode())
        print(scan.summary())  # noqa: T201 - the figures the operations guide quotes
        assert scan.sources["pg_dump"] > 100_000, "the dump is too small to hold the portfolio"
        assert scan.hits == [], scan.summary()
        assert b"Scanwell" in dump, "the debtors' surname is not in the dump: the scan saw nothing"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_scanner_finds_a_value_written_in_plain_text(tmp_path: Path) -> None:
    """The scan could fail: a file holding one form of each value is reported, form by form."""
    scan = Scan((*DATE_OF_BIRTH_FORMS, *NATIONAL_ID_FORMS))
    scan.bytes_("sample", b"born 04/19/1937, ssn 078051120")
    assert scan.hits == [("sample", "04/19/1937"), ("sample", "078051120")]
