"""Timed notices the engine counts from (the validation notice, Ontario's written notice)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from solvent.compliance.models import DebtNotice
from solvent.compliance.services.common import (
    NOTICE_KINDS,
    audit,
    require,
)
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.models import Account


def notice_record(
    *,
    account_id: int,
    kind: str,
    sent_on: date,
    source: str,
    evidence: str = "",
    actor_id: int | None = None,
) -> DebtNotice:
    """Record that a timed notice went out (the validation notice, Ontario's written notice).

    The engine times contact from it: Reg F's validation period and whether a dispute stops
    collection, Ontario's six-day wait. Whoever sends the letter records it here.
    """
    require(kind, NOTICE_KINDS, "kind")
    with transaction.atomic():
        account = Account.objects.filter(pk=account_id).first()
        if account is None:
            raise NotFoundError(f"account {account_id} not found")
        notice = DebtNotice.objects.create(
            account=account,
            kind=kind,
            sent_on=sent_on,
            source=source,
            evidence=evidence,
            recorded_by_id=actor_id,
            recorded_at=clock.now(),
        )
        data = {"account_id": account_id, "kind": kind, "sent_on": sent_on.isoformat()}
        audit("compliance.notice_recorded", notice, data, actor_id)
    return notice
