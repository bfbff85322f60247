"""The audit chain: appended in order, and any edit or deletion is found."""

import pytest

from solvent.audit.models import AuditEntry
from solvent.audit.services import audit_chain_verify, audit_record

pytestmark = pytest.mark.django_db


def test_chain_verifies_and_detects_tampering() -> None:
    entries = [
        audit_record(
            action="placement.imported", object_type="placement", object_id=i, data={"rows": i}
        )
        for i in range(5)
    ]
    assert audit_chain_verify() is None
    assert entries[1].previous_hash == entries[0].entry_hash
    AuditEntry.objects.filter(pk=entries[2].pk).update(data={"rows": 999})
    assert audit_chain_verify() == entries[2].pk


def test_deleted_entry_breaks_the_chain() -> None:
    entries = [audit_record(action="x", object_type="t", object_id=i) for i in range(3)]
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    assert audit_chain_verify() == entries[2].pk
