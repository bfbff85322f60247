"""Holds: placing one (any collector may: it protects the debtor) and releasing one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from solvent.compliance.models import Hold
from solvent.compliance.services.common import (
    HOLD_KINDS,
    audit,
    aware,
    debtor_or_404,
    owed_accounts_check,
    require,
)
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Account


def hold_place(
    *,
    debtor_id: int,
    kind: str,
    source: str,
    account_ids: Sequence[int] = (),
    evidence: str = "",
    at: datetime | None = None,
    actor_id: int | None = None,
) -> Hold:
    """Stop or narrow contact with the debtor (on the listed accounts only, when any are given)."""
    require(kind, HOLD_KINDS, "kind")
    with transaction.atomic():
        debtor = debtor_or_404(debtor_id)
        owed = Account.objects.filter(pk__in=account_ids, account_debtors__debtor_id=debtor_id)
        accounts = owed_accounts_check(debtor_id, account_ids, list(owed))
        hold = Hold.objects.create(
            debtor=debtor,
            kind=kind,
            source=source,
            evidence=evidence,
            placed_at=aware(at) or clock.now(),
            placed_by_id=actor_id,
        )
        hold.accounts.set(accounts)
        audit(
            "compliance.hold_placed",
            hold,
            {"debtor_id": debtor_id, "kind": kind, "source": source, "accounts": accounts},
            actor_id,
        )
    return hold


def hold_release(*, hold_id: int, reason: str, actor_id: int | None = None) -> None:
    with transaction.atomic():
        hold = Hold.objects.select_for_update().filter(pk=hold_id).first()
        if hold is None:
            raise NotFoundError(f"hold {hold_id} not found")
        if hold.released_at is not None:
            raise ValidationError(f"hold {hold_id} is already released", code="hold_released")
        hold.released_at = clock.now()
        hold.release_reason = reason
        hold.released_by_id = actor_id
        hold.save(update_fields=["released_at", "release_reason", "released_by"])
        audit(
            "compliance.hold_released",
            hold,
            {"debtor_id": hold.debtor_id, "kind": hold.kind, "reason": reason},
            actor_id,
        )
