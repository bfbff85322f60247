"""A call's life in the records: the gate at dial time, its states, its one outcome.

``calls_dial_authorize`` asks the compliance gate about each entry taken from the hopper (one batch
call): a refused entry goes back to WAITING at the gate's earliest lawful time, or is SKIPPED when
it never will be, with the blocking rule and its message; an allowed one becomes a ``Call`` row
carrying the gate's reserved attempt, written before the telephony is asked to dial.
``call_event_apply`` moves a live call on (ringing, answered, connected). ``call_outcome_record``
closes it once: the interaction in the contact history (which records the ledger outcome and marks
a wrong number), or the reserved attempt cancelled when the network refused the call, and the
hopper entry recycled (``domain.recycling``). Each is one transaction with its audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction

from solvent.audit.services import audit_record
from solvent.compliance.domain.model import CampaignFigures
from solvent.compliance.domain.packs.dialer import FIGURES_RULE, UK_RATE_RULE, US_RATE_RULE
from solvent.compliance.services import (
    Authorization,
    AuthorizationRequest,
    ProposalFacts,
    contact_attempt_cancel,
    contact_attempts_authorize_many,
)
from solvent.contact.domain.model import Disposition
from solvent.contact.services import interaction_record
from solvent.core import clock
from solvent.core.domain.errors import DomainError, NotFoundError, ValidationError
from solvent.dialer.domain.recycling import (
    CallOutcome,
    NextState,
    RetrySettings,
    fits_today,
    recycle,
)
from solvent.dialer.models import Call, Campaign, HopperEntry

SYSTEM = "dialer"

# Refusals about the campaign rather than the debtor (its abandon rate, its figures missing):
# the entry waits and is tried again after this long, instead of leaving today's hopper.
CAMPAIGN_RULES = frozenset({US_RATE_RULE, UK_RATE_RULE, FIGURES_RULE})
CAMPAIGN_REFUSAL_WAIT = timedelta(minutes=5)

# The live states in order: an event never moves a call backwards (events may repeat or cross).
_STATE_ORDER = {
    Call.State.QUEUED: 0,
    Call.State.DIALLING: 1,
    Call.State.RINGING: 2,
    Call.State.ANSWERED: 3,
    Call.State.CONNECTED: 4,
    Call.State.ENDED: 5,
}
# Dialling too: a preview call QUEUED for the dialer process is moved on when it is dialled.
_EVENT_STATES = frozenset(
    {Call.State.DIALLING, Call.State.RINGING, Call.State.ANSWERED, Call.State.CONNECTED}
)

# The contact history's disposition for each outcome (connected: the agent's; interrupted and
# failed: decided in ``_disposition``).
_DISPOSITION = {
    Call.Outcome.BUSY: Disposition.BUSY,
    Call.Outcome.NO_ANSWER: Disposition.NO_ANSWER,
    Call.Outcome.MACHINE: Disposition.ANSWERING_MACHINE,
    Call.Outcome.VOICEMAIL_LEFT: Disposition.VOICEMAIL_LEFT,
    Call.Outcome.ABANDONED: Disposition.ABANDONED,
    Call.Outcome.WRONG_NUMBER: Disposition.WRONG_NUMBER,
    Call.Outcome.NOT_IN_SERVICE: Disposition.NOT_IN_SERVICE,
}
INTERRUPTED_SUMMARY = "the dialer stopped during the call"
_MACHINE_HEARD = frozenset({Disposition.ANSWERING_MACHINE, Disposition.VOICEMAIL_LEFT})


def _audit(action: str, call: Call, data: dict[str, object], agent_id: int | None) -> None:
    audit_record(
        action=action,
        object_type="dialer.Call",
        object_id=call.pk,
        data=data,
        actor_id=agent_id,
        system="" if agent_id else SYSTEM,
    )


def calls_dial_authorize(
    *,
    campaign_id: int,
    entries: Sequence[HopperEntry],
    figures: CampaignFigures,
    now: datetime | None = None,
    preview_agent_id: int | None = None,
) -> list[Call]:
    """The gate at dial time for each entry taken from the hopper; answers the allowed calls.

    An autodialled call unless it is an agent's preview dial (then a live agent is guaranteed and
    the call waits QUEUED for the dialer with ``agent`` set). The campaign's abandon figures are
    declared to the gate, which refuses every dial of a campaign over its abandon limit.
    """
    if not entries:
        return []
    moment = now or clock.now()
    preview = preview_agent_id is not None
    declared = ProposalFacts(campaign=figures, live_agent_guaranteed=preview)
    requests = [
        AuthorizationRequest(
            debtor_id=entry.debtor_id,
            channel="call",
            contact_point=entry.phone,
            account_ids=[entry.account_id],
            at=moment,
            autodialled=not preview,
            actor_id=preview_agent_id,
            declared=declared,
        )
        for entry in entries
    ]
    with transaction.atomic():
        campaign = Campaign.objects.get(pk=campaign_id)
        answers = contact_attempts_authorize_many(requests)
        calls: list[Call] = []
        refused: list[list[object]] = []
        changed: list[HopperEntry] = []
        for entry, answer in zip(entries, answers, strict=True):
            if isinstance(answer, Authorization) and answer.allowed:
                calls.append(_call_for(campaign, entry, answer, moment, preview_agent_id))
                continue
            _refusal_apply(entry, answer, moment)
            changed.append(entry)
            refused.append([entry.pk, entry.status, entry.reason])
        if changed:
            HopperEntry.objects.bulk_update(
                changed, ["status", "not_before", "attempts", "reason", "detail", "updated_at"]
            )
        created = Call.objects.bulk_create(calls)
        audit_record(
            action="dialer.dials_authorized",
            object_type="dialer.Campaign",
            object_id=campaign.pk,
            data={
                "calls": [call.pk for call in created],
                "refused_fields": ["entry_id", "status", "rule"],
                "refused": refused,
                "preview": preview,
            },
            actor_id=preview_agent_id,
            system="" if preview else SYSTEM,
        )
    return created


def _call_for(
    campaign: Campaign,
    entry: HopperEntry,
    answer: Authorization,
    moment: datetime,
    preview_agent_id: int | None,
) -> Call:
    return Call(
        campaign=campaign,
        hopper_entry=entry,
        account_id=entry.account_id,
        debtor_id=entry.debtor_id,
        phone=entry.phone,
        preview=preview_agent_id is not None,
        attempt_id=answer.attempt_id,
        decision_log_id=answer.decision_log_id,
        state=Call.State.QUEUED if preview_agent_id is not None else Call.State.DIALLING,
        agent_id=preview_agent_id,
        started_at=moment,
    )


def _refusal_apply(
    entry: HopperEntry, answer: Authorization | DomainError, moment: datetime
) -> None:
    """A refused dial was not an attempt: the count taken goes back, and the entry waits for the
    gate's earliest lawful time when that is later today, else it is SKIPPED with the rule."""
    entry.attempts = max(0, entry.attempts - 1)
    entry.updated_at = moment
    if isinstance(answer, DomainError):
        entry.status = HopperEntry.Status.SKIPPED
        entry.reason = (answer.code or "invalid")[:60]
        entry.detail = str(answer)[:255]
        return
    rule_id, message, _ = answer.blocking[0] if answer.blocking else ("refused", "refused", "")
    entry.reason = rule_id[:60]
    entry.detail = message[:255]
    if {rule for rule, _, _ in answer.blocking} <= CAMPAIGN_RULES and answer.blocking:
        # The campaign's own figures refused it, not the debtor's facts: the number stays in the
        # hopper for when the campaign may dial again (the gate's "never" is about the snapshot).
        entry.status = HopperEntry.Status.WAITING
        entry.not_before = moment + CAMPAIGN_REFUSAL_WAIT
        return
    lawful = answer.earliest_lawful_at
    if lawful is not None and fits_today(at=lawful, now=moment, time_zone=entry.time_zone):
        entry.status = HopperEntry.Status.WAITING
        entry.not_before = max(lawful, moment)
    else:
        # Never lawful (a cease, a hold), or not again today (a cap that lasts days): out of
        # today's hopper; the plan decides again tomorrow.
        entry.status = HopperEntry.Status.SKIPPED


def _call_locked(call_id: int) -> Call:
    call = Call.objects.select_for_update().filter(pk=call_id).first()
    if call is None:
        raise NotFoundError(f"call {call_id} not found")
    return call


def call_event_apply(
    *,
    call_id: int,
    state: str,
    at: datetime,
    answered_by_person: bool | None = None,
    telephony_ref: str = "",
) -> Call:
    """Move a live call to ``state`` (dialling, ringing, answered, connected) and stamp the time.

    Idempotent: an event for a state the call has passed, or for an ended call, changes nothing
    (a repeated or late event), except that a verdict or ref not known yet is kept.
    """
    if state not in _EVENT_STATES:
        raise ValidationError(f"not a live call state: {state!r}", code="call_state_invalid")
    target = Call.State(state)
    with transaction.atomic():
        call = _call_locked(call_id)
        fields: list[str] = []
        if telephony_ref and not call.telephony_ref:
            call.telephony_ref = telephony_ref
            fields.append("telephony_ref")
        if answered_by_person is not None and call.answered_by_person is None:
            call.answered_by_person = answered_by_person
            fields.append("answered_by_person")
        current = Call.State(call.state)
        if _STATE_ORDER[target] > _STATE_ORDER[current] and current != Call.State.ENDED:
            call.state = target
            fields.append("state")
            if call.ringing_at is None and target == Call.State.RINGING:
                call.ringing_at = at
                fields.append("ringing_at")
            if call.answered_at is None and target in (Call.State.ANSWERED, Call.State.CONNECTED):
                call.answered_at = at  # a connected call was answered, even if that event was lost
                fields.append("answered_at")
            if call.connected_at is None and target == Call.State.CONNECTED:
                call.connected_at = at
                fields.append("connected_at")
        if fields:
            call.save(update_fields=fields)
    return call


def _disposition(call: Call, outcome: Call.Outcome, disposition: str) -> tuple[Disposition, str]:
    """The history's disposition for the outcome, and a summary when the dialer adds one."""
    if outcome == Call.Outcome.CONNECTED:
        try:
            return Disposition(disposition or Disposition.RIGHT_PARTY_CONTACT), ""
        except ValueError:
            raise ValidationError(
                f"unknown disposition {disposition!r}", code="disposition_invalid"
            ) from None
    if outcome == Call.Outcome.INTERRUPTED:
        if call.connected_at is not None:
            return Disposition(disposition or Disposition.RIGHT_PARTY_CONTACT), INTERRUPTED_SUMMARY
        if call.answered_at is not None and call.answered_by_person is not False:
            return Disposition.ABANDONED, INTERRUPTED_SUMMARY
        if call.answered_at is not None:
            return Disposition.ANSWERING_MACHINE, INTERRUPTED_SUMMARY
        return Disposition.NO_ANSWER, INTERRUPTED_SUMMARY
    return _DISPOSITION[outcome], ""


def _recycling_outcome(call: Call, outcome: Call.Outcome, disposition: Disposition) -> CallOutcome:
    """What recycling is told: an interrupted call as what it turned out to be; a conversation
    that found a stranger as a wrong number."""
    if disposition == Disposition.WRONG_NUMBER:
        return CallOutcome.WRONG_NUMBER
    if outcome == Call.Outcome.INTERRUPTED:
        if call.connected_at is not None:
            return CallOutcome.CONNECTED
        return CallOutcome.NO_ANSWER
    return CallOutcome(outcome)


def call_outcome_record(
    *,
    call_id: int,
    outcome: str,
    at: datetime | None = None,
    agent_id: int | None = None,
    disposition: str = "",
    summary: str = "",
    recording_ref: str = "",
) -> Call:
    """Close the call with its outcome, once (a second call answers the closed call unchanged).

    The contact history gets the interaction (with the gate's attempt: the ledger records its
    outcome; a wrong number marks the phone); a call the network refused (``failed``) was never
    placed: its reserved attempt is cancelled and nothing enters the history. The hopper entry is
    recycled: dialled again later today, or done for today.
    """
    try:
        kind = Call.Outcome(outcome)
    except ValueError:
        raise ValidationError(f"unknown call outcome {outcome!r}", code="outcome_invalid") from None
    moment = at or clock.now()
    with transaction.atomic():
        call = _call_locked(call_id)
        if call.state == Call.State.ENDED:
            return call
        agent = agent_id or call.agent_id
        history: Disposition | None = None
        if kind == Call.Outcome.FAILED:
            if call.attempt_id is not None:
                contact_attempt_cancel(
                    attempt_id=call.attempt_id,
                    reason=f"the network refused the call: {call.detail or 'failed'}"[:255],
                    actor_id=agent_id,
                )
        else:
            history, note = _disposition(call, kind, disposition)
            if kind == Call.Outcome.INTERRUPTED and history == Disposition.ABANDONED:
                # A person answered and the dialer died before an agent took it: abandoned, as
                # the law counts it, and so in the figures (the summary says the dialer stopped).
                kind = Call.Outcome.ABANDONED
            if kind in (Call.Outcome.CONNECTED, Call.Outcome.ABANDONED) and not call.answered_at:
                call.answered_at = call.connected_at or moment  # counted in the abandon figures
            if kind == Call.Outcome.CONNECTED and call.connected_at is None:
                call.connected_at = call.answered_at
            if kind == Call.Outcome.ABANDONED and call.answered_by_person is None:
                call.answered_by_person = True
            if history in _MACHINE_HEARD:
                # The agent heard a machine (detection off, or wrong): not a live answer, so not
                # in the abandon rate's denominator.
                call.answered_by_person = False
            if call.attempt_id is None:
                raise ValidationError(
                    f"call {call.pk} has no authorised attempt", code="attempt_not_authorized"
                )
            interaction = interaction_record(
                debtor_id=call.debtor_id,
                channel="call",
                direction="outbound",
                contact_point=call.phone,
                disposition=history,
                account_ids=[call.account_id],
                occurred_at=call.started_at,
                agent_id=agent,
                duration_seconds=_talk_seconds(call, moment),
                recording_ref=recording_ref or call.recording_ref,
                summary="; ".join(part for part in (summary, note) if part),
                attempt_id=call.attempt_id,
                decision_log_id=call.decision_log_id,
            )
            call.interaction_id = interaction.pk
        call.state = Call.State.ENDED
        call.outcome = kind
        call.ended_at = call.ended_at or moment
        call.agent_id = agent
        if recording_ref:
            call.recording_ref = recording_ref
        call.save()
        recycled = _entry_recycle(call, kind, history, moment)
        _audit(
            "dialer.call_ended",
            call,
            {
                "outcome": kind.value,
                "disposition": history.value if history else "",
                "interaction_id": call.interaction_id,
                "entry": recycled,
            },
            agent_id,
        )
    return call


def _talk_seconds(call: Call, moment: datetime) -> int | None:
    if call.connected_at is None:
        return None
    end = call.ended_at or moment
    return max(0, int((end - call.connected_at).total_seconds()))


def _entry_recycle(
    call: Call, outcome: Call.Outcome, disposition: Disposition | None, moment: datetime
) -> str:
    """The hopper entry's next state after the call (only an entry still DIALLING moves)."""
    if call.hopper_entry_id is None:
        return ""
    entry = HopperEntry.objects.select_for_update().filter(pk=call.hopper_entry_id).first()
    if entry is None or entry.status != HopperEntry.Status.DIALLING:
        return ""
    campaign = Campaign.objects.get(pk=call.campaign_id)
    settings = RetrySettings(
        busy_retry_minutes=campaign.busy_retry_minutes,
        no_answer_retry_minutes=campaign.no_answer_retry_minutes,
        max_attempts_per_day=campaign.max_attempts_per_day,
    )
    told = (
        _recycling_outcome(call, outcome, disposition)
        if disposition is not None
        else CallOutcome.FAILED
    )
    decided = recycle(
        settings=settings,
        outcome=told,
        attempts=entry.attempts,
        now=moment,
        time_zone=entry.time_zone,
        best_hour=entry.best_hour,
    )
    if decided.state == NextState.WAITING and decided.at is not None:
        entry.status = HopperEntry.Status.WAITING
        entry.not_before = decided.at
    else:
        entry.status = HopperEntry.Status.DONE
    entry.reason = decided.reason
    entry.detail = decided.detail[:255]
    entry.updated_at = moment
    entry.save(update_fields=["status", "not_before", "reason", "detail", "updated_at"])
    return f"{entry.status} {decided.reason}"
