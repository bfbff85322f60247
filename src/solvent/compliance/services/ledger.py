"""The contact ledger after the gate: what happened to each reserved attempt, and the contacts the
consumer started.

The gate (``gate.py``) reserves an outbound attempt before it happens; the services here record its
outcome or cancel it, and record an inbound contact (the consumer called or wrote) that no gate
authorises but that the engine must count: a telephone conversation starts the 7-day wait of
12 CFR 1006.14(b)(2)(ii) whoever placed the call (comment 14(b)(4)-1.ii).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When

from solvent.audit.services import audit_record
from solvent.compliance.engine_input import debtor_accounts, normalise_contact_point
from solvent.compliance.models import ContactAttempt
from solvent.compliance.services.common import (
    CHANNELS,
    audit,
    aware,
    chat_point_check,
    debtor_or_404,
    owed_accounts_check,
    require,
)
from solvent.compliance.services.gate_reads import debtor_ledger_lock
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError

OUTCOMES = frozenset(ContactAttempt.Outcome.values)


def contact_inbound_record(
    *,
    debtor_id: int,
    channel: str,
    contact_point: str,
    account_ids: Sequence[int],
    outcome: str,
    at: datetime,
    source: str = "",
    actor_id: int | None = None,
) -> ContactAttempt:
    """Put a contact the consumer started in the ledger, as it happened (completed, with its outcome).

    ``account_ids``: the debts it was about; none means not attributed, which the engine counts
    toward every debt of the debtor (the stricter reading). Written under the debtor's ledger lock,
    like a reservation, so a gate call deciding at the same time sees it or is seen by it.
    """
    require(channel, CHANNELS, "channel")
    require(outcome, OUTCOMES, "outcome")
    aware(at)  # a naive datetime is refused: the wait it starts is counted in local days
    point = normalise_contact_point(channel, contact_point)
    chat_point_check(channel, point)  # a debtor's chat message is recorded at chat:<id>
    with transaction.atomic():
        debtor = debtor_or_404(debtor_id)
        debtor_ledger_lock(debtor_id=debtor.pk)
        accounts = owed_accounts_check(debtor.pk, account_ids, debtor_accounts(debtor=debtor))
        attempt = ContactAttempt.objects.create(
            debtor=debtor,
            direction=ContactAttempt.Direction.INBOUND,
            channel=channel,
            contact_point=point,
            at=at,
            status=ContactAttempt.Status.COMPLETED,
            outcome=outcome,
            outcome_at=at,
        )
        attempt.accounts.set(accounts)
        audit(
            "compliance.inbound_recorded",
            attempt,
            {
                "debtor_id": debtor.pk,
                "channel": channel,
                "outcome": outcome,
                "account_ids": accounts,
                "source": source,
            },
            actor_id,
        )
    return attempt


def _attempt_for_update(attempt_id: int) -> ContactAttempt:
    attempt = ContactAttempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFoundError(f"contact attempt {attempt_id} not found")
    return attempt


def contact_attempt_record_outcome(
    *, attempt_id: int, outcome: str, at: datetime | None = None, actor_id: int | None = None
) -> None:
    """Record what happened; the ledger row keeps counting with its real outcome from now on.

    A later outcome replaces an earlier one (sent, then delivered or bounced). An outcome for a
    cancelled attempt reinstates it: a provider that timed out may still have delivered, and a
    contact that happened must count toward the caps whatever the sender believed.
    """
    require(outcome, OUTCOMES, "outcome")
    with transaction.atomic():
        attempt = _attempt_for_update(attempt_id)
        previous = attempt.outcome
        reinstated = attempt.status == ContactAttempt.Status.CANCELLED
        attempt.outcome = outcome
        attempt.outcome_at = aware(at) or clock.now()
        attempt.status = ContactAttempt.Status.COMPLETED
        attempt.save(update_fields=["outcome", "outcome_at", "status"])
        audit(
            "compliance.attempt_outcome",
            attempt,
            {"outcome": outcome, "previous": previous, "reinstated": reinstated},
            actor_id,
        )


def contact_attempt_cancel(*, attempt_id: int, reason: str, actor_id: int | None = None) -> None:
    """The attempt never happened (abandoned before reaching the provider): it stops counting."""
    with transaction.atomic():
        attempt = _attempt_for_update(attempt_id)
        if attempt.status == ContactAttempt.Status.CANCELLED:
            return
        if attempt.status == ContactAttempt.Status.COMPLETED:
            raise ValidationError(
                f"contact attempt {attempt_id} already has outcome {attempt.outcome}",
                code="attempt_completed",
            )
        attempt.status = ContactAttempt.Status.CANCELLED
        attempt.cancelled_at = clock.now()
        attempt.cancel_reason = reason
        attempt.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        audit("compliance.attempt_cancelled", attempt, {"reason": reason}, actor_id)


def contact_attempts_record_outcome_many(*, outcomes: Sequence[tuple[int, str, datetime]]) -> None:
    """``contact_attempt_record_outcome`` for many attempts: (attempt id, outcome, at) each.

    One transaction, the rows locked in id order in one statement (so two callers cannot
    deadlock), one bulk update and one audit entry listing every attempt with its previous outcome.
    Unknown attempt ids raise NotFoundError and nothing is recorded.
    """
    if not outcomes:
        return
    for _, outcome, at in outcomes:
        require(outcome, OUTCOMES, "outcome")
        aware(at)
    wanted = {attempt_id for attempt_id, _, _ in outcomes}
    with transaction.atomic():
        # Locked in id order in one statement: two callers with overlapping ids cannot deadlock.
        before = {
            pk: (status, outcome)
            for pk, status, outcome in ContactAttempt.objects.select_for_update()
            .filter(pk__in=wanted)
            .order_by("pk")
            .values_list("pk", "status", "outcome")
        }
        missing = sorted(wanted - set(before))
        if missing:
            raise NotFoundError(f"contact attempts {missing} not found")
        entries: list[list[object]] = []
        latest: dict[int, tuple[str, datetime]] = {}
        for attempt_id, outcome, at in outcomes:
            status, previous = before[attempt_id]
            reinstated = status == ContactAttempt.Status.CANCELLED
            entries.append([attempt_id, outcome, previous, reinstated])
            before[attempt_id] = (ContactAttempt.Status.COMPLETED, outcome)
            latest[attempt_id] = (outcome, at)  # a later outcome for the same attempt replaces it
        by_outcome: dict[str, dict[int, datetime]] = {}
        for attempt_id, (outcome, at) in latest.items():
            by_outcome.setdefault(outcome, {})[attempt_id] = at
        for outcome, moments in by_outcome.items():
            # One UPDATE per distinct outcome (one in the outbox's case): the time is per row.
            ContactAttempt.objects.filter(pk__in=list(moments)).update(
                outcome=outcome,
                status=ContactAttempt.Status.COMPLETED,
                outcome_at=Case(
                    *(When(pk=pk, then=Value(at)) for pk, at in moments.items()),
                    output_field=DateTimeField(),
                ),
            )
        audit_record(
            action="compliance.attempt_outcomes",
            system="outcomes reported by the outbox worker or the dialer",
            object_type="compliance.ContactAttempt",
            object_id=outcomes[0][0],
            data={
                "fields": ["attempt_id", "outcome", "previous", "reinstated"],
                "outcomes": entries,
            },
        )
