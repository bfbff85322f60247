"""Holds: placing one (any collector may: it protects the debtor) and releasing one (not anyone may).

Who may release which kind is decided in ``portfolio.access`` (one condition per line) and explained
in docs/adr/0013-hold-rights.md. A legal hold is lifted by a compliance officer alone, with a reason;
an attorney, bankruptcy or deceased hold needs two of them (maker-checker): one asks with the reason
(``hold_release_request``), a different one approves (``hold_release_approve``) or rejects
(``hold_release_reject``). Until approval the hold stays in force: the engine reads only
``Hold.released_at``. Every refusal is a ``PermissionDeniedError`` with its own code, audited.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import NoReturn

from django.contrib.auth.models import User
from django.db import transaction

from solvent.compliance.models import Hold, HoldReleaseRequest
from solvent.compliance.services.common import (
    HOLD_KINDS,
    audit,
    aware,
    debtor_or_404,
    owed_accounts_check,
    require,
)
from solvent.compliance.services.flag_holds import flag_clear_on_release
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.portfolio.access import (
    HOLD_KINDS_RELEASED_BY_TWO,
    access_can_approve_hold_release,
    access_can_release_hold,
)
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


def hold_release(*, hold_id: int, reason: str, actor_id: int) -> Hold:
    """End a hold one person may lift: a compliance officer (a supervisor for a hardship pause)."""
    with _refusals_audited(actor_id), transaction.atomic():
        hold = _open_hold_lock(hold_id)
        _may_release_check(hold, actor_id, "hold_release")
        if hold.kind in HOLD_KINDS_RELEASED_BY_TWO:
            _refuse(
                hold,
                "hold_release",
                "hold_release_needs_approval",
                f"a {hold.kind} hold is released by two compliance officers: request the release "
                "with the reason, and a second compliance officer approves it",
            )
        reason = _reason_check(reason)
        _released(hold, reason=reason, released_by=actor_id, at=clock.now())
        audit(
            "compliance.hold_released",
            hold,
            {"debtor_id": hold.debtor_id, "kind": hold.kind, "reason": reason},
            actor_id,
        )
    return hold


def hold_release_request(*, hold_id: int, reason: str, actor_id: int) -> HoldReleaseRequest:
    """The maker's half: ask for an attorney, bankruptcy or deceased hold to be lifted.

    The hold stays in force; nothing the engine reads changes until a second officer approves.
    """
    with _refusals_audited(actor_id), transaction.atomic():
        hold = _open_hold_lock(hold_id)
        _may_release_check(hold, actor_id, "hold_release_request")
        if hold.kind not in HOLD_KINDS_RELEASED_BY_TWO:
            raise ValidationError(
                f"a {hold.kind} hold needs no second approval: release it directly",
                code="hold_release_direct",
            )
        reason = _reason_check(reason)
        if hold.release_requests.filter(status=HoldReleaseRequest.Status.PENDING).exists():
            raise ValidationError(
                f"hold {hold_id} already has a release request waiting for approval",
                code="hold_release_pending",
            )
        request = HoldReleaseRequest.objects.create(
            hold=hold, reason=reason, requested_by_id=actor_id, requested_at=clock.now()
        )
        audit(
            "compliance.hold_release_requested",
            request,
            {"hold_id": hold.pk, "debtor_id": hold.debtor_id, "kind": hold.kind, "reason": reason},
            actor_id,
        )
    return request


def hold_release_approve(*, hold_id: int, actor_id: int) -> HoldReleaseRequest:
    """The checker's half: a second compliance officer approves, and only then the hold ends."""
    with _refusals_audited(actor_id), transaction.atomic():
        hold = _open_hold_lock(hold_id)
        _may_approve_check(hold, actor_id, "hold_release_approve")
        request = _pending_request(hold)
        if request.requested_by_id == actor_id:
            _refuse(
                hold,
                "hold_release_approve",
                "hold_release_self_approval",
                "you asked for this release: a different compliance officer must approve it",
            )
        now = clock.now()
        request.status = HoldReleaseRequest.Status.APPROVED
        request.decided_by_id = actor_id
        request.decided_at = now
        request.save(update_fields=["status", "decided_by", "decided_at"])
        _released(hold, reason=request.reason, released_by=actor_id, at=now)
        audit(
            "compliance.hold_release_approved",
            request,
            {"hold_id": hold.pk, "requested_by": request.requested_by_id, "approved_by": actor_id},
            actor_id,
        )
        audit(
            "compliance.hold_released",
            hold,
            {
                "debtor_id": hold.debtor_id,
                "kind": hold.kind,
                "reason": request.reason,
                "release_request_id": request.pk,
                "requested_by": request.requested_by_id,
                "requested_at": request.requested_at,
                "approved_by": actor_id,
            },
            actor_id,
        )
    return request


def hold_release_reject(*, hold_id: int, reason: str, actor_id: int) -> HoldReleaseRequest:
    """Refuse a pending release: the hold stays in force. The maker may withdraw their own ask."""
    with _refusals_audited(actor_id), transaction.atomic():
        hold = _open_hold_lock(hold_id)
        _may_approve_check(hold, actor_id, "hold_release_reject")
        request = _pending_request(hold)
        reason = _reason_check(reason)
        request.status = HoldReleaseRequest.Status.REJECTED
        request.decided_by_id = actor_id
        request.decided_at = clock.now()
        request.decision_note = reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit(
            "compliance.hold_release_rejected",
            request,
            {"hold_id": hold.pk, "requested_by": request.requested_by_id, "reason": reason},
            actor_id,
        )
    return request


def _reason_check(reason: str) -> str:
    """Lifting a hold is a decision someone must be able to explain later: no blank reasons."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            "say why the hold may end: the reason is empty", code="reason_required"
        )
    return reason


def _open_hold_lock(hold_id: int) -> Hold:
    """The hold, locked for this transaction, when it is still in force."""
    hold = Hold.objects.select_for_update().filter(pk=hold_id).first()
    if hold is None:
        raise NotFoundError(f"hold {hold_id} not found")
    if hold.released_at is not None:
        raise ValidationError(f"hold {hold_id} is already released", code="hold_released")
    return hold


def _actor(actor_id: int) -> User:
    """A release is a person's decision: an unknown person has no rights (fail closed)."""
    user = User.objects.filter(pk=actor_id).first()
    if user is None:
        raise PermissionDeniedError(f"user {actor_id} not found", code="hold_release_forbidden")
    return user


def _may_release_check(hold: Hold, actor_id: int, action: str) -> None:
    if not access_can_release_hold(user=_actor(actor_id), kind=hold.kind):
        _refuse(hold, action, "hold_release_forbidden", _release_refusal(hold.kind))


def _may_approve_check(hold: Hold, actor_id: int, action: str) -> None:
    if not access_can_approve_hold_release(user=_actor(actor_id), kind=hold.kind):
        _refuse(hold, action, "hold_release_forbidden", _approval_refusal(hold.kind))


def _release_refusal(kind: str) -> str:
    if kind == Hold.Kind.HARDSHIP:
        return "only a supervisor or a compliance officer may end a hardship pause"
    return f"only a compliance officer may release a {kind} hold"


def _approval_refusal(kind: str) -> str:
    if kind not in HOLD_KINDS_RELEASED_BY_TWO:
        return f"a {kind} hold is released directly, without approval: there is nothing to approve"
    return f"only a second compliance officer may approve or reject the release of a {kind} hold"


def _pending_request(hold: Hold) -> HoldReleaseRequest:
    request = (
        hold.release_requests.select_for_update()
        .filter(status=HoldReleaseRequest.Status.PENDING)
        .first()
    )
    if request is None:
        raise ValidationError(
            f"hold {hold.pk} has no release request waiting for approval",
            code="no_pending_release_request",
        )
    return request


def _released(hold: Hold, *, reason: str, released_by: int, at: datetime) -> None:
    hold.released_at = at
    hold.release_reason = reason
    hold.released_by_id = released_by
    hold.save(update_fields=["released_at", "release_reason", "released_by"])
    flag_clear_on_release(hold)


class _ReleaseRefusedError(PermissionDeniedError):
    """Raised inside the transaction; ``_refusals_audited`` records it once the work is undone."""

    def __init__(self, message: str, *, code: str, hold: Hold, action: str) -> None:
        super().__init__(message, code=code)
        self.hold = hold
        self.action = action


def _refuse(hold: Hold, action: str, code: str, message: str) -> NoReturn:
    raise _ReleaseRefusedError(message, code=code, hold=hold, action=action)


@contextmanager
def _refusals_audited(actor_id: int) -> Iterator[None]:
    """Who tried to lift a hold they may not is worth keeping: audit it after the rollback."""
    try:
        yield
    except _ReleaseRefusedError as refusal:
        hold = refusal.hold
        audit(
            "compliance.hold_release_refused",
            hold,
            {
                "debtor_id": hold.debtor_id,
                "kind": hold.kind,
                "action": refusal.action,
                "code": refusal.code,
            },
            actor_id,
        )
        raise PermissionDeniedError(refusal.message, code=refusal.code) from None
