"""Compliance writes: authorising and recording contact attempts, consents, holds, stated times.

``contact_attempt_authorize`` is the chokepoint every contact passes: it locks the debtor's ledger,
builds the engine's situation from the database, decides, logs the decision and, when the contact is
allowed, reserves the ledger row in the same transaction. Because the reservation is made under the
lock and counted by the next decision, concurrent callers can never together exceed a cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Model

from solvent.audit.services import audit_record
from solvent.compliance.domain.localtime import is_known_zone
from solvent.compliance.domain.serialise import decision_to_json
from solvent.compliance.models import (
    Channel,
    Consent,
    ContactAttempt,
    DebtNotice,
    DebtorLedger,
    DecisionLog,
    Hold,
    TimePreference,
)
from solvent.compliance.situation import (
    debtor_accounts,
    decide_all,
    normalise_contact_point,
    purpose_parse,
    situation_build,
)
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Account, Debtor

CHANNELS = frozenset(Channel.values)
OUTCOMES = frozenset(ContactAttempt.Outcome.values)
# Kinds a person may place; medium opt-outs are written by consent_revoke.
HOLD_KINDS = frozenset(Hold.Kind.values) - {Hold.Kind.MEDIUM_OPT_OUT}
CONSENT_SCOPES = frozenset(Consent.Scope.values)
TIME_PREFERENCE_KINDS = frozenset(TimePreference.Kind.values)
NOTICE_KINDS = frozenset(DebtNotice.Kind.values)

Reason = tuple[str, str, str]  # (rule_id, message, citation)


@dataclass(frozen=True)
class Authorization:
    allowed: bool
    attempt_id: int | None  # the reserved ledger row (ContactAttempt), None when denied
    decision_log_id: int  # the DecisionLog row recording this decision
    earliest_lawful_at: datetime | None  # None = never (e.g. cease)
    blocking: tuple[Reason, ...]  # (rule_id, message, citation)
    warnings: tuple[Reason, ...]


def _audit(action: str, row: Model, data: dict[str, Any], actor_id: int | None = None) -> None:
    """An audit entry about ``row``, in the caller's transaction."""
    object_type = f"compliance.{type(row).__name__}"
    audit_record(
        action=action, object_type=object_type, object_id=row.pk, data=data, actor_id=actor_id
    )


def _aware(at: datetime | None) -> datetime | None:
    """Naive datetimes are refused: a contact's lawfulness depends on the exact instant."""
    if at is not None and at.utcoffset() is None:
        raise ValidationError(
            f"naive datetime {at.isoformat()}: give a UTC offset", code="naive_datetime"
        )
    return at


def _require(value: str, allowed: frozenset[str], field: str) -> None:
    if value not in allowed:
        raise ValidationError(
            f"{field} must be one of {', '.join(sorted(allowed))}; got {value!r}",
            code=f"invalid_{field}",
        )


def _debtor(debtor_id: int) -> Debtor:
    debtor = Debtor.objects.filter(pk=debtor_id).first()
    if debtor is None:
        raise NotFoundError(f"debtor {debtor_id} not found")
    return debtor


def _check_accounts(
    debtor_id: int, account_ids: Sequence[int], owed: Sequence[Account]
) -> list[int]:
    """The requested account ids, sorted, when each is a debt of the debtor; else NotFoundError."""
    wanted = sorted(set(account_ids))
    found = {account.pk for account in owed}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise NotFoundError(f"accounts {missing} are not debts of debtor {debtor_id}")
    return wanted


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
    _require(channel, CHANNELS, "channel")
    try:
        engine_purpose = purpose_parse(purpose)
    except ValueError:
        raise ValidationError(f"unknown purpose {purpose!r}", code="invalid_purpose") from None
    point = normalise_contact_point(channel, contact_point)
    if not point:
        raise ValidationError("contact_point is required", code="invalid_contact_point")
    moment = _aware(at) or clock.now()
    with transaction.atomic():
        debtor_ledger_lock(debtor_id=debtor_id)
        debtor = _debtor(debtor_id)
        owed = debtor_accounts(debtor=debtor)
        accounts = _check_accounts(debtor_id, account_ids, owed)
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
        audit_record(
            action=f"compliance.contact_{verdict}",
            object_type="compliance.DecisionLog",
            object_id=log.pk,
            data={
                "debtor_id": debtor_id,
                "channel": channel,
                "attempt_id": attempt_id,
                "blocking": list(decision.blocking_rule_ids),
            },
            actor_id=actor_id,
        )
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
    _require(outcome, OUTCOMES, "outcome")
    with transaction.atomic():
        attempt = _attempt_for_update(attempt_id)
        previous = attempt.outcome
        reinstated = attempt.status == ContactAttempt.Status.CANCELLED
        attempt.outcome = outcome
        attempt.outcome_at = _aware(at) or clock.now()
        attempt.status = ContactAttempt.Status.COMPLETED
        attempt.save(update_fields=["outcome", "outcome_at", "status"])
        _audit(
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
        _audit("compliance.attempt_cancelled", attempt, {"reason": reason})


def consent_grant(
    *,
    debtor_id: int,
    channel: str,
    contact_point: str,
    source: str,
    scope: str = "autodialled",
    at: datetime | None = None,
    evidence: str = "",
    actor_id: int | None = None,
) -> Consent:
    _require(channel, CHANNELS, "channel")
    _require(scope, CONSENT_SCOPES, "scope")
    with transaction.atomic():
        debtor = _debtor(debtor_id)
        consent = Consent.objects.create(
            debtor=debtor,
            channel=channel,
            contact_point=normalise_contact_point(channel, contact_point),
            scope=scope,
            source=source,
            evidence=evidence,
            given_at=_aware(at) or clock.now(),
            granted_by_id=actor_id,
        )
        _audit(
            "compliance.consent_granted",
            consent,
            {"debtor_id": debtor_id, "channel": channel, "scope": scope, "source": source},
            actor_id,
        )
    return consent


def consent_revoke(
    *,
    debtor_id: int,
    channel: str,
    contact_point: str,
    source: str,
    at: datetime | None = None,
    evidence: str = "",
    actor_id: int | None = None,
) -> None:
    """Takes effect at once: every consent for the channel and point ends, and the medium is refused.

    The refusal is a ``medium_opt_out`` hold on that contact point and channel, so the channel stays
    closed there even for contacts that never needed consent (Reg F 1006.14(h)); a later consent_grant
    does not lift it, only hold_release does, so a re-opt-in is a deliberate, audited act.
    """
    _require(channel, CHANNELS, "channel")
    point = normalise_contact_point(channel, contact_point)
    moment = _aware(at) or clock.now()
    with transaction.atomic():
        debtor = _debtor(debtor_id)
        revoked = Consent.objects.filter(
            debtor=debtor, channel=channel, contact_point=point, revoked_at__isnull=True
        ).update(
            revoked_at=moment,
            revocation_source=source,
            revocation_evidence=evidence,
            revoked_by_id=actor_id,
        )
        hold = Hold.objects.create(
            debtor=debtor,
            kind=Hold.Kind.MEDIUM_OPT_OUT,
            source=source,
            contact_point=point,
            channels=[channel],
            evidence=evidence,
            placed_at=moment,
            placed_by_id=actor_id,
        )
        _audit(
            "compliance.consent_revoked",
            hold,
            {"debtor_id": debtor_id, "channel": channel, "consents_revoked": revoked},
            actor_id,
        )


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
    _require(kind, HOLD_KINDS, "kind")
    with transaction.atomic():
        debtor = _debtor(debtor_id)
        owed = Account.objects.filter(pk__in=account_ids, account_debtors__debtor_id=debtor_id)
        accounts = _check_accounts(debtor_id, account_ids, list(owed))
        hold = Hold.objects.create(
            debtor=debtor,
            kind=kind,
            source=source,
            evidence=evidence,
            placed_at=_aware(at) or clock.now(),
            placed_by_id=actor_id,
        )
        hold.accounts.set(accounts)
        _audit(
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
        _audit(
            "compliance.hold_released",
            hold,
            {"debtor_id": hold.debtor_id, "kind": hold.kind, "reason": reason},
            actor_id,
        )


def time_preference_set(
    *,
    debtor_id: int,
    kind: str,
    source: str,
    days: Sequence[int] = (),
    start: time | None = None,
    end: time | None = None,
    time_zone: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    evidence: str = "",
    at: datetime | None = None,
    actor_id: int | None = None,
) -> TimePreference:
    """Record a time or place the debtor stated: "only after 6 p.m.", "never at work".

    ``inconvenient``/``convenient`` take weekly local-time ranges (``days`` Monday = 0, empty = every
    day; ``start``/``end`` absent = the whole day; ``time_zone`` absent = every zone the debtor may
    be in). ``not_at_work``/``not_at_home`` need no times. "Only after 6 p.m." is
    ``kind="inconvenient", end=time(18)``.
    """
    _require(kind, TIME_PREFERENCE_KINDS, "kind")
    weekdays = sorted(set(days))
    if any(day not in range(7) for day in weekdays):
        raise ValidationError("days must be weekday numbers 0 (Monday) to 6", code="invalid_days")
    if start is not None and end is not None and start >= end:
        raise ValidationError("start must be before end", code="invalid_range")
    if time_zone and not is_known_zone(time_zone):
        raise ValidationError(f"unknown IANA time zone {time_zone!r}", code="invalid_time_zone")
    with transaction.atomic():
        debtor = _debtor(debtor_id)
        preference = TimePreference.objects.create(
            debtor=debtor,
            kind=kind,
            days=weekdays,
            start=start,
            end=end,
            time_zone=time_zone,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source,
            evidence=evidence,
            stated_at=_aware(at) or clock.now(),
            stated_by_id=actor_id,
        )
        _audit(
            "compliance.time_preference_set",
            preference,
            {"debtor_id": debtor_id, "kind": kind, "days": weekdays},
            actor_id,
        )
    return preference


def time_preference_withdraw(
    *, preference_id: int, at: datetime | None = None, actor_id: int | None = None
) -> None:
    """The debtor takes a stated time back (e.g. "you may call me at work now")."""
    with transaction.atomic():
        preference = TimePreference.objects.select_for_update().filter(pk=preference_id).first()
        if preference is None:
            raise NotFoundError(f"time preference {preference_id} not found")
        if preference.withdrawn_at is not None:
            return
        preference.withdrawn_at = _aware(at) or clock.now()
        preference.save(update_fields=["withdrawn_at"])
        _audit(
            "compliance.time_preference_withdrawn",
            preference,
            {"debtor_id": preference.debtor_id, "kind": preference.kind},
            actor_id,
        )


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
    _require(kind, NOTICE_KINDS, "kind")
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
        _audit("compliance.notice_recorded", notice, data, actor_id)
    return notice
