"""`solvent demo` refuses a port that is taken, and SIGTERM stops it with its web server and worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from solvent.demo.management.commands.demo import port_is_free


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_taken_port_is_refused_before_anything_is_loaded(tmp_path, settings) -> None:
    settings.VAR_DIR = tmp_path / "var"
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
        with pytest.raises(CommandError, match=f"Port {port} on 127.0.0.1 is already in use"):
            call_command("demo", "--port", str(port), "--accounts", "10")
    assert not settings.VAR_DIR.exists()  # nothing was migrated or loaded
    assert port_is_free("127.0.0.1", port)


@pytest.mark.slow
@pytest.mark.timeout(900)
def _an_agent_writes_through_the_web_server(base: str) -> None:
    """An audited write in the demo's web server (its own process, started with the demo's keys)
    succeeds: the audit chain has a key there too (it once answered 500 to every write)."""
    session = requests.Session()
    login = session.get(f"{base}/login/", timeout=30)
    token = login.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    signed_in = session.post(
        f"{base}/login/",
        data={"username": "agent", "password": "agent-demo", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        timeout=30,
    )
    assert signed_in.status_code == 200 and "Log out" in signed_in.text
    account = session.get(f"{base}/api/accounts?limit=1", timeout=30).json()["items"][0]
    debtor_id = account["debtors"][0]["debtor_id"]
    placed = session.post(
        f"{base}/api/compliance/debtors/{debtor_id}/holds",
        json={"kind": "dispute", "source": "inbound_call", "account_ids": [account["id"]]},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{base}/"},
        timeout=30,
    )
    assert placed.status_code == 201, placed.text


def test_sigterm_stops_the_demo_and_its_web_server_and_worker(tmp_path: Path) -> None:
    port = _free_port()
    environment = {**os.environ, "SOLVENT_VAR_DIR": str(tmp_path)}
    # As a newcomer runs it: SQLite in its own var dir, its own generated keys (not the suite's).
    for name in ("DATABASE_URL", "PYTEST_VERSION", "SECRET_KEY", "SOLVENT_FIELD_KEY"):
        environment.pop(name, None)
    demo = subprocess.Popen(
        [sys.executable, "-m", "solvent.cli", "demo", "--accounts", "30", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    running = threading.Event()

    def read() -> None:
        assert demo.stdout is not None
        for line in demo.stdout:
            lines.append(line)
            if "Solvent is running at" in line:
                running.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        # Wait on progress: the demo prints each step; give up only when it stops printing.
        seen = -1
        quiet_since = time.monotonic()
        while not running.wait(1):
            assert demo.poll() is None, "".join(lines)
            if len(lines) != seen:
                seen, quiet_since = len(lines), time.monotonic()
            assert time.monotonic() - quiet_since < 300, "demo silent for 300 s:\n" + "".join(lines)
        assert not port_is_free("127.0.0.1", port)
        _an_agent_writes_through_the_web_server(f"http://127.0.0.1:{port}")
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=120) == 0, "".join(lines)
        reader.join(timeout=10)
    finally:
        if demo.poll() is None:
            # SIGTERM first: the demo then stops its web server and worker (a kill orphans them).
            demo.send_signal(signal.SIGTERM)
            try:
                demo.wait(timeout=60)
            except subprocess.TimeoutExpired:
                demo.kill()
    output = "".join(lines)
    assert "Stopping the web server and the worker" in output and "Stopped." in output, output
    assert port_is_free("127.0.0.1", port), "the web server outlived the demo"
