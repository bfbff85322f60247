"""The PostgreSQL pass really runs on PostgreSQL (a silent fall-back to SQLite would hide bugs)."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_asked_for() -> None:
    expected = "postgresql" if os.environ.get("SOLVENT_TEST_DB") == "postgres" else "sqlite"
    assert connection.vendor == expected
