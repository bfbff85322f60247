"""Fixtures of the audit tests: a database superuser who tampers with the evidence.

The triggers refuse UPDATE and DELETE to everyone who goes through the application; a superuser can
lift them. `tamper` does that, in the test's transaction, so the keyed chain is what must catch it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from django.db import connection

from solvent.audit.triggers import audit_triggers_suspended


@contextmanager
def _superuser_session() -> Iterator[None]:
    """PostgreSQL: a superuser's replica role skips ordinary triggers; ALTER TABLE cannot be used
    here, the test's transaction holds deferred foreign-key events."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def tamper() -> Callable[[], AbstractContextManager[None]]:
    if connection.vendor == "postgresql":
        return _superuser_session
    return lambda: audit_triggers_suspended(connection)


@pytest.fixture
def audit_key_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Production's environment: no key from the settings' development sources."""
    from django.conf import settings

    monkeypatch.setattr(settings, "SOLVENT_KEY_SOURCE", "environment", raising=False)
    monkeypatch.delenv("SOLVENT_AUDIT_KEY", raising=False)
    yield monkeypatch
