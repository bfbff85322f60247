"""A throwaway PostgreSQL cluster the test may stop and start at will (tests/servers.py's is shared).

initdb + pg_ctl in a temporary directory, listening on a free loopback port; as root it runs as the
postgres (or nobody) account, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.servers import _postgres_bin, _run_as, _user_exists, free_port


def postgres_binaries() -> Path | None:
    return _postgres_bin()


class ThrowawayPostgres:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
        self.directory = Path(tempfile.mkdtemp(prefix="solvent-pg-restart-"))
        if self.user:
            shutil.chown(self.directory, user=self.user)
        self.data = self.directory / "data"
        self.port = free_port()
        self.admin_url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def create(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"
        )  # fmt: skip
        self.start()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def start(self) -> None:
        options = (
            f"-F -k {self.directory} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"),
            "-w", "-t", "120", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`-m fast`: sessions are ended and the server shuts down cleanly, as a restart does."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, characters: int = 2000) -> str:
        with contextlib.suppress(OSError):
            return (self.directory / "log").read_text(errors="replace")[-characters:]
        return ""

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop(mode="immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        _run_as(self.user, [str(self.bin_dir / program), *args])
