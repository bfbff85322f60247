"""Compliance writes. The contract between the compliance app and the apps that contact people.

``contact_attempt_authorize`` is the chokepoint every contact passes: it locks the debtor's ledger,
builds the engine's situation from the database, decides, logs the decision and, when the contact is
allowed, reserves the ledger row in the same transaction. Because the reservation is made under the
lock and counted by the next decision, concurrent callers can never together exceed a cap.

"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When

from solvent.audit.services import audit_record
from solvent.compliance.decisions import decide_all
from solvent.compliance.domain.serialise import decision_to_json
from solvent.compliance.engine_input import (
    debtor_accounts,
    normalise_contact_point,
    purpose_parse,
    situation_build,
)
from solvent.compliance.models import ContactAttempt, DebtorLedger, DecisionLog
from solvent.compliance.services.common import (
    CHANNELS,
    audit,
    aware,
    debtor_or_404,
    owed_accounts_check,
    require,
)
from solvent.compliance.services.gate_batch import (
    Authorization,
)
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError

OUTCOMES = frozenset(ContactAttempt.Outcome.values)


def debtor_ledger_lock(*, debtor_id: int) -> None:
    """Lock the debtor's ledger row until the surrounding transaction ends.

    The row is created on first use; ``ignore_conflicts`` makes two first callers race safely (the
    loser's insert waits for the winner and then does nothing). On SQLite ``select_for_update`` is a
    no-op, but the settings open every transaction with BEGIN IMMEDIATE, a database-wide write lock.
    """
    DebtorLedger.objects.bulk_create([DebtorLedger(debtor_id=debtor_id)], ignore_conflicts=True)
    DebtorLedger.objects.select_for_update().get(pk=debtor_id)


def contact_attempt_authorize(
    *,
    debtor_id: int,
    channel: str,
    contact_point: str,
    account_ids: Sequence[int],
    at: datetime | None = None,
    autodialled: bool = False,
    prerecorded: bool = False,
    actor_id: int | None = None,
    purpose: str = "collection",
) -> Authorization:
    """May this contact happen now? Logs the decision and, when allowed, reserves the attempt."""
    require(channel, CHANNELS, "channel")
    try:
        engine_purpose = purpose_parse(purpose)
    except ValueError:
        raise ValidationError(f"unknown purpose {purpose!r}", code="invalid_purpose") from None
    point = normalise_contact_point(channel, contact_point)
    if not point:
        raise ValidationError("contact_point is required", code="invalid_contact_point")
    moment = aware(at) or clock.now()
    with transaction.atomic():
        debtor_ledger_lock(debtor_id=debtor_id)
        debtor = debtor_or_404(debtor_id)
        owed = debtor_accounts(debtor=debtor)
        accounts = owed_accounts_check(debtor_id, account_ids, owed)
        situation = situation_build(
            debtor=debtor,
            owed=owed,
            channel=channel,
            contact_point=point,
            account_ids=accounts,
            at=moment,
            autodialled=autodialled,
            prerecorded=prerecorded,
            purpose=engine_purpose,
        )
        decision = decide_all(situation)
        log = DecisionLog.objects.create(
            debtor=debtor,
            channel=channel,
            contact_point=point,
            account_ids=accounts,
            purpose=purpose,
            autodialled=autodialled,
            prerecorded=prerecorded,
            proposed_at=moment,
            allowed=decision.allowed,
            blocking_rule_ids=list(decision.blocking_rule_ids),
            earliest_lawful_at=decision.earliest_lawful_at,
            decision=decision_to_json(decision),
            inputs=situation.inputs,
            asked_by_id=actor_id,
            decided_at=clock.now(),
        )
        attempt_id: int | None = None
        if decision.allowed:
            attempt = ContactAttempt.objects.create(
                debtor=debtor,
                channel=channel,
                contact_point=point,
                at=moment,
                autodialled=autodialled,
                prerecorded=prerecorded,
                purpose=purpose,
                decision_log=log,
            )
            ContactAttempt.accounts.through.objects.bulk_create(
                [
                    ContactAttempt.accounts.through(contactattempt=attempt, account_id=pk)
                    for pk in accounts
                ]
            )
            attempt_id = attempt.pk
        verdict = "authorized" if decision.allowed else "blocked"
        blocking = list(decision.blocking_rule_ids)
        data = {"debtor_id": debtor_id, "channel": channel, "attempt_id": attempt_id}
        audit(f"compliance.contact_{verdict}", log, {**data, "blocking": blocking}, actor_id)
    return Authorization(
        allowed=decision.allowed,
        attempt_id=attempt_id,
        decision_log_id=log.pk,
        earliest_lawful_at=decision.earliest_lawful_at,
        blocking=tuple((r.rule_id, r.message, r.citation) for r in decision.blocking),
        warnings=tuple((r.rule_id, r.message, r.citation) for r in decision.warnings),
    )


def _attempt_for_update(attempt_id: int) -> ContactAttempt:
    attempt = ContactAttempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFoundError(f"contact attempt {attempt_id} not found")
    return attempt


def contact_attempt_record_outcome(
    *, attempt_id: int, outcome: str, at: datetime | None = None
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
        )


def contact_attempt_cancel(*, attempt_id: int, reason: str) -> None:
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
        audit("compliance.attempt_cancelled", attempt, {"reason": reason})


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
            object_type="compliance.ContactAttempt",
            object_id=outcomes[0][0],
            data={
                "fields": ["attempt_id", "outcome", "previous", "reinstated"],
                "outcomes": entries,
            },
        )
