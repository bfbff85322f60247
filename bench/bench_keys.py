"""Throwaway keys for a benchmark run: Solvent refuses to start on missing or published keys.

A benchmark is neither the demo nor the test suite, so it brings its own keys: fresh random ones for
this process and the workers it starts, unless the environment already sets them, and plain HTTP
on loopback.
"""

from __future__ import annotations

import os
import secrets

from cryptography.fernet import Fernet


def bench_keys_set() -> None:
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("SOLVENT_FIELD_KEY", Fernet.generate_key().decode())
    os.environ.setdefault("SOLVENT_AUDIT_KEY", secrets.token_urlsafe(48))
    # Loopback HTTP: no redirect to HTTPS, no secure-only cookies.
    os.environ.setdefault("SOLVENT_HTTPS", "0")
