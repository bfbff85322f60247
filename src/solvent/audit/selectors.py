"""Reading the audit log for an auditor: the entries about one account, or of one period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from solvent.audit.models import AuditEntry

# How entries name an account today: as their object, or in their data (ADR 0015).
ACCOUNT_OBJECT_TYPES = frozenset({"portfolio.Account", "account"})
ACCOUNT_DATA_KEYS = ("account_id", "account")
ACCOUNT_LIST_DATA_KEYS = ("account_ids", "accounts")


def _names_account(entry: AuditEntry, account_id: int) -> bool:
    if entry.object_type in ACCOUNT_OBJECT_TYPES and entry.object_id == str(account_id):
        return True
    data: Any = entry.data
    if not isinstance(data, dict):
        return False
    if any(str(data.get(key)) == str(account_id) for key in ACCOUNT_DATA_KEYS if key in data):
        return True
    for key in ACCOUNT_LIST_DATA_KEYS:
        values = data.get(key)
        if isinstance(values, list) and any(str(value) == str(account_id) for value in values):
            return True
    return False


def audit_entry_list(
    *,
    account_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[AuditEntry]:
    """Entries in chain order, from ``start`` (included) to ``end`` (excluded), about ``account_id``.

    An account's entries are found by reading each entry of the period: entries name accounts in
    their data under a few keys, which no index covers. An export is rare; the walk is streamed."""
    entries = AuditEntry.objects.select_related("actor").order_by("id")
    if start is not None:
        entries = entries.filter(at__gte=start)
    if end is not None:
        entries = entries.filter(at__lt=end)
    for entry in entries.iterator(chunk_size=2000):
        if account_id is None or _names_account(entry, account_id):
            yield entry
