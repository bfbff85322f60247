"""`solvent audit verify` through the real `solvent` entry point, on a fresh embedded database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SOLVENT = str(Path(sys.executable).with_name("solvent"))


@pytest.mark.slow
def test_the_solvent_command_verifies_a_fresh_database(tmp_path: Path) -> None:
    environment = {**os.environ, "SOLVENT_VAR_DIR": str(tmp_path)}
    environment.pop("DATABASE_URL", None)
    subprocess.run([SOLVENT, "migrate", "-v", "0"], env=environment, check=True, timeout=120)
    verified = subprocess.run(
        [SOLVENT, "audit", "verify"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert "audit chain intact: 0 entries" in verified.stdout
