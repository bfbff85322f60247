"""Django's `flush`, able to empty the audit tables on SQLite despite their append-only triggers.

`flush` wipes every table; the test harness runs it after each transactional test. It TRUNCATEs on
PostgreSQL and DELETEs on SQLite, both of which the triggers refuse. Emptying the whole database is not
editing the evidence selectively (and needs the tables' owner, who could drop them anyway), so the
triggers are lifted for the wipe, in its transaction, and restored after it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from solvent.audit.triggers import audit_triggers_suspended


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with audit_triggers_suspended(connection):
            super().handle(**options)
