"""The back office shows the audit log and cannot add, change or delete an entry."""

from __future__ import annotations

import pytest
from django.test import Client

from solvent.audit.models import AuditEntry
from solvent.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_the_back_office_lists_entries_but_refuses_to_change_or_delete_them(
    admin_client: Client,
) -> None:
    entry = audit_record(action="a", object_type="t", data={"n": 1})
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    change = admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    posted = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "b"})
    assert posted.status_code == 403
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "a"


def test_the_chain_head_is_not_in_the_back_office(admin_client: Client) -> None:
    assert admin_client.get("/admin/audit/auditchainhead/").status_code == 404
