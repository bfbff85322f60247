"""Test configuration: which database the suite runs on, and the servers it needs.

`SOLVENT_TEST_DB=postgres` runs the suite on PostgreSQL: the server named by
SOLVENT_TEST_DATABASE_URL, or else a throwaway cluster started on a free loopback port. With CI set,
a missing server fails the run instead of skipping.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from tests.servers import postgres_url_for_tests, redis_url_for_tests, require_or_skip


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # PBKDF2's million rounds cost most of a second per password: tests need no such strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("SOLVENT_TEST_DB") != "postgres":
        return
    url = postgres_url_for_tests()
    if url is None:
        if os.environ.get("CI"):
            raise pytest.UsageError("CI is set and no PostgreSQL could be found or started")
        pytest.exit("PostgreSQL not available: skipping the PostgreSQL run", returncode=0)
    import dj_database_url
    from django.db import connections

    database = dict(dj_database_url.parse(url))
    # A test database per run: two runs against one shared server never drop each other's tables.
    database["TEST"] = {"NAME": f"test_solvent_{os.getpid()}"}
    settings.DATABASES["default"] = database
    # Django may already have read the SQLite settings while starting up: forget them.
    connections.close_all()
    connections._settings = None  # type: ignore[attr-defined]
    connections.__dict__.pop("settings", None)
    with contextlib.suppress(AttributeError):
        del connections["default"]


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = redis_url_for_tests()
    yield require_or_skip(url, "Redis")


_DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_setup", "client", "admin_client", "live_server"}
)


def _uses_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    return bool(_DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())))


def _slow_tier_last(items: list[pytest.Item]) -> None:
    """Run the tests marked slow (the crash tier) after all the others, in their own order.

    A quick failure is reported in minutes instead of after the crash tests (ADR 0016); the sort is
    stable, so the order within each tier is unchanged.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL run only what touches the database; on SQLite skip what needs PostgreSQL."""
    on_postgres = os.environ.get("SOLVENT_TEST_DB") == "postgres"
    _slow_tier_last(items)
    if on_postgres:
        selected = [item for item in items if _uses_database(item)]
        deselected = [item for item in items if not _uses_database(item)]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = selected
        return
    skip_postgres = pytest.mark.skip(reason="runs in the PostgreSQL pass (make test-postgres)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip_postgres)


@pytest.fixture(autouse=True)
def _screen_recorder_off_for_live_servers_on_sqlite(request: pytest.FixtureRequest) -> None:
    """A live server on the test's SQLite database shares one connection between its threads, so
    the screen recorder's chunks (written every few seconds) collide with the page's own writes
    ("cannot start a transaction within a transaction", a 503). Browser tests on SQLite run
    without the recorder; the screen-recording browser test turns it on, and every browser test
    runs with it on PostgreSQL, where each thread has its own connection."""
    if "live_server" not in request.fixturenames or os.environ.get("SOLVENT_TEST_DB") == "postgres":
        return
    from django.conf import settings

    settings.SOLVENT_SCREEN_RECORDING = False
    request.addfinalizer(lambda: setattr(settings, "SOLVENT_SCREEN_RECORDING", True))
