"""Real servers on loopback for the tests: PostgreSQL and Redis.

Each is taken from an environment variable when set (CI points them at the machine's servers), or
started as a throwaway process on a free port and stopped when the test run ends.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from functools import cache
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_or_skip(url: str | None, what: str) -> str:
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and no {what} server could be found or started")
    pytest.skip(f"{what} is not available on this machine")


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


def _run_as(
    user: str | None, args: list[str], **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    if user:
        args = ["runuser", "-u", user, "--", *args]
    return subprocess.run(args, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload,no-any-return]


@cache
def postgres_url_for_tests() -> str | None:
    url = os.environ.get("SOLVENT_TEST_DATABASE_URL")
    if url:
        return url
    bin_dir = _postgres_bin()
    if bin_dir is None:
        return None
    # PostgreSQL refuses to run as root: use the unprivileged postgres (or nobody) account then.
    user: str | None = None
    if os.geteuid() == 0:
        user = "postgres" if _user_exists("postgres") else "nobody"
    data_dir = Path(tempfile.mkdtemp(prefix="solvent-pg-"))
    if user:
        shutil.chown(data_dir, user=user)
    port = free_port()
    _run_as(
        user,
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
        ],
    )
    options = f"-F -k {data_dir} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run_as(
        user,
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data_dir / "data"),
            "-o",
            options,
            "-l",
            str(data_dir / "log"),
            "-w",
            "start",
        ],
    )

    def stop() -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            _run_as(
                user,
                [str(bin_dir / "pg_ctl"), "-D", str(data_dir / "data"), "-m", "immediate", "stop"],
            )
        shutil.rmtree(data_dir, ignore_errors=True)

    atexit.register(stop)
    url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    # xdist workers and subprocesses inherit the server instead of starting their own.
    os.environ["SOLVENT_TEST_DATABASE_URL"] = url
    return url


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@cache
def redis_url_for_tests() -> str | None:
    url = os.environ.get("SOLVENT_TEST_REDIS_URL")
    if url:
        return url
    server = shutil.which("redis-server")
    if server is None:
        return None
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(process.terminate)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.2),
        ):
            break
        time.sleep(0.05)
    url = f"redis://127.0.0.1:{port}/0"
    os.environ["SOLVENT_TEST_REDIS_URL"] = url
    return url
