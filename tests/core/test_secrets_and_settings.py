"""Secrets fail closed: with DEBUG off a process without real keys refuses to start.

Each case runs `solvent` in a fresh process with a scrubbed environment (no pytest marker, no keys),
the way a production server starts, so the settings module is read as it would be there.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

PRODUCTION_SECRET_KEY = "Kq3v9-production-like-secret-key-for-this-test-only-XyZ0123456789"
PRODUCTION_FIELD_KEY = base64.urlsafe_b64encode(b"0123456789abcdef0123456789abcdef").decode()


def _solvent(
    *arguments: str, tmp_path: Path, **environment: str
) -> subprocess.CompletedProcess[str]:
    scrubbed = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "PYTEST_VERSION",
            "SECRET_KEY",
            "SOLVENT_FIELD_KEY",
            "SOLVENT_DEBUG",
            "DATABASE_URL",
        }
        and not key.startswith("SOLVENT_")
    }
    scrubbed.update(
        {
            "DJANGO_SETTINGS_MODULE": "solvent.config.settings",
            "SOLVENT_VAR_DIR": str(tmp_path / "var"),
            "SOLVENT_AUDIT_KEY": "a" * 40,
            **environment,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "solvent.cli", *arguments],
        env=scrubbed,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_keys_and_debug_off_the_server_refuses_to_start(tmp_path: Path) -> None:
    result = _solvent("runserver", "--noreload", "127.0.0.1:1", tmp_path=tmp_path)

    assert result.returncode != 0
    assert "Solvent refuses to start: SECRET_KEY is not set; SOLVENT_FIELD_KEY is not set" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("secret_key", "field_key", "problem"),
    [
        (
            "solvent-insecure-development-key-change-me",
            PRODUCTION_FIELD_KEY,
            "SECRET_KEY is a published default",
        ),
        (
            "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdefghij",
            PRODUCTION_FIELD_KEY,
            "SECRET_KEY is a published default",
        ),
        (PRODUCTION_SECRET_KEY, "", "SOLVENT_FIELD_KEY is not set"),
        (PRODUCTION_SECRET_KEY, "not-a-fernet-key", "SOLVENT_FIELD_KEY is not a Fernet key"),
        (
            PRODUCTION_SECRET_KEY,
            base64.urlsafe_b64encode(b"solvent-test-suite-field-key-32b").decode(),
            "SOLVENT_FIELD_KEY is the test suite's published key",
        ),
        (
            PRODUCTION_SECRET_KEY,
            "brKlEp3xE9td0t6CTRsZpkswD7zJvlcxNh1YFYCYl_4=",
            "SOLVENT_FIELD_KEY is the published development key",
        ),
    ],
)
def test_a_published_or_unusable_key_is_refused_like_a_missing_one(
    tmp_path: Path, secret_key: str, field_key: str, problem: str
) -> None:
    result = _solvent(
        "migrate",
        "--check",
        tmp_path=tmp_path,
        SECRET_KEY=secret_key,
        SOLVENT_FIELD_KEY=field_key,
    )

    assert result.returncode != 0
    assert problem in result.stderr


def test_check_deploy_passes_with_production_settings_from_the_environment(
    tmp_path: Path,
) -> None:
    result = _solvent(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        SECRET_KEY=PRODUCTION_SECRET_KEY,
        SOLVENT_FIELD_KEY=PRODUCTION_FIELD_KEY,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_without_keys_names_the_missing_field_key(tmp_path: Path) -> None:
    result = _solvent("check", "--deploy", tmp_path=tmp_path)

    assert result.returncode != 0
    assert "(solvent.E001) SOLVENT_FIELD_KEY is not set" in result.stderr
    assert "(solvent.E002) SECRET_KEY is not set" in result.stderr


def test_plain_check_runs_without_keys_as_make_lint_does(tmp_path: Path) -> None:
    result = _solvent("check", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr


def test_the_demo_generates_its_keys_once_keeps_them_private_and_says_so(tmp_path: Path) -> None:
    # `demo --help` reads the settings as `solvent demo` does, without loading a portfolio.
    first = _solvent("demo", "--help", tmp_path=tmp_path)
    keys_file = tmp_path / "var" / "development-keys.json"
    kept = keys_file.read_text()
    second = _solvent("demo", "--help", tmp_path=tmp_path)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert keys_file.read_text() == kept
    assert keys_file.stat().st_mode & 0o077 == 0


def test_a_demo_made_before_generated_keys_keeps_the_keys_its_data_was_written_with(
    tmp_path: Path,
) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "solvent.sqlite3").write_bytes(b"")

    result = _solvent("demo", "--help", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    kept = (tmp_path / "var" / "development-keys.json").read_text()
    assert "solvent-insecure-development-key-change-me" in kept
    assert "brKlEp3xE9td0t6CTRsZpkswD7zJvlcxNh1YFYCYl_4=" in kept
