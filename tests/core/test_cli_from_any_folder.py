"""`solvent` run from another folder (issue 11): a clear error in one line, never a traceback, and
the demo's data found from a subfolder of where it was made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SOLVENT = [sys.executable, "-m", "solvent.cli"]


def _run(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "SOLVENT_FIELD_KEY", "SOLVENT_VAR_DIR", "DATABASE_URL"}
        and not key.startswith("PYTEST")
        and key != "DJANGO_SETTINGS_MODULE"
    }
    clean.update(env)
    return subprocess.run(
        [*SOLVENT, *args], cwd=folder, env=clean, capture_output=True, text=True, timeout=120
    )


def test_without_keys_it_says_what_to_set_and_exits_2(tmp_path) -> None:
    result = _run(tmp_path, "import", "status")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("solvent: Solvent refuses to start: SECRET_KEY is not set")


def test_without_a_database_it_says_where_it_looked_and_exits_2(tmp_path) -> None:
    empty = tmp_path / "empty-var"
    result = _run(tmp_path, "import", "status", SOLVENT_DEBUG="1", SOLVENT_VAR_DIR=str(empty))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"no Solvent database at {empty / 'solvent.sqlite3'}" in result.stderr
    assert "solvent demo" in result.stderr


@pytest.mark.parametrize("depth", [0, 2])
def test_the_var_folder_is_found_from_a_subfolder(tmp_path, depth) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "solvent.sqlite3").touch()
    folder = tmp_path
    for level in range(depth):
        folder = folder / f"sub{level}"
    folder.mkdir(parents=True, exist_ok=True)
    probe = _run(
        folder,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.VAR_DIR)",
        SOLVENT_DEBUG="1",
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip().splitlines()[-1] == str((tmp_path / "var").resolve())
