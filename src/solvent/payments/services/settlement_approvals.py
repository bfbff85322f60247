"""Maker-checker for settlements below the client's floor: a supervisor or an admin who did not
make the offer approves it (then the debtor may take it) or declines it with the reason.

A refusal (the maker deciding, a role that may not) is a PermissionDeniedError with its own code,
audited after the rollback; the database refuses a decider who is the requester too (a check
constraint on ``payments.Settlement``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.payments.domain.settlement import SettlementError
from solvent.payments.models import Settlement

# Who may approve or decline an offer below the floor (never the one who made it).
SETTLEMENT_APPROVER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def settlement_audit(
    action: str, settlement: Settlement, data: dict[str, Any], actor_id: int | None
) -> None:
    """The audit entry every settlement service writes, in the caller's transaction."""
    audit_record(
        action=f"payments.{action}",
        object_type="payments.Settlement",
        object_id=settlement.pk,
        data={"account_id": settlement.account_id, **data},
        actor_id=actor_id,
    )


class _RefusedError(PermissionDeniedError):
    def __init__(self, message: str, *, code: str, settlement: Settlement, action: str) -> None:
        super().__init__(message, code=code)
        self.settlement = settlement
        self.action = action


@contextmanager
def _refusals_audited(actor_id: int) -> Iterator[None]:
    """Who tried to approve what they may not is worth keeping: audited after the rollback."""
    try:
        yield
    except _RefusedError as refusal:
        settlement_audit(
            "settlement_decision_refused",
            refusal.settlement,
            {"action": refusal.action, "code": refusal.code},
            actor_id,
        )
        raise PermissionDeniedError(refusal.message, code=refusal.code) from None


def _pending_lock(settlement_id: int) -> Settlement:
    settlement = Settlement.objects.select_for_update().filter(pk=settlement_id).first()
    if settlement is None:
        raise NotFoundError(f"settlement {settlement_id} not found")
    if settlement.status != Settlement.Status.PENDING_APPROVAL:
        raise ValidationError(
            f"this settlement is {settlement.get_status_display().lower()}: only one waiting for "
            "approval is approved or declined",
            code="settlement_not_pending",
        )
    return settlement


def _checker_check(settlement: Settlement, actor_id: int, action: str) -> None:
    user = User.objects.filter(pk=actor_id).first()
    role = staff_role_get(user=user) if user is not None else None
    if role not in SETTLEMENT_APPROVER_ROLES:
        raise _RefusedError(
            "only a supervisor or an admin may approve or decline a settlement below the floor",
            code="settlement_approval_forbidden",
            settlement=settlement,
            action=action,
        )
    if settlement.requested_by_id == actor_id:
        raise _RefusedError(
            "you offered this settlement: a different supervisor must approve or decline it",
            code="settlement_self_approval",
            settlement=settlement,
            action=action,
        )


def settlement_approve(*, settlement_id: int, actor_id: int, note: str = "") -> Settlement:
    """The checker's yes: the offer below the floor may now be made to the debtor."""
    note = note.strip()
    with _refusals_audited(actor_id), transaction.atomic():
        settlement = _pending_lock(settlement_id)
        _checker_check(settlement, actor_id, "approve")
        today = clock.today()
        if today > settlement.due_on:
            raise ValidationError(
                f"its due date ({settlement.due_on.isoformat()}) has passed: decline it and "
                "offer again",
                code="settlement_due_passed",
            )
        _decided(settlement, Settlement.Status.OFFERED, actor_id, note)
        settlement_audit(
            "settlement_approved",
            settlement,
            {"requested_by": settlement.requested_by_id, "approved_by": actor_id, "note": note},
            actor_id,
        )
    return settlement


def settlement_decline(*, settlement_id: int, actor_id: int, note: str) -> Settlement:
    """The checker's no, with the reason: the offer is not made."""
    note = note.strip()
    if not note:
        raise SettlementError("note", "say why it is declined", code="note_required")
    with _refusals_audited(actor_id), transaction.atomic():
        settlement = _pending_lock(settlement_id)
        _checker_check(settlement, actor_id, "decline")
        _decided(settlement, Settlement.Status.DECLINED, actor_id, note)
        settlement_audit(
            "settlement_declined",
            settlement,
            {"requested_by": settlement.requested_by_id, "declined_by": actor_id, "note": note},
            actor_id,
        )
    return settlement


def _decided(settlement: Settlement, status: str, actor_id: int, note: str) -> None:
    now = clock.now()
    settlement.status = status
    settlement.decided_by_id = actor_id
    settlement.decided_at = now
    settlement.decision_note = note
    settlement.status_changed_at = now
    settlement.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "status_changed_at"]
    )
