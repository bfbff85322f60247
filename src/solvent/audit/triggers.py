"""Lifting the append-only triggers for a moment: only for `flush` (the test harness's whole-database
wipe) and for tests that play a database superuser tampering with the evidence.

Application code never calls this: the triggers exist so that no service, ORM query or back-office
page can change or delete an audit row. Whoever can run DDL can drop them anyway; against that, the
keyed chain and its sealed head are the proof (ADR 0015).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

AUDIT_TABLES = ("audit_auditentry", "audit_auditchainhead")


@contextmanager
def audit_triggers_suspended(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Inside one transaction: the triggers are off within, and back on (as they were) after.

    On PostgreSQL this needs the tables' owner, and no pending trigger events in the transaction
    (deferred foreign-key checks): use it at the start of a transaction, as `flush` does."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
            AUDIT_TABLES,
        )
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        for _, sql in triggers:
            cursor.execute(sql)
