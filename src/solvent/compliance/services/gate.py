"""The compliance gate: the one implementation of "may this contact happen now?".

Every contact passes here before it happens: the outbox's claimed batches
(``contact_attempts_authorize_many``) and every single caller, such as an agent's call or the API
(``contact_attempt_authorize``, a batch of one). For a batch, in one transaction:

1. each request's arguments are checked; a bad one is answered with its ``DomainError`` and the
   others go on (one bad message must not stop a batch);
2. the debtors' ledger rows are locked in one statement, in debtor order, so two callers with
   overlapping debtors wait for each other instead of deadlocking;
3. every row the decisions need is read with a fixed number of ``IN`` queries (``gate_reads``);
4. each request is decided by the pure engine, in request order; an allowed one reserves its ledger
   row at once in its debtor's history, so a later request about the same debtor sees it and two
   callers together can never exceed a cap;
5. the decision logs, the reserved attempts and one audit entry (``compliance.contacts_decided``,
   listing every decision) are written. The lock order is ledger rows, then the audit chain head.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from solvent.audit.services import audit_record
from solvent.compliance.decisions import decide_all
from solvent.compliance.domain import model
from solvent.compliance.domain.serialise import decision_to_json
from solvent.compliance.engine_input import (
    LEDGER_WINDOW,
    ProposalFacts,
    debtor_facts_build,
    normalise_contact_point,
    purpose_parse,
    situation_for,
)
from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.compliance.services.common import (
    CHANNELS,
    aware,
    chat_point_check,
    owed_accounts_check,
    require,
)
from solvent.compliance.services.gate_reads import GateReads, debtor_ledgers_lock, gate_reads_load
from solvent.core import clock
from solvent.core.domain.errors import DomainError, NotFoundError, ValidationError
from solvent.portfolio.models import Debtor

Reason = tuple[str, str, str]  # (rule_id, message, citation)

# The audit entry of every gate call, and the meaning of each row of its "decisions" list.
DECIDED_ACTION = "compliance.contacts_decided"
DECIDED_FIELDS = ("decision_log_id", "verdict", "attempt_id", "debtor_id", "blocking")


@dataclass(frozen=True)
class Authorization:
    """The gate's answer (``compliance.services`` re-exports it: that is its public name)."""

    allowed: bool
    attempt_id: int | None  # the reserved ledger row (ContactAttempt), None when denied
    decision_log_id: int  # the DecisionLog row recording this decision
    earliest_lawful_at: datetime | None  # None = never (e.g. cease)
    blocking: tuple[Reason, ...]  # (rule_id, message, citation)
    warnings: tuple[Reason, ...]


@dataclass(frozen=True)
class AuthorizationRequest:
    """One contact to authorise: the arguments of ``contact_attempt_authorize``."""

    debtor_id: int
    channel: str
    contact_point: str
    account_ids: Sequence[int]
    at: datetime | None = None
    autodialled: bool = False
    prerecorded: bool = False
    actor_id: int | None = None
    purpose: str = "collection"
    # What only the caller knows of the contact: a dialer's campaign figures, what a message says.
    declared: ProposalFacts = field(default_factory=ProposalFacts)


@dataclass(frozen=True)
class _Checked:
    request: AuthorizationRequest
    point: str
    purpose: model.Purpose
    moment: datetime


@dataclass(frozen=True)
class _Decided:
    index: int
    checked: _Checked
    decision: model.Decision
    inputs: dict[str, Any]
    accounts: list[int]


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
    declared: ProposalFacts | None = None,
) -> Authorization:
    """May this contact happen now? Logs the decision and, when allowed, reserves the attempt.

    A batch of one: raises the ``DomainError`` the batch answered (unknown debtor, a debt that is
    not theirs, a bad channel, purpose or contact point, a naive datetime).
    """
    request = AuthorizationRequest(
        debtor_id=debtor_id,
        channel=channel,
        contact_point=contact_point,
        account_ids=account_ids,
        at=at,
        autodialled=autodialled,
        prerecorded=prerecorded,
        actor_id=actor_id,
        purpose=purpose,
        declared=declared or ProposalFacts(),
    )
    (answer,) = contact_attempts_authorize_many([request])
    if isinstance(answer, DomainError):
        raise answer
    return answer


def contact_attempts_authorize_many(
    requests: Sequence[AuthorizationRequest],
) -> list[Authorization | DomainError]:
    """Authorise a batch; one answer per request, in order: an Authorization or a DomainError.

    The answers are those of deciding each request in order, each seeing the reservations of the
    ones before it; one transaction and one audit entry for the batch.
    """
    answers: list[Authorization | DomainError | None] = [None] * len(requests)
    now = clock.now()
    checked: dict[int, _Checked] = {}
    for index, request in enumerate(requests):
        try:
            checked[index] = _check(request, now)
        except DomainError as error:
            answers[index] = error
    if not checked:
        return _complete(answers)
    # Only existing debtors get a ledger row: the row's foreign key is checked at commit on
    # PostgreSQL, and one unknown debtor must not fail the whole batch (it gets NotFoundError).
    # Their rows serve the decisions too: nothing the ledger lock protects lives on the debtor row.
    debtors = Debtor.objects.in_bulk({item.request.debtor_id for item in checked.values()})
    moments = [item.moment for item in checked.values()]
    with transaction.atomic():
        debtor_ledgers_lock(sorted(debtors))
        reads = gate_reads_load(debtors, min(moments) - LEDGER_WINDOW, max(moments) + LEDGER_WINDOW)
        decided: list[_Decided] = []
        for index, item in checked.items():
            try:
                decision, inputs, accounts = _decide(reads, item)
            except DomainError as error:
                answers[index] = error
                continue
            if decision.allowed:
                event = _reservation_event(item, accounts)
                reads.reserved.setdefault(item.request.debtor_id, []).append(event)
            decided.append(_Decided(index, item, decision, inputs, accounts))
        for index, answer in _write(decided):
            answers[index] = answer
    return _complete(answers)


def _check(request: AuthorizationRequest, now: datetime) -> _Checked:
    """The argument checks, before the transaction."""
    require(request.channel, CHANNELS, "channel")
    try:
        engine_purpose = purpose_parse(request.purpose)
    except ValueError:
        raise ValidationError(
            f"unknown purpose {request.purpose!r}", code="invalid_purpose"
        ) from None
    point = normalise_contact_point(request.channel, request.contact_point)
    if not point:
        raise ValidationError("contact_point is required", code="invalid_contact_point")
    chat_point_check(request.channel, point)
    return _Checked(request, point, engine_purpose, aware(request.at) or now)


def _decide(
    reads: GateReads, checked: _Checked
) -> tuple[model.Decision, dict[str, Any], list[int]]:
    request = checked.request
    debtor = reads.debtors.get(request.debtor_id)
    if debtor is None:
        raise NotFoundError(f"debtor {request.debtor_id} not found")
    owed = reads.owed.get(debtor.pk, [])
    accounts = owed_accounts_check(debtor.pk, request.account_ids, owed)
    facts = debtor_facts_build(
        debtor=debtor,
        owed=owed,
        at=checked.moment,
        rows=reads.rows[debtor.pk],
        history=reads.history(debtor.pk, checked.moment),
    )
    situation = situation_for(
        facts,
        channel=request.channel,
        contact_point=checked.point,
        account_ids=accounts,
        at=checked.moment,
        autodialled=request.autodialled,
        prerecorded=request.prerecorded,
        purpose=checked.purpose,
        declared=request.declared,
    )
    return decide_all(situation), situation.inputs, accounts


def _reservation_event(checked: _Checked, accounts: list[int]) -> model.HistoryEvent:
    """What the next decision about this debtor sees of a reservation just made (outcome unknown:
    a call counts as unanswered, a message as sent, as ``history_outcome`` says)."""
    phone = checked.request.channel in ("call", "voicemail")
    return model.HistoryEvent(
        at=checked.moment,
        channel=model.Channel(checked.request.channel),
        direction=model.Direction.OUTBOUND,
        outcome=model.Outcome.NO_ANSWER if phone else model.Outcome.SENT,
        debt_ids=tuple(sorted(str(pk) for pk in accounts)),
        contact_point_id=checked.point,
    )


def _write(decided: list[_Decided]) -> list[tuple[int, Authorization]]:
    """The decision logs, the reserved attempts with their accounts and the audit entry: a bulk
    insert each, whatever the batch size. Returns (request index, answer) pairs."""
    if not decided:
        return []
    decided_at = clock.now()
    logs = DecisionLog.objects.bulk_create(
        [
            DecisionLog(
                debtor_id=row.checked.request.debtor_id,
                channel=row.checked.request.channel,
                contact_point=row.checked.point,
                account_ids=row.accounts,
                purpose=row.checked.request.purpose,
                autodialled=row.checked.request.autodialled,
                prerecorded=row.checked.request.prerecorded,
                proposed_at=row.checked.moment,
                allowed=row.decision.allowed,
                blocking_rule_ids=list(row.decision.blocking_rule_ids),
                earliest_lawful_at=row.decision.earliest_lawful_at,
                decision=decision_to_json(row.decision),
                inputs=row.inputs,
                asked_by_id=row.checked.request.actor_id,
                decided_at=decided_at,
            )
            for row in decided
        ]
    )
    allowed = [(row, log) for row, log in zip(decided, logs, strict=True) if row.decision.allowed]
    attempts = ContactAttempt.objects.bulk_create(
        [
            ContactAttempt(
                debtor_id=row.checked.request.debtor_id,
                channel=row.checked.request.channel,
                contact_point=row.checked.point,
                at=row.checked.moment,
                autodialled=row.checked.request.autodialled,
                prerecorded=row.checked.request.prerecorded,
                purpose=row.checked.request.purpose,
                decision_log=log,
            )
            for row, log in allowed
        ]
    )
    if attempts:
        through = ContactAttempt.accounts.through
        through.objects.bulk_create(
            [
                through(contactattempt_id=attempt.pk, account_id=pk)
                for (row, _), attempt in zip(allowed, attempts, strict=True)
                for pk in row.accounts
            ]
        )
    attempt_ids = {log.pk: attempt.pk for (_, log), attempt in zip(allowed, attempts, strict=True)}
    answers: list[tuple[int, Authorization]] = []
    entries: list[list[Any]] = []
    for row, log in zip(decided, logs, strict=True):
        decision = row.decision
        attempt_id = attempt_ids.get(log.pk)
        verdict = "authorized" if decision.allowed else "blocked"
        blocking = list(decision.blocking_rule_ids)
        entries.append([log.pk, verdict, attempt_id, row.checked.request.debtor_id, blocking])
        answers.append(
            (
                row.index,
                Authorization(
                    allowed=decision.allowed,
                    attempt_id=attempt_id,
                    decision_log_id=log.pk,
                    earliest_lawful_at=decision.earliest_lawful_at,
                    blocking=tuple((r.rule_id, r.message, r.citation) for r in decision.blocking),
                    warnings=tuple((r.rule_id, r.message, r.citation) for r in decision.warnings),
                ),
            )
        )
    actors = {row.checked.request.actor_id for row in decided}
    # One entry for the call, not one per decision: the chain's head row is locked until commit,
    # and one append per decision serialised every worker on it.
    audit_record(
        action=DECIDED_ACTION,
        system="compliance gate batch asked by the planner or several people",
        object_type="compliance.DecisionLog",
        object_id=entries[0][0],
        data={"fields": list(DECIDED_FIELDS), "decisions": entries},
        actor_id=actors.pop() if len(actors) == 1 else None,
    )
    return answers


def _complete(
    answers: list[Authorization | DomainError | None],
) -> list[Authorization | DomainError]:
    complete = [answer for answer in answers if answer is not None]
    assert len(complete) == len(answers), "every request is answered"
    return complete
