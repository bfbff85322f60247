"""The batched gate: many contacts authorised in one transaction, with the single gate's answers.

``contact_attempts_authorize_many`` is ``contact_attempt_authorize`` for a batch (the outbox's
claimed messages). It exists for throughput: the single gate costs about twenty queries, a commit
and an audit entry on the one audit-chain head row per contact, which serialises every worker. Here

1. every debtor's ledger row is locked in one statement, in debtor order (``ORDER BY debtor_id``),
   so two batches with overlapping debtors wait for each other instead of deadlocking;
2. the facts of all debtors are read with a fixed number of ``IN`` queries, whatever the batch size;
3. each request is decided by the pure engine, in request order, and an allowed one adds its
   reservation to its debtor's history at once, so a later request about the same debtor in the
   same batch sees it (a cap that fills inside a batch holds);
4. the decision logs and attempts are written with ``bulk_create``, and one audit entry lists every
   decision of the batch (log id, verdict, attempt id).

A request the single gate would refuse with an error (unknown debtor, a debt that is not theirs, a
bad channel) is answered with that ``DomainError`` in its place: one bad message must not stop the
others. The lock order is ledger rows, then the audit chain head, as for the single gate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
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
    DebtorRows,
    debtor_facts_build,
    history_events,
    latest_notices,
    normalise_contact_point,
    purpose_parse,
    situation_for,
)
from solvent.compliance.models import (
    Consent,
    ContactAttempt,
    DebtNotice,
    DebtorLedger,
    DecisionLog,
    Hold,
    TimePreference,
)
from solvent.compliance.services.common import CHANNELS, aware, owed_accounts_check, require
from solvent.core import clock
from solvent.core.domain.errors import DomainError, NotFoundError, ValidationError
from solvent.portfolio.models import Account, AccountDebtor, Address, Debtor, Email, Phone

Reason = tuple[str, str, str]  # (rule_id, message, citation)


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
    """The arguments of one ``contact_attempt_authorize`` call."""

    debtor_id: int
    channel: str
    contact_point: str
    account_ids: Sequence[int]
    at: datetime | None = None
    autodialled: bool = False
    prerecorded: bool = False
    actor_id: int | None = None
    purpose: str = "collection"


@dataclass(frozen=True)
class _Checked:
    request: AuthorizationRequest
    point: str
    purpose: model.Purpose
    moment: datetime


@dataclass
class _Batch:
    """Every row the batch's decisions read, grouped by debtor (one IN query per table)."""

    debtors: dict[int, Debtor]
    owed: dict[int, list[Account]]
    rows: dict[int, DebtorRows]
    ledger: dict[int, list[ContactAttempt]]
    reserved: dict[int, list[model.HistoryEvent]] = field(default_factory=dict)


def _check(request: AuthorizationRequest, now: datetime) -> _Checked:
    """The single gate's argument checks, before its transaction."""
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
    return _Checked(request, point, engine_purpose, aware(request.at) or now)


def _ledgers_lock(debtor_ids: list[int]) -> None:
    """Create the missing ledger rows, then lock them all, in debtor order, in one statement."""
    DebtorLedger.objects.bulk_create(
        [DebtorLedger(debtor_id=pk) for pk in debtor_ids], ignore_conflicts=True
    )
    list(
        DebtorLedger.objects.select_for_update()
        .filter(pk__in=debtor_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _grouped(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _batch_read(debtor_ids: list[int], start: datetime, end: datetime) -> _Batch:
    """Everything about the debtors, with a fixed number of queries (ledger within start..end)."""
    debtors = {debtor.pk: debtor for debtor in Debtor.objects.filter(pk__in=debtor_ids)}
    links = AccountDebtor.objects.filter(debtor_id__in=debtor_ids).values_list(
        "debtor_id", "account_id"
    )
    owners: dict[int, set[int]] = defaultdict(set)
    for debtor_id, account_id in links:
        owners[account_id].add(debtor_id)
    accounts = list(Account.objects.filter(pk__in=list(owners)).order_by("pk"))
    owed: dict[int, list[Account]] = defaultdict(list)
    for account in accounts:
        for debtor_id in sorted(owners[account.pk]):
            owed[debtor_id].append(account)
    notices = latest_notices(
        DebtNotice.objects.filter(account_id__in=list(owners)).values_list(
            "account_id", "kind", "sent_on"
        )
    )
    ids = {"debtor_id__in": debtor_ids}
    addresses = _grouped(Address.objects.filter(**ids).order_by("pk"), "debtor_id")
    phones = _grouped(Phone.objects.filter(**ids).order_by("pk"), "debtor_id")
    emails = _grouped(Email.objects.filter(**ids).order_by("pk"), "debtor_id")
    holds = _grouped(
        Hold.objects.filter(**ids).order_by("pk").prefetch_related("accounts"), "debtor_id"
    )
    consents = _grouped(Consent.objects.filter(**ids).order_by("pk"), "debtor_id")
    preferences = _grouped(TimePreference.objects.filter(**ids).order_by("pk"), "debtor_id")
    ledger = _grouped(
        ContactAttempt.objects.filter(**ids, at__gte=start, at__lte=end)
        .exclude(status=ContactAttempt.Status.CANCELLED)
        .prefetch_related("accounts")
        .order_by("at", "pk"),
        "debtor_id",
    )
    rows = {
        pk: DebtorRows(
            addresses=addresses.get(pk, []),
            phones=phones.get(pk, []),
            emails=emails.get(pk, []),
            holds=holds.get(pk, []),
            consents=consents.get(pk, []),
            preferences=preferences.get(pk, []),
            notices=notices,  # keyed by account: each debtor looks up only its own
        )
        for pk in debtors
    }
    return _Batch(debtors=debtors, owed=dict(owed), rows=rows, ledger=dict(ledger))


def _history(batch: _Batch, debtor_id: int, at: datetime) -> tuple[model.HistoryEvent, ...]:
    """The debtor's ledger within LEDGER_WINDOW of ``at``, this batch's reservations included.

    The stored rows come ordered by (at, pk); reservations made in this batch have larger ids, so a
    stable sort by time keeps the single gate's order.
    """
    low, high = at - LEDGER_WINDOW, at + LEDGER_WINDOW
    stored = history_events(a for a in batch.ledger.get(debtor_id, []) if low <= a.at <= high)
    reserved = [e for e in batch.reserved.get(debtor_id, []) if low <= e.at <= high]
    if not reserved:
        return stored
    return tuple(sorted((*stored, *reserved), key=lambda event: event.at))


def _decide(batch: _Batch, checked: _Checked) -> tuple[model.Decision, dict[str, Any], list[int]]:
    request = checked.request
    debtor = batch.debtors.get(request.debtor_id)
    if debtor is None:
        raise NotFoundError(f"debtor {request.debtor_id} not found")
    owed = batch.owed.get(debtor.pk, [])
    accounts = owed_accounts_check(debtor.pk, request.account_ids, owed)
    facts = debtor_facts_build(
        debtor=debtor,
        owed=owed,
        at=checked.moment,
        rows=batch.rows[debtor.pk],
        history=_history(batch, debtor.pk, checked.moment),
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


def contact_attempts_authorize_many(
    requests: Sequence[AuthorizationRequest],
) -> list[Authorization | DomainError]:
    """Authorise a batch; one answer per request, in order: an Authorization or a DomainError.

    Same semantics as calling ``contact_attempt_authorize`` for each request in order, in one
    transaction with one audit entry.
    """
    answers: list[Authorization | DomainError | None] = [None] * len(requests)
    now = clock.now()
    checked: dict[int, _Checked] = {}
    for index, request in enumerate(requests):
        try:
            checked[index] = _check(request, now)
        except DomainError as error:
            answers[index] = error
    wanted = {c.request.debtor_id for c in checked.values()}
    # Only existing debtors get a ledger row: the row's foreign key is checked at commit on
    # PostgreSQL, and one unknown debtor must not fail the whole batch (it gets NotFoundError).
    debtor_ids = sorted(Debtor.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if not checked:
        return _complete(answers)
    moments = [c.moment for c in checked.values()]
    with transaction.atomic():
        _ledgers_lock(debtor_ids)
        batch = _batch_read(debtor_ids, min(moments) - LEDGER_WINDOW, max(moments) + LEDGER_WINDOW)
        decided: list[tuple[int, _Checked, model.Decision, dict[str, Any], list[int]]] = []
        for index, item in checked.items():
            try:
                decision, inputs, accounts = _decide(batch, item)
            except DomainError as error:
                answers[index] = error
                continue
            if decision.allowed:
                event = _reservation_event(item, accounts)
                batch.reserved.setdefault(item.request.debtor_id, []).append(event)
            decided.append((index, item, decision, inputs, accounts))
        decided_at = clock.now()
        logs = DecisionLog.objects.bulk_create(
            [
                DecisionLog(
                    debtor_id=item.request.debtor_id,
                    channel=item.request.channel,
                    contact_point=item.point,
                    account_ids=accounts,
                    purpose=item.request.purpose,
                    autodialled=item.request.autodialled,
                    prerecorded=item.request.prerecorded,
                    proposed_at=item.moment,
                    allowed=decision.allowed,
                    blocking_rule_ids=list(decision.blocking_rule_ids),
                    earliest_lawful_at=decision.earliest_lawful_at,
                    decision=decision_to_json(decision),
                    inputs=inputs,
                    asked_by_id=item.request.actor_id,
                    decided_at=decided_at,
                )
                for _, item, decision, inputs, accounts in decided
            ]
        )
        allowed = [(row, log) for row, log in zip(decided, logs, strict=True) if row[2].allowed]
        attempts = ContactAttempt.objects.bulk_create(
            [
                ContactAttempt(
                    debtor_id=item.request.debtor_id,
                    channel=item.request.channel,
                    contact_point=item.point,
                    at=item.moment,
                    autodialled=item.request.autodialled,
                    prerecorded=item.request.prerecorded,
                    purpose=item.request.purpose,
                    decision_log=log,
                )
                for (_, item, _, _, _), log in allowed
            ]
        )
        through = ContactAttempt.accounts.through
        through.objects.bulk_create(
            [
                through(contactattempt_id=attempt.pk, account_id=pk)
                for ((_, _, _, _, accounts), _), attempt in zip(allowed, attempts, strict=True)
                for pk in accounts
            ]
        )
        attempt_ids = {
            log.pk: attempt.pk for (_, log), attempt in zip(allowed, attempts, strict=True)
        }
        entries: list[list[Any]] = []
        for (index, item, decision, _, _), log in zip(decided, logs, strict=True):
            attempt_id = attempt_ids.get(log.pk)
            verdict = "authorized" if decision.allowed else "blocked"
            entries.append(
                [
                    log.pk,
                    verdict,
                    attempt_id,
                    item.request.debtor_id,
                    list(decision.blocking_rule_ids),
                ]
            )
            answers[index] = Authorization(
                allowed=decision.allowed,
                attempt_id=attempt_id,
                decision_log_id=log.pk,
                earliest_lawful_at=decision.earliest_lawful_at,
                blocking=tuple((r.rule_id, r.message, r.citation) for r in decision.blocking),
                warnings=tuple((r.rule_id, r.message, r.citation) for r in decision.warnings),
            )
        if entries:
            # One entry for the batch, not one per decision: the chain's head row is locked until
            # commit, and one append per decision serialised every worker on it.
            audit_record(
                action="compliance.contacts_decided",
                object_type="compliance.DecisionLog",
                object_id=entries[0][0],
                data={
                    "fields": ["decision_log_id", "verdict", "attempt_id", "debtor_id", "blocking"],
                    "decisions": entries,
                },
            )
    return _complete(answers)


def _complete(
    answers: list[Authorization | DomainError | None],
) -> list[Authorization | DomainError]:
    complete = [answer for answer in answers if answer is not None]
    assert len(complete) == len(answers), "every request is answered"
    return complete
