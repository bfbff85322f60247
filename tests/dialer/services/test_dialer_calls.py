"""The gate at dial time, a call's states, and its one outcome in the history and the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solvent.audit.models import AuditEntry
from solvent.compliance import services as compliance
from solvent.compliance.domain.model import CampaignFigures
from solvent.compliance.models import ContactAttempt
from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.domain.errors import ValidationError
from solvent.dialer import selectors
from solvent.dialer.models import Call, Campaign, HopperEntry
from solvent.dialer.services import (
    call_event_apply,
    call_outcome_record,
    calls_dial_authorize,
    hopper_take,
)
from solvent.portfolio.models import ContactStatus, Phone
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, OhioDebtor
from tests.dialer.services.dialer_fixtures import campaign_create, dialable_debtor, entry_create

pytestmark = pytest.mark.django_db

NO_ABANDONS = CampaignFigures(
    abandoned_30d=0, live_answered_30d=400, abandoned_24h=0, live_answered_24h=40
)


@pytest.fixture(autouse=True)
def _noon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)


def _dial(
    campaign: Campaign, who: OhioDebtor, *, figures: CampaignFigures = NO_ABANDONS, **entry: object
) -> tuple[HopperEntry, list[Call]]:
    entry_create(campaign, who, **entry)
    (taken,) = hopper_take(campaign_id=campaign.pk, count=1, now=NOON)
    calls = calls_dial_authorize(
        campaign_id=campaign.pk, entries=[taken], figures=figures, now=NOON
    )
    taken.refresh_from_db()
    return taken, calls


def test_an_allowed_dial_is_a_call_row_with_the_gates_reserved_attempt() -> None:
    campaign = campaign_create()
    who = dialable_debtor()
    entry, (call,) = _dial(campaign, who)

    assert call.state == Call.State.DIALLING
    assert (call.account_id, call.debtor_id, call.phone) == (who.card.pk, who.debtor.pk, MOBILE)
    attempt = ContactAttempt.objects.get(pk=call.attempt_id)
    assert attempt.status == ContactAttempt.Status.RESERVED
    assert attempt.autodialled is True
    assert attempt.decision_log_id == call.decision_log_id
    assert entry.status == HopperEntry.Status.DIALLING
    assert entry.attempts == 1
    assert AuditEntry.objects.filter(action="dialer.dials_authorized").count() == 1


def test_a_cease_placed_after_planning_skips_the_number_with_the_holds_rule() -> None:
    campaign = campaign_create()
    who = dialable_debtor()
    compliance.hold_place(debtor_id=who.debtor.pk, kind="cease", source="letter", at=NOON)

    entry, calls = _dial(campaign, who)

    assert calls == []
    assert entry.status == HopperEntry.Status.SKIPPED
    assert entry.reason == "regf.cease_communication"
    assert entry.detail  # the rule's message, for the account screen
    assert entry.attempts == 0, "a refused dial is not an attempt"
    assert not ContactAttempt.objects.filter(debtor=who.debtor).exists()
    audit = AuditEntry.objects.get(action="dialer.dials_authorized")
    assert audit.data["refused"] == [[entry.pk, "skipped", "regf.cease_communication"]]
    why = selectors.hopper_why_not(account_id=who.card.pk, now=NOON)
    assert why[-1].code == "cap_reached"
    assert "(rule regf.cease_communication)" in why[-1].text


def test_seven_calls_in_seven_days_skip_the_eighth_with_the_reg_f_rule() -> None:
    campaign = campaign_create()
    who = dialable_debtor()
    for minutes in range(7):
        compliance.contact_attempt_authorize(
            debtor_id=who.debtor.pk,
            channel="call",
            contact_point=MOBILE,
            account_ids=[who.card.pk],
            at=NOON - timedelta(days=1, minutes=10 * minutes),
        )

    entry, calls = _dial(campaign, who)

    assert calls == []
    assert entry.status == HopperEntry.Status.SKIPPED  # lawful again only on a later day
    assert entry.reason == "regf.call_frequency.7in7"


def test_a_dial_before_eight_in_the_morning_waits_for_the_gates_earliest_lawful_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    early = NOON - timedelta(hours=5)  # 07:00 in Columbus
    monkeypatch.setattr(clock, "now", lambda: early)
    campaign = campaign_create()
    who = dialable_debtor()
    entry_create(campaign, who, not_before=early - timedelta(minutes=5))
    (taken,) = hopper_take(campaign_id=campaign.pk, count=1, now=early)
    calls = calls_dial_authorize(
        campaign_id=campaign.pk, entries=[taken], figures=NO_ABANDONS, now=early
    )

    taken.refresh_from_db()
    assert calls == []
    assert taken.status == HopperEntry.Status.WAITING
    assert taken.not_before == NOON - timedelta(hours=4)  # 08:00 local
    assert taken.reason.startswith("regf.inconvenient_time")
    why = selectors.hopper_why_not(account_id=who.card.pk, now=early)
    assert why[-1].code == "outside_window"
    assert "next from 08:00 (the debtor's time)" in why[-1].text


def test_a_campaign_over_its_abandon_limit_dials_nothing() -> None:
    campaign = campaign_create()
    who = dialable_debtor()
    over = CampaignFigures(
        abandoned_30d=20, live_answered_30d=400, abandoned_24h=5, live_answered_24h=40
    )
    entry, calls = _dial(campaign, who, figures=over)
    assert calls == []
    assert entry.reason == "tsr.abandonment_safe_harbor_3pct"
    # The campaign's figures refused it, not the debtor's: it waits in the hopper a while.
    assert entry.status == HopperEntry.Status.WAITING
    assert entry.not_before == NOON + timedelta(minutes=5)
    assert entry.attempts == 0


def test_a_preview_dial_is_queued_for_its_agent_with_a_live_agent_guaranteed() -> None:
    campaign = campaign_create()
    who = dialable_debtor()
    agent = User.objects.create_user(username="agent-1")
    entry = entry_create(campaign, who)
    (taken,) = hopper_take(campaign_id=campaign.pk, count=1, now=NOON, entry_ids=[entry.pk])
    (call,) = calls_dial_authorize(
        campaign_id=campaign.pk,
        entries=[taken],
        figures=NO_ABANDONS,
        now=NOON,
        preview_agent_id=agent.pk,
    )
    assert (call.state, call.agent_id, call.preview) == (Call.State.QUEUED, agent.pk, True)
    dialled = call_event_apply(call_id=call.pk, state="dialling", at=NOON)
    assert dialled.state == Call.State.DIALLING
    attempt = ContactAttempt.objects.get(pk=call.attempt_id)
    assert attempt.autodialled is False
    assert AuditEntry.objects.get(action="dialer.dials_authorized").actor_id == agent.pk


def test_events_move_a_call_forward_once_and_never_back() -> None:
    campaign = campaign_create()
    _, (call,) = _dial(campaign, dialable_debtor())
    ring, answer = NOON + timedelta(seconds=2), NOON + timedelta(seconds=8)

    call_event_apply(call_id=call.pk, state="ringing", at=ring, telephony_ref="sip-1")
    call_event_apply(call_id=call.pk, state="answered", at=answer, answered_by_person=True)
    again = call_event_apply(call_id=call.pk, state="ringing", at=answer + timedelta(seconds=1))
    twice = call_event_apply(call_id=call.pk, state="answered", at=answer + timedelta(seconds=5))

    assert again.state == twice.state == Call.State.ANSWERED
    assert (twice.ringing_at, twice.answered_at) == (ring, answer)
    assert twice.telephony_ref == "sip-1"
    assert twice.answered_by_person is True
    with pytest.raises(ValidationError):
        call_event_apply(call_id=call.pk, state="ended", at=answer)


def test_a_connected_event_whose_answer_was_lost_still_counts_as_answered() -> None:
    campaign = campaign_create()
    _, (call,) = _dial(campaign, dialable_debtor())
    at = NOON + timedelta(seconds=9)
    connected = call_event_apply(call_id=call.pk, state="connected", at=at)
    assert connected.answered_at == connected.connected_at == at


# Every outcome: its interaction in the history, the ledger's outcome, the hopper entry's fate.
OUTCOMES = [
    # outcome, disposition given, history's disposition, ledger outcome, entry status
    ("busy", "", "busy", "busy", "waiting"),
    ("no_answer", "", "no_answer", "no_answer", "waiting"),
    ("machine", "", "answering_machine", "voicemail", "waiting"),
    ("voicemail_left", "", "voicemail_left", "limited_content_message", "done"),
    ("abandoned", "", "abandoned", "abandoned", "done"),
    ("wrong_number", "", "wrong_number", "wrong_number", "done"),
    ("not_in_service", "", "not_in_service", "not_in_service", "done"),
    ("connected", "promise_to_pay", "promise_to_pay", "right_party_conversation", "done"),
    ("connected", "", "right_party_contact", "right_party_conversation", "done"),
    ("connected", "wrong_number", "wrong_number", "wrong_number", "done"),
    ("interrupted", "", "no_answer", "no_answer", "waiting"),
]


@pytest.mark.parametrize(("outcome", "given", "disposition", "ledger", "status"), OUTCOMES)
def test_every_outcome_is_one_interaction_with_its_ledger_outcome(
    outcome: str, given: str, disposition: str, ledger: str, status: str
) -> None:
    campaign = campaign_create()
    who = dialable_debtor()
    entry, (call,) = _dial(campaign, who)
    if outcome in ("connected", "abandoned"):
        call_event_apply(call_id=call.pk, state="answered", at=NOON, answered_by_person=True)
    if outcome == "connected":
        call_event_apply(call_id=call.pk, state="connected", at=NOON + timedelta(seconds=1))
    ended = NOON + timedelta(minutes=2)

    closed = call_outcome_record(call_id=call.pk, outcome=outcome, at=ended, disposition=given)

    interaction = Interaction.objects.get(pk=closed.interaction_id)
    assert interaction.disposition == disposition
    assert interaction.compliance_attempt_id == call.attempt_id
    assert interaction.account_ids == [who.card.pk]
    assert (interaction.channel, interaction.direction) == ("call", "outbound")
    attempt = ContactAttempt.objects.get(pk=call.attempt_id)
    assert (attempt.status, attempt.outcome) == (ContactAttempt.Status.COMPLETED, ledger)
    assert (closed.state, closed.outcome, closed.ended_at) == (Call.State.ENDED, outcome, ended)
    entry.refresh_from_db()
    assert entry.status == status
    if outcome == "interrupted":
        assert interaction.summary == "the dialer stopped during the call"
    if disposition == "wrong_number":
        phone = Phone.objects.get(debtor=who.debtor, e164=MOBILE)
        assert phone.status == ContactStatus.WRONG_NUMBER
    audit = AuditEntry.objects.get(action="dialer.call_ended", object_id=str(call.pk))
    assert audit.data["outcome"] == outcome


def test_an_interrupted_call_a_person_answered_is_an_abandoned_one() -> None:
    campaign = campaign_create()
    _, (call,) = _dial(campaign, dialable_debtor())
    call_event_apply(call_id=call.pk, state="answered", at=NOON, answered_by_person=True)

    closed = call_outcome_record(call_id=call.pk, outcome="interrupted")

    assert closed.outcome == Call.Outcome.ABANDONED
    interaction = Interaction.objects.get(pk=closed.interaction_id)
    assert (interaction.disposition, interaction.summary) == (
        "abandoned",
        "the dialer stopped during the call",
    )
    figures = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON)
    assert (figures.abandoned_24h, figures.live_answered_24h) == (1, 1)


def test_an_interrupted_conversation_keeps_the_agents_disposition() -> None:
    campaign = campaign_create()
    entry, (call,) = _dial(campaign, dialable_debtor())
    call_event_apply(call_id=call.pk, state="connected", at=NOON, answered_by_person=True)

    closed = call_outcome_record(call_id=call.pk, outcome="interrupted", disposition="refused")

    assert closed.outcome == Call.Outcome.INTERRUPTED
    assert Interaction.objects.get(pk=closed.interaction_id).disposition == "refused"
    entry.refresh_from_db()
    assert (entry.status, entry.reason) == (HopperEntry.Status.DONE, "reached")
    figures = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON)
    assert (figures.abandoned_24h, figures.live_answered_24h) == (0, 1)


def test_a_machine_the_agent_heard_is_not_a_live_answer() -> None:
    campaign = campaign_create()
    _, (call,) = _dial(campaign, dialable_debtor())
    call_event_apply(call_id=call.pk, state="connected", at=NOON)  # detection off: no verdict

    closed = call_outcome_record(
        call_id=call.pk, outcome="connected", disposition="answering_machine"
    )

    assert closed.answered_by_person is False
    figures = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON)
    assert figures.live_answered_24h == 0


def test_a_failed_call_cancels_the_gates_attempt_and_enters_no_history() -> None:
    campaign = campaign_create()
    who = dialable_debtor()
    entry, (call,) = _dial(campaign, who)

    closed = call_outcome_record(call_id=call.pk, outcome="failed")

    assert closed.interaction_id is None
    assert not Interaction.objects.filter(debtor=who.debtor).exists()
    attempt = ContactAttempt.objects.get(pk=call.attempt_id)
    assert attempt.status == ContactAttempt.Status.CANCELLED
    entry.refresh_from_db()
    assert (entry.status, entry.reason) == (HopperEntry.Status.WAITING, "failed_retry")


def test_an_outcome_is_recorded_once() -> None:
    campaign = campaign_create()
    who = dialable_debtor()
    agent = User.objects.create_user(username="agent-2")
    _, (call,) = _dial(campaign, who)
    call_event_apply(call_id=call.pk, state="connected", at=NOON)

    first = call_outcome_record(
        call_id=call.pk, outcome="connected", agent_id=agent.pk, disposition="refused"
    )
    second = call_outcome_record(call_id=call.pk, outcome="busy")

    assert second.outcome == "connected"
    assert second.interaction_id == first.interaction_id
    assert Interaction.objects.filter(debtor=who.debtor).count() == 1
    assert Interaction.objects.get().agent_id == agent.pk
    assert AuditEntry.objects.get(action="dialer.call_ended").actor_id == agent.pk


def test_an_unknown_outcome_or_disposition_is_refused_and_changes_nothing() -> None:
    campaign = campaign_create()
    _, (call,) = _dial(campaign, dialable_debtor())
    with pytest.raises(ValidationError):
        call_outcome_record(call_id=call.pk, outcome="hung_up")
    with pytest.raises(ValidationError):
        call_outcome_record(call_id=call.pk, outcome="connected", disposition="delighted")
    call.refresh_from_db()
    assert call.state == Call.State.DIALLING


def test_the_dial_time_gate_takes_the_same_queries_for_one_entry_or_six() -> None:
    campaign = campaign_create()
    counts = []
    for batch, suffix in ((1, "one"), (6, "six")):
        for index in range(batch):
            entry_create(campaign, dialable_debtor(f"{suffix}{index}"))
        taken = hopper_take(campaign_id=campaign.pk, count=batch, now=NOON)
        assert len(taken) == batch
        with CaptureQueriesContext(connection) as queries:
            calls = calls_dial_authorize(
                campaign_id=campaign.pk, entries=taken, figures=NO_ABANDONS, now=NOON
            )
        assert len(calls) == batch
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
