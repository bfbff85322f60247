"""A full refresh: the client's file is its whole inventory, so its open accounts absent from the
file are recalled, behind a brake that keeps a truncated file from emptying the inventory.

"Listed" is read from the file itself, again, through the spec that imported it, never from
counters: a rejected row still lists its account (a typo in a balance must not recall the debt).
The brake and why the placement stays `done` when it trips are in docs/adr/0037-recalls.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.core.domain.errors import ValidationError
from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.batches import placement_spec
from solvent.portfolio.imports.layout import data_rows, layout_for
from solvent.portfolio.imports.recall_accounts import (
    RECALLABLE,
    accounts_recall,
    placement_warnings_add,
)
from solvent.portfolio.imports.runs import file_checksum
from solvent.portfolio.imports.source import placement_source_open
from solvent.portfolio.models import Account, Client, Placement

# Without --force-recall a full refresh recalls at most this share of the client's open accounts.
DEFAULT_MAX_SHARE = Decimal("0.5")
# The first words of the brake's line in a placement's warnings (the CLI looks for it).
RECALL_REFUSED = "recall refused:"
RECALL_FORCED = "recall forced:"


class RecallError(ValidationError):
    code = "recall_invalid"


def recall_max_share() -> Decimal:
    """The share of open accounts a full refresh may recall unforced (SOLVENT_RECALL_MAX_SHARE)."""
    # settings.py may name it; until then the environment (or the default) decides.
    configured = getattr(settings, "SOLVENT_RECALL_MAX_SHARE", None) or os.environ.get(
        "SOLVENT_RECALL_MAX_SHARE"
    )
    return Decimal(str(configured)) if configured else DEFAULT_MAX_SHARE


@dataclass(slots=True)
class ListedNumbers:
    """The account numbers a placement file lists, and the rows that could not be read at all."""

    numbers: set[str] = field(default_factory=set)
    # Rows whose text could not be read (a broken CSV line): the account they list is unknown.
    unreadable: list[int] = field(default_factory=list)


def placement_file_numbers(path: Path, spec: ProfileSpec) -> ListedNumbers:
    """Every account number the placement file lists, valid row or not, read through `spec`."""
    source = placement_source_open(path, encoding=spec.encoding)
    layout = layout_for(source, spec)
    column = layout.positions["account_number"]
    listed = ListedNumbers()
    for raw in data_rows(source, layout, spec):
        if raw.problem is not None and not raw.values:
            listed.unreadable.append(raw.number)
            continue
        number = raw.values[column].strip() if column < len(raw.values) else ""
        if number:
            listed.numbers.add(number)
    return listed


@dataclass(frozen=True, slots=True)
class AbsentAccounts:
    """A full refresh's file against the client's open accounts."""

    open_accounts: int
    absent: list[int]
    unreadable_rows: list[int]

    def refusal(self, share: Decimal) -> str:
        """Why recalling them needs --force-recall, or "" when the brake does not apply."""
        if self.unreadable_rows:
            rows = ", ".join(str(number) for number in self.unreadable_rows[:10])
            return (
                f"{len(self.unreadable_rows):,} rows of the file could not be read (rows {rows}): "
                "the accounts they list are unknown"
            )
        if self.absent and len(self.absent) > share * self.open_accounts:
            return (
                f"the file would recall {len(self.absent):,} of the client's "
                f"{self.open_accounts:,} open accounts ({len(self.absent) / self.open_accounts:.0%}"
                f"), more than the {share:.0%} a full refresh may recall at once (a truncated or "
                "partial file?)"
            )
        return ""


def accounts_absent_find(*, placement: Placement, path: Path | None = None) -> AbsentAccounts:
    """The client's open accounts that the placement's file does not list (nothing written)."""
    return accounts_absent_preview(
        client_id=placement.client_id,
        path=_refresh_file(placement, path),
        spec=placement_spec(placement),
    )


def accounts_absent_preview(*, client_id: int, path: Path, spec: ProfileSpec) -> AbsentAccounts:
    """What a full refresh with this file would recall, before it is imported (the dry run).

    Before the import the client's open accounts do not yet include the file's new ones, so the
    share is a little higher than the real run's: the dry run errs towards warning.
    """
    listed = placement_file_numbers(path, spec)
    accounts = Account.objects.filter(client_id=client_id, status__in=RECALLABLE)
    total = 0
    absent = []
    # Compared in Python, not `NOT IN (...)`: a million numbers are no SQL parameter list.
    for pk, number in accounts.values_list("pk", "account_number").iterator(chunk_size=10_000):
        total += 1
        if number not in listed.numbers:
            absent.append(pk)
    return AbsentAccounts(total, absent, listed.unreadable)


def accounts_absent_recall(
    *, placement: Placement, force: bool = False, path: Path | None = None
) -> int:
    """Recall the client's open accounts that a full-refresh placement's file does not list.

    Every row of the file lists its account, rejected rows too. The brake: when that would recall
    more than `recall_max_share()` of the client's open accounts, or some rows could not be read,
    nothing is recalled unless `force`; the refusal is written in the placement's warnings (a
    line starting "recall refused:") and audited. `path` is the same file again when the stored
    one is gone (an upload is deleted once imported). Returns how many accounts were recalled.
    """
    if placement.kind != Placement.Kind.PLACEMENT or not placement.full_refresh:
        raise RecallError(f"placement {placement.pk} is not a full refresh: it recalls nothing")
    if placement.status not in (Placement.Status.RUNNING, Placement.Status.DONE):
        raise RecallError(
            f"placement {placement.pk} is {placement.status}: only an import that finished "
            "without a failure may recall the accounts its file does not list"
        )
    absent = accounts_absent_find(placement=placement, path=path)
    refusal = absent.refusal(recall_max_share())
    client = Client.objects.get(pk=placement.client_id)
    if refusal and not force:
        _refuse(placement, client, absent, refusal)
        return 0
    reason = "absent from the client's full-refresh file" + (
        f" (forced past the brake: {refusal})" if refusal else ""
    )
    recalled = accounts_recall(
        client=client,
        account_ids=absent.absent,
        placement=placement,
        reason=reason,
        actor_id=placement.created_by_id,
    )
    if refusal:
        placement_warnings_add(
            placement,
            [f"{RECALL_FORCED} {recalled:,} accounts recalled past the brake ({refusal})"],
        )
    return recalled


def recall_refusal(placement: Placement) -> str:
    """The brake's refusal standing on the placement: "" if there was none, or it was forced."""
    refusal = ""
    for line in placement.warnings.splitlines():
        if line.startswith(RECALL_REFUSED):
            refusal = line
        elif line.startswith(RECALL_FORCED):
            refusal = ""
    return refusal


def _refuse(placement: Placement, client: Client, absent: AbsentAccounts, refusal: str) -> None:
    message = (
        f"{RECALL_REFUSED} {refusal}; nothing was recalled. If the file is the client's whole "
        f"inventory, recall them with `solvent import recall --absent-from {placement.pk} "
        "--force-recall`"
    )
    with transaction.atomic():
        placement_warnings_add(placement, [message])
        audit_record(
            action="placement.recall_refused",
            system="full-refresh recall brake",
            object_type="placement",
            object_id=placement.pk,
            data={
                "client": client.code,
                "open_accounts": absent.open_accounts,
                "absent": len(absent.absent),
                "unreadable_rows": absent.unreadable_rows[:100],
                "reason": refusal,
            },
            actor_id=placement.created_by_id,
        )


def _refresh_file(placement: Placement, path: Path | None) -> Path:
    if path is None:
        path = Path(placement.source_path)
        if not path.is_file():
            raise RecallError(
                f"the file of placement {placement.pk} ({placement.source_name}) is no longer here "
                "(uploads are deleted once imported): give the same file again",
                code="placement_file_missing",
            )
    if file_checksum(path) != placement.checksum:
        raise RecallError(
            f"{path.name} is not the file of placement {placement.pk} (its SHA-256 differs): the "
            "accounts absent from it are read from the very file that was imported",
            code="placement_file_changed",
        )
    return path
