"""The database itself refuses to change or delete audit rows: through the ORM and through raw SQL,
on SQLite and on PostgreSQL (the same tests run in both passes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from solvent.audit.models import AuditChainHead, AuditEntry
from solvent.audit.services import audit_chain_check, audit_record

pytestmark = pytest.mark.django_db


def _refused(change: Callable[[], object]) -> str:
    """Run ``change`` in a savepoint (PostgreSQL aborts the transaction on error); its refusal text."""
    with pytest.raises(DatabaseError) as refusal, transaction.atomic():
        change()
    return str(refusal.value)


def _raw(sql: str, *params: object) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_updating_an_entry_through_the_orm_is_refused_by_the_database() -> None:
    entry = audit_record(action="a", object_type="t", data={"n": 1})
    message = _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(data={"n": 2}))
    assert "append-only" in message
    entry.action = "b"
    assert "append-only" in _refused(entry.save)
    assert AuditEntry.objects.get(pk=entry.pk).data == {"n": 1}


def test_deleting_an_entry_through_the_orm_is_refused_by_the_database() -> None:
    entry = audit_record(action="a", object_type="t")
    assert "append-only" in _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())
    assert "append-only" in _refused(entry.delete)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_raw_sql_update_and_delete_of_entries_are_refused() -> None:
    entry = audit_record(action="a", object_type="t")
    update = "UPDATE audit_auditentry SET action = %s WHERE id = %s"
    assert "append-only" in _refused(_raw(update, "forged", entry.pk))
    assert "append-only" in _refused(_raw("DELETE FROM audit_auditentry WHERE id = %s", entry.pk))
    assert "append-only" in _refused(_raw("DELETE FROM audit_auditentry"))
    assert AuditEntry.objects.get(pk=entry.pk).action == "a"


@pytest.mark.postgres
@pytest.mark.django_db(
    transaction=True
)  # no deferred foreign-key events: TRUNCATE reaches the trigger
def test_truncate_of_the_audit_tables_is_refused_on_postgresql() -> None:
    audit_record(action="a", object_type="t")
    assert "append-only" in _refused(_raw("TRUNCATE audit_auditentry"))
    assert "append-only" in _refused(_raw("TRUNCATE audit_auditchainhead"))
    assert AuditEntry.objects.exists()


def test_the_head_cannot_be_deleted() -> None:
    audit_record(action="a", object_type="t")
    assert "append-only" in _refused(lambda: AuditChainHead.objects.all().delete())
    assert "append-only" in _refused(_raw("DELETE FROM audit_auditchainhead"))
    assert AuditChainHead.objects.filter(pk=1).exists()


def test_appending_still_works_under_the_triggers() -> None:
    for number in range(3):
        audit_record(action="a", object_type="t", object_id=number)
    assert AuditEntry.objects.count() == 3
    assert audit_chain_check().intact


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_tables_and_leaves_the_triggers_in_place() -> None:
    # The test harness flushes after transactional tests (TRUNCATE on PostgreSQL, DELETE on SQLite).
    audit_record(action="a", object_type="t")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    entry = audit_record(action="after.flush", object_type="t")
    assert "append-only" in _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())
