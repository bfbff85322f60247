"""The auditor's CSV: one row per audit entry, with the hashes that tie it into the chain.

Every cell goes through the shared formula-injection guard: the data of an entry can hold text that
came from outside (a debtor's reply, an imported file name)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Protocol

from solvent.audit.models import AuditEntry
from solvent.core.domain.csv_safety import csv_row


class TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "data",
    "previous_hash",
    "entry_hash",
    "key_version",
    "key_id",
    "system",
)


def audit_csv_write(entries: Iterable[AuditEntry], stream: TextSink) -> int:
    """Write the header and one row per entry; return how many entries were written."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for entry in entries:
        writer.writerow(
            csv_row(
                (
                    entry.id,
                    entry.at.isoformat(),
                    entry.actor_id if entry.actor_id is not None else "",
                    entry.actor.get_username() if entry.actor is not None else "",
                    entry.action,
                    entry.object_type,
                    entry.object_id,
                    json.dumps(entry.data, sort_keys=True, ensure_ascii=False),
                    entry.previous_hash,
                    entry.entry_hash,
                    entry.key_version,
                    entry.key_id or "",
                    entry.system or "",
                )
            )
        )
        count += 1
    return count
