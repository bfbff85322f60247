"""The chat on the debtor's page as a channel of the compliance engine (ADR 0031), tested against
the law's text at its boundaries.

The debtor opens a chat from their page; an agent may only answer, one reply per message of the
debtor's (comment 6(b)(1)-2; comment 6(b)(2)-1; 12 CFR 1006.14(h)(2)(ii)). A prompt reply (within
30 minutes of the debtor's message) may go at any hour: the debtor's message is their consent to
it (1006.6(b)(4)(i)) at the time they chose; a later one is timed like an e-mail (8 a.m.-9 p.m.
local, 1006.6(b)(1)(i)). Chat messages are not telephone calls (1006.14(b), comment 14(b)-1).

The first part decides with the pure engine; the second goes through the gate with the ledger
(SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.compliance import services
from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.model import (
    Address,
    Channel,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Decision,
    Direction,
    HistoryEvent,
    Hold,
    HoldKind,
    Outcome,
    Party,
    Place,
    ProposedContact,
    Purpose,
    TimeRange,
)
from solvent.compliance.domain.packs import ALL_PACKS
from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.contact.services import interaction_record
from solvent.core.domain.errors import ValidationError
from tests.compliance.services.compliance_fixtures import OhioDebtor, ohio_debtor_create

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")
TORONTO = ZoneInfo("America/Toronto")
SYDNEY = ZoneInfo("Australia/Sydney")
CHAT = "chat:7"
REPLY = Purpose.RESPONSE_TO_CONSUMER

HOURS = "regf.inconvenient_time.8am_9pm_local"
CONFLICT = "regf.inconvenient_time.conflicting_locations"
DESIGNATED = "regf.inconvenient_time.consumer_designated"
REPLY_ONLY = "solvent.chat.reply_only"
ONE_REPLY = "solvent.chat.one_reply_per_message"
NO_CONVERSATION = "solvent.chat.no_conversation"
PROMPT = "solvent.chat.prompt_reply_any_hour"
AFTER_CEASE = "solvent.chat.after_cease"
SEVEN_IN_SEVEN = "regf.call_frequency.7in7"

# Wednesday 15 April 2026 (a weekday; no US federal holiday).
DAY = (2026, 4, 15)


def local(hour: int, minute: int, zone: ZoneInfo = NEW_YORK, day: int = 15) -> datetime:
    return datetime(DAY[0], DAY[1], day, hour, minute, tzinfo=zone)


def profile(
    *,
    addresses: tuple[Address, ...] = (Address("home", "US", "NY", "Albany"),),
    holds: tuple[Hold, ...] = (),
    extra_points: tuple[ContactPoint, ...] = (),
    inconvenient: tuple[TimeRange, ...] = (),
    time_zones: tuple[str, ...] = (),
) -> DebtorProfile:
    return DebtorProfile(
        time_zones=time_zones,
        addresses=addresses,
        contact_points=(ContactPoint(CHAT, ContactPointKind.CHAT, CHAT), *extra_points),
        holds=holds,
        inconvenient_times=inconvenient,
        debts=(Debt("card", kind="credit_card"),),
    )


def debtor_wrote(at: datetime, point: str = CHAT) -> HistoryEvent:
    return HistoryEvent(
        at, Channel.CHAT, Direction.INBOUND, Outcome.RIGHT_PARTY_CONVERSATION, ("card",), point
    )


def agent_wrote(at: datetime, point: str = CHAT) -> HistoryEvent:
    return HistoryEvent(at, Channel.CHAT, Direction.OUTBOUND, Outcome.SENT, ("card",), point)


def chat(at: datetime, purpose: Purpose = REPLY, point: str = CHAT) -> ProposedContact:
    return ProposedContact(
        at=at, channel=Channel.CHAT, debt_id="card", contact_point_id=point, purpose=purpose
    )


def warnings(decision: Decision) -> set[str]:
    return {result.rule_id for result in decision.warnings}


# --- hours: a prompt reply at the debtor's time; anything else as an e-mail ---------------------


def test_a_reply_at_2230_to_the_debtors_2225_message_is_allowed_at_night():
    decision = decide(profile(), [debtor_wrote(local(22, 25))], chat(local(22, 30)))
    assert decision.allowed, decision.blocking
    assert PROMPT in warnings(decision)  # the exception that let it through, for the record


def test_a_second_agent_message_at_2231_with_no_new_debtor_message_is_refused():
    history = [debtor_wrote(local(22, 25)), agent_wrote(local(22, 30))]
    decision = decide(profile(), history, chat(local(22, 31)))
    assert not decision.allowed
    assert ONE_REPLY in decision.blocking_rule_ids
    assert decision.earliest_lawful_at is None  # only a new message of theirs reopens it


def test_each_new_debtor_message_may_be_answered_once():
    history = [debtor_wrote(local(22, 25)), agent_wrote(local(22, 30)), debtor_wrote(local(22, 33))]
    assert decide(profile(), history, chat(local(22, 34))).allowed


def test_the_debtors_message_answered_at_the_same_instant_counts_as_answered():
    history = [debtor_wrote(local(14, 0)), agent_wrote(local(14, 0))]
    assert ONE_REPLY in decide(profile(), history, chat(local(14, 5))).blocking_rule_ids


def test_prompt_means_within_30_minutes_of_the_debtors_message():
    history = [debtor_wrote(local(22, 0))]
    assert decide(profile(), history, chat(local(22, 30))).allowed
    late = decide(profile(), history, chat(local(22, 31)))
    assert late.blocking_rule_ids == (HOURS,)
    assert late.earliest_lawful_at == local(8, 0, day=16)  # the next morning, still unanswered


@pytest.mark.parametrize(
    ("hour", "minute", "allowed"), [(20, 59, True), (21, 0, False), (7, 59, False), (8, 0, True)]
)
def test_a_late_reply_follows_the_8am_9pm_presumption(hour: int, minute: int, allowed: bool):
    # The debtor wrote at 05:00 (or the day before, for the evening cases): not a prompt reply.
    wrote = local(5, 0) if hour < 12 else local(14, 0)
    decision = decide(profile(), [debtor_wrote(wrote)], chat(local(hour, minute)))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.blocking_rule_ids == (HOURS,)
        assert PROMPT not in warnings(decision)


@pytest.mark.parametrize(("hour", "minute"), [(20, 59), (21, 0), (12, 0), (23, 0)])
def test_collect_by_chat_is_refused_at_every_hour(hour: int, minute: int):
    decision = decide(
        profile(),
        [debtor_wrote(local(hour, minute) - timedelta(minutes=1))],
        chat(local(hour, minute), Purpose.COLLECT),
    )
    assert not decision.allowed
    assert REPLY_ONLY in decision.blocking_rule_ids
    assert decision.earliest_lawful_at is None


@pytest.mark.parametrize(
    "purpose",
    [Purpose.CEASE_EXCEPTION_NOTICE, Purpose.OPT_OUT_CONFIRMATION, Purpose.COLLECT],
)
def test_no_purpose_but_a_reply_goes_by_chat(purpose: Purpose):
    decision = decide(profile(), [debtor_wrote(local(11, 0))], chat(local(11, 1), purpose))
    assert REPLY_ONLY in decision.blocking_rule_ids


def test_a_chat_to_a_third_party_is_refused():
    proposed = ProposedContact(
        at=local(11, 1),
        channel=Channel.CHAT,
        debt_id="card",
        contact_point_id=CHAT,
        purpose=REPLY,
        party=Party.THIRD_PARTY,
    )
    assert REPLY_ONLY in decide(profile(), [debtor_wrote(local(11, 0))], proposed).blocking_rule_ids


def test_a_time_the_debtor_called_inconvenient_allows_a_prompt_reply_only():
    # Weekdays 15:00-17:00 inconvenient (comment 6(b)(1)-1.ii); they chat at 15:30 (comment 6(b)(1)-2.i).
    busy = (TimeRange(days=(0, 1, 2, 3, 4), start=time(15, 0), end=time(17, 0)),)
    prompt = decide(profile(inconvenient=busy), [debtor_wrote(local(15, 30))], chat(local(15, 35)))
    assert prompt.allowed, prompt.blocking
    late = decide(profile(inconvenient=busy), [debtor_wrote(local(10, 0))], chat(local(15, 35)))
    assert late.blocking_rule_ids == (DESIGNATED,)
    assert late.earliest_lawful_at == local(17, 0)


# --- the conversation must be one this debtor opened ---------------------------------------------


def test_a_chat_point_with_no_message_of_the_debtor_is_refused():
    decision = decide(profile(), [debtor_wrote(local(11, 0), point="chat:8")], chat(local(11, 1)))
    assert decision.blocking_rule_ids == (NO_CONVERSATION,)
    assert decision.earliest_lawful_at is None


def test_a_point_that_is_not_a_chat_is_refused_for_chat():
    point = "+15185550100"
    history = [debtor_wrote(local(11, 0), point=point)]
    decision = decide(profile(), history, chat(local(11, 1), point=point))
    assert NO_CONVERSATION in decision.blocking_rule_ids


def test_a_message_the_debtor_writes_later_does_not_open_the_chat_earlier():
    decision = decide(profile(), [debtor_wrote(local(11, 5))], chat(local(11, 1)))
    assert NO_CONVERSATION in decision.blocking_rule_ids


# --- holds --------------------------------------------------------------------------------------

RECEIVED = datetime(2026, 3, 1, tzinfo=UTC)


def test_after_a_cease_notice_no_chat_reply_even_to_the_debtors_own_message():
    decision = decide(
        profile(holds=(Hold(HoldKind.CEASE, RECEIVED),)),
        [debtor_wrote(local(11, 0))],
        chat(local(11, 1)),
    )
    assert {"regf.cease_communication", AFTER_CEASE} <= set(decision.blocking_rule_ids)
    assert decision.earliest_lawful_at is None


def test_a_represented_debtor_gets_one_reply_per_message_of_theirs():
    represented = profile(holds=(Hold(HoldKind.ATTORNEY, RECEIVED),))
    first = decide(represented, [debtor_wrote(local(11, 0))], chat(local(11, 1)))
    assert first.allowed, first.blocking
    assert "regf.attorney_represented.consumer_initiated_response" in warnings(first)
    history = [debtor_wrote(local(11, 0)), agent_wrote(local(11, 1))]
    second = decide(represented, history, chat(local(11, 2)))
    assert ONE_REPLY in second.blocking_rule_ids


@pytest.mark.parametrize(
    ("kind", "rule_id"),
    [
        (HoldKind.BANKRUPTCY, "solvent.hold.insolvency"),
        (HoldKind.DECEASED, "solvent.hold.deceased"),
    ],
)
def test_bankruptcy_and_death_refuse_even_a_reply(kind: HoldKind, rule_id: str):
    decision = decide(
        profile(holds=(Hold(kind, RECEIVED),)), [debtor_wrote(local(11, 0))], chat(local(11, 1))
    )
    assert rule_id in decision.blocking_rule_ids


def test_a_timely_dispute_lets_the_reply_through_but_not_collection():
    disputed = DebtorProfile(
        addresses=(Address("home", "US", "NY", "Albany"),),
        contact_points=(ContactPoint(CHAT, ContactPointKind.CHAT, CHAT),),
        holds=(Hold(HoldKind.DISPUTE, datetime(2026, 4, 10, tzinfo=UTC)),),
        debts=(Debt("card", validation_notice_sent_on=date(2026, 4, 1)),),
    )
    reply = decide(disputed, [debtor_wrote(local(11, 0))], chat(local(11, 1)))
    assert reply.allowed, reply.blocking
    assert "regf.dispute.reply_is_not_collection" in warnings(reply)
    email = ProposedContact(
        at=local(11, 1),
        channel=Channel.EMAIL,
        debt_id="card",
        contact_point_id="mail",
        includes_opt_out=True,
    )
    with_mail = DebtorProfile(
        addresses=disputed.addresses,
        contact_points=(ContactPoint("mail", ContactPointKind.EMAIL, "pat@example.com"),),
        holds=disputed.holds,
        debts=disputed.debts,
    )
    assert "regf.dispute.cease_until_verification" in decide(with_mail, [], email).blocking_rule_ids


def test_a_debtor_who_refused_chat_and_writes_in_it_gets_one_reply():
    refused = profile(holds=(Hold(HoldKind.MEDIUM_OPT_OUT, RECEIVED, channels=(Channel.CHAT,)),))
    first = decide(refused, [debtor_wrote(local(11, 0))], chat(local(11, 1)))
    assert first.allowed, first.blocking
    assert "regf.prohibited_medium.consumer_initiated_response" in warnings(first)
    history = [debtor_wrote(local(11, 0)), agent_wrote(local(11, 1))]
    assert ONE_REPLY in decide(refused, history, chat(local(11, 2))).blocking_rule_ids


def test_not_at_work_and_not_at_home_do_not_reach_a_chat_on_our_page():
    holds = (Hold(HoldKind.NOT_AT_WORK, RECEIVED), Hold(HoldKind.NOT_AT_HOME, RECEIVED))
    decision = decide(profile(holds=holds), [debtor_wrote(local(11, 0))], chat(local(11, 1)))
    assert decision.allowed, decision.blocking


# --- chat is not a telephone call ---------------------------------------------------------------

MOBILE = ContactPoint("cell", ContactPointKind.MOBILE, "+15185550100", place=Place.PERSONAL)


def _calls(days: int) -> list[HistoryEvent]:
    return [
        HistoryEvent(
            local(10, 0, day=9 + n),
            Channel.CALL,
            Direction.OUTBOUND,
            Outcome.NO_ANSWER,
            ("card",),
            "cell",
        )
        for n in range(days)
    ]


def test_chat_messages_do_not_count_toward_the_seven_calls_in_seven_days():
    chats = [
        event
        for n in range(10)
        for event in (
            debtor_wrote(local(9, n, day=14)),
            agent_wrote(local(9, n, day=14) + timedelta(seconds=30)),
        )
    ]
    history = sorted([*_calls(6), *chats], key=lambda event: event.at)
    call = ProposedContact(
        at=local(12, 0), channel=Channel.CALL, debt_id="card", contact_point_id="cell"
    )
    decision = decide(profile(extra_points=(MOBILE,)), history, call)
    assert decision.allowed, decision.blocking
    (cap,) = [cap for cap in decision.caps if cap.rule_id == SEVEN_IN_SEVEN]
    assert cap.used == 6


def test_a_chat_reply_is_allowed_when_the_call_cap_is_reached():
    history = sorted([*_calls(7), debtor_wrote(local(11, 0))], key=lambda event: event.at)
    call = ProposedContact(
        at=local(12, 0), channel=Channel.CALL, debt_id="card", contact_point_id="cell"
    )
    assert (
        SEVEN_IN_SEVEN in decide(profile(extra_points=(MOBILE,)), history, call).blocking_rule_ids
    )
    reply = decide(profile(extra_points=(MOBILE,)), history, chat(local(11, 1)))
    assert reply.allowed, reply.blocking
    # The cap's state is reported (7 of 7 used) but it does not apply to a chat message.
    (cap,) = [cap for cap in reply.caps if cap.rule_id == SEVEN_IN_SEVEN]
    assert cap.used == 7


def test_no_cap_or_wait_of_any_pack_counts_or_applies_to_chat():
    # 1006.14(b) counts telephone calls (comment 14(b)-1); the state and national caps name their
    # media, and chat is none of them (ADR 0031): a pack adding it must do so on purpose.
    caps = [cap for pack in ALL_PACKS for cap in pack.caps]
    waits = [wait for pack in ALL_PACKS for wait in pack.cooldowns]
    assert caps and waits
    assert not [cap.rule_id for cap in caps if Channel.CHAT in cap.channels]
    assert not [w.rule_id for w in waits if Channel.CHAT in w.channels | w.trigger_channels]


def test_no_tcpa_consent_is_needed_for_a_chat():
    # No consent of any kind on file: a call or text by autodialer would need one, a chat does not.
    decision = decide(profile(), [debtor_wrote(local(11, 0))], chat(local(11, 1)))
    assert decision.allowed
    assert not [rule for rule in decision.blocking_rule_ids if rule.startswith("tcpa")]


# --- location: the strictest zone wins, an unknown one fails closed -----------------------------

TWO_ZONES = (
    Address("home", "US", "NY", "Albany"),
    Address("work", "US", "CA", "Los Angeles", place=Place.WORK),
)


def test_a_late_reply_must_be_convenient_in_every_zone_the_debtor_may_be_in():
    history = [debtor_wrote(local(9, 0))]
    # 21:30 in New York is 18:30 in Los Angeles: lawful in one zone only.
    evening = decide(profile(addresses=TWO_ZONES), history, chat(local(21, 30)))
    assert not evening.allowed
    assert CONFLICT in evening.blocking_rule_ids  # (and California's own hours rule)
    # 10:30 in New York is 07:30 in Los Angeles.
    morning = decide(profile(addresses=TWO_ZONES), history, chat(local(10, 30)))
    assert CONFLICT in morning.blocking_rule_ids
    assert morning.earliest_lawful_at == local(8, 0, LOS_ANGELES)
    assert decide(profile(addresses=TWO_ZONES), history, chat(local(11, 0))).allowed


def test_a_prompt_reply_is_allowed_in_both_zones_at_night():
    decision = decide(
        profile(addresses=TWO_ZONES), [debtor_wrote(local(23, 50))], chat(local(23, 55))
    )
    assert decision.allowed, decision.blocking
    assert PROMPT in warnings(decision)


def test_an_unknown_location_refuses_even_a_prompt_reply():
    nowhere = profile(addresses=())
    decision = decide(nowhere, [debtor_wrote(local(11, 0))], chat(local(11, 1)))
    assert decision.blocking_rule_ids == ("solvent.location.unknown",)
    bad_zone = profile(addresses=(), time_zones=("Mars/Olympus_Mons",))
    assert decide(bad_zone, [debtor_wrote(local(11, 0))], chat(local(11, 1))).blocking_rule_ids == (
        "solvent.location.unknown",
    )


# --- other jurisdictions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "zone"),
    [
        (Address("home", "GB", None, "Leeds"), LONDON),
        (Address("home", "CA", "ON", "Toronto"), TORONTO),
        (Address("home", "AU", "NSW", "Sydney"), SYDNEY),
        (Address("home", "US", "MA", "Boston"), NEW_YORK),
    ],
)
def test_every_pack_answers_chat_the_same_way(address: Address, zone: ZoneInfo):
    where = profile(addresses=(address,))
    wrote = local(22, 25, zone)
    assert decide(where, [debtor_wrote(wrote)], chat(local(22, 30, zone))).allowed
    answered = [debtor_wrote(wrote), agent_wrote(local(22, 30, zone))]
    assert ONE_REPLY in decide(where, answered, chat(local(22, 31, zone))).blocking_rule_ids
    collect = decide(where, [debtor_wrote(wrote)], chat(local(12, 0, zone), Purpose.COLLECT))
    assert REPLY_ONLY in collect.blocking_rule_ids
    ceased = profile(addresses=(address,), holds=(Hold(HoldKind.CEASE, RECEIVED),))
    assert (
        AFTER_CEASE
        in decide(ceased, [debtor_wrote(wrote)], chat(local(22, 30, zone))).blocking_rule_ids
    )
    late = decide(where, [debtor_wrote(local(5, 0, zone))], chat(local(23, 0, zone)))
    assert not late.allowed  # a late reply at 23:00 is outside every pack's hours


def test_a_province_without_a_pack_refuses_chat_too():
    alberta = profile(addresses=(Address("home", "CA", "AB", "Calgary"),))
    edmonton = ZoneInfo("America/Edmonton")
    decision = decide(alberta, [debtor_wrote(local(11, 0, edmonton))], chat(local(11, 1, edmonton)))
    assert decision.blocking_rule_ids == ("solvent.jurisdiction.not_covered",)


# --- invariants ---------------------------------------------------------------------------------

moments = st.integers(min_value=0, max_value=48 * 60).map(
    lambda minutes: local(0, 0, day=14) + timedelta(minutes=minutes)
)


@settings(max_examples=150, deadline=None)
@given(
    events=st.lists(
        st.tuples(moments, st.booleans(), st.sampled_from((CHAT, "chat:8"))), max_size=6
    ),
    at=moments,
    purpose=st.sampled_from(tuple(Purpose)),
)
def test_a_chat_message_is_allowed_only_as_the_one_reply_to_an_unanswered_message(
    events: list[tuple[datetime, bool, str]], at: datetime, purpose: Purpose
):
    history = sorted(
        [debtor_wrote(m, p) if inbound else agent_wrote(m, p) for m, inbound, p in events],
        key=lambda event: event.at,
    )
    decision = decide(profile(), history, chat(at, purpose))
    if not decision.allowed:
        return
    assert purpose is REPLY
    mine = [event for event in history if event.contact_point_id == CHAT]
    latest = max(
        event.at for event in mine if event.direction is Direction.INBOUND and event.at <= at
    )
    assert not any(e.direction is Direction.OUTBOUND and e.at >= latest for e in mine)
    local_time = at.astimezone(NEW_YORK)
    if not 8 <= local_time.hour < 21:
        assert at - latest <= timedelta(minutes=30)
        assert PROMPT in warnings(decision)


# --- through the gate, with the ledger ----------------------------------------------------------


def _debtor_writes(ohio: OhioDebtor, conversation: int, at: datetime) -> None:
    interaction_record(
        debtor_id=ohio.debtor.pk,
        channel="chat",
        direction="inbound",
        contact_point=f"chat:{conversation}",
        disposition="message_received",
        account_ids=[ohio.card.pk],
        occurred_at=at,
    )


def _agent_replies(
    ohio: OhioDebtor, conversation: int, at: datetime, purpose: str = "response_to_consumer"
) -> services.Authorization:
    return services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="chat",
        contact_point=f"chat:{conversation}",
        account_ids=[ohio.card.pk],
        at=at,
        purpose=purpose,
    )


def _rule_ids(reasons: tuple[tuple[str, str, str], ...]) -> set[str]:
    return {rule_id for rule_id, _, _ in reasons}


@pytest.fixture
def ohio(db: None) -> OhioDebtor:
    return ohio_debtor_create()


# Tuesday 9 June 2026 in Columbus (EDT).
def columbus(hour: int, minute: int) -> datetime:
    return datetime(2026, 6, 9, hour, minute, tzinfo=NEW_YORK)


def test_gate_answers_a_night_reply_once_per_debtor_message(ohio: OhioDebtor):
    _debtor_writes(ohio, 5, columbus(22, 25))
    first = _agent_replies(ohio, 5, columbus(22, 30))
    assert first.allowed and first.attempt_id is not None
    assert PROMPT in _rule_ids(first.warnings)
    reserved = ContactAttempt.objects.get(pk=first.attempt_id)
    assert (reserved.channel, reserved.contact_point, reserved.direction) == (
        "chat",
        "chat:5",
        "outbound",
    )
    second = _agent_replies(ohio, 5, columbus(22, 31))
    assert not second.allowed and second.attempt_id is None
    assert ONE_REPLY in _rule_ids(second.blocking)
    assert second.earliest_lawful_at is None
    log = DecisionLog.objects.get(pk=second.decision_log_id)
    assert (log.channel, log.purpose, log.allowed) == ("chat", "response_to_consumer", False)
    _debtor_writes(ohio, 5, columbus(22, 33))
    assert _agent_replies(ohio, 5, columbus(22, 34)).allowed


def test_gate_refuses_collect_by_chat_with_its_rule(ohio: OhioDebtor):
    _debtor_writes(ohio, 5, columbus(12, 0))
    answer = _agent_replies(ohio, 5, columbus(12, 1), purpose="collection")
    assert not answer.allowed
    assert REPLY_ONLY in _rule_ids(answer.blocking)


def test_gate_refuses_a_conversation_of_another_debtor(ohio: OhioDebtor):
    other = ohio_debtor_create("2")
    _debtor_writes(other, 9, columbus(12, 0))
    answer = _agent_replies(ohio, 9, columbus(12, 1))
    assert not answer.allowed
    assert _rule_ids(answer.blocking) == {NO_CONVERSATION}


def test_gate_a_cancelled_reply_leaves_the_message_unanswered(ohio: OhioDebtor):
    _debtor_writes(ohio, 5, columbus(12, 0))
    first = _agent_replies(ohio, 5, columbus(12, 1))
    assert first.attempt_id is not None
    services.contact_attempt_cancel(attempt_id=first.attempt_id, reason="message not saved")
    assert _agent_replies(ohio, 5, columbus(12, 2)).allowed


@pytest.mark.parametrize(
    ("channel", "point"),
    [("chat", "chat:x"), ("chat", "chat:0"), ("chat", "+16142250123"), ("sms", "chat:5")],
)
def test_gate_refuses_a_malformed_chat_point_by_field(ohio: OhioDebtor, channel: str, point: str):
    with pytest.raises(ValidationError, match="contact_point") as error:
        services.contact_attempt_authorize(
            debtor_id=ohio.debtor.pk,
            channel=channel,
            contact_point=point,
            account_ids=[ohio.card.pk],
            at=columbus(12, 0),
            purpose="response_to_consumer",
        )
    assert error.value.code == "invalid_contact_point"


def test_an_inbound_chat_is_recorded_only_at_a_chat_point(ohio: OhioDebtor):
    with pytest.raises(ValidationError, match="chat:<conversation id>"):
        services.contact_inbound_record(
            debtor_id=ohio.debtor.pk,
            channel="chat",
            contact_point="pat.doe@example.com",
            account_ids=[ohio.card.pk],
            outcome="right_party_conversation",
            at=columbus(12, 0),
        )


def test_gate_chat_after_a_cease_hold_is_refused(ohio: OhioDebtor):
    services.hold_place(
        debtor_id=ohio.debtor.pk,
        kind="cease",
        source="letter",
        account_ids=[],
        at=columbus(9, 0),
    )
    _debtor_writes(ohio, 5, columbus(12, 0))
    answer = _agent_replies(ohio, 5, columbus(12, 1))
    assert {"regf.cease_communication", AFTER_CEASE} <= _rule_ids(answer.blocking)
