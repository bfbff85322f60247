"""The live coaching: the real compliance engine on the simulated world, and the conversation rules.

Each boundary is tested on both sides: the 8th call in 7 days is refused and the 7th is not; a dial
before 08:00 local is refused and one at 08:00 is not (and 20:59 / 21:00 likewise); the debt is not
discussed before the right party is verified; the mini-Miranda before the balance; affordability
before a plan for a debtor in difficulty.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from solvent.training.domain.coaching import (
    AFFORDABILITY_FIRST,
    DISCLOSURE_FIRST,
    DISPUTE_STOPS,
    LIMITED_CONTENT,
    NO_THREATS,
    VERIFY_FIRST,
    call_decision,
    compliance_coaching,
)
from solvent.training.domain.practice import practice_act
from solvent.training.domain.state import CallState, LedgerEntry
from tests.training.world import at_local, play, with_prior_calls, world_of

SEVEN_IN_SEVEN = "regf.call_frequency.7in7"
HOURS = "regf.inconvenient_time.8am_9pm_local"


def _blocking(world) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.rule_id for item in compliance_coaching(world) if item.severity == "block"]


def test_the_8th_call_in_7_days_is_refused_and_the_7th_is_not() -> None:
    world = at_local(world_of("willing_payer"), 10)
    assert SEVEN_IN_SEVEN not in _blocking(with_prior_calls(world, 6))
    assert call_decision(with_prior_calls(world, 6)).allowed
    eighth = with_prior_calls(world, 7)
    assert _blocking(eighth) == [SEVEN_IN_SEVEN]
    coaching = compliance_coaching(eighth)[0]
    assert coaching.message.startswith("This would be call 8 in 7 days about this debt.")
    assert "12 CFR 1006.14(b)(2)" in coaching.citation


def test_the_eighth_call_scenario_refuses_the_first_dial_and_says_when_it_may_happen() -> None:
    world = world_of("eighth_call")
    turn = practice_act(world, "dial")
    assert not turn.performed
    assert turn.world.call is None and turn.world.calls_made == 0
    assert len(turn.world.ledger) == len(world.ledger)  # nothing dialled, nothing counted
    (coach,) = [line for line in turn.lines if line.speaker == "coach"]
    assert coach.rule_id == SEVEN_IN_SEVEN and "Next lawful time" in coach.text
    waited = practice_act(turn.world, "wait_until_lawful").world
    assert waited.clock > world.clock
    assert practice_act(waited, "dial").performed


def test_a_dial_before_8_local_is_refused_and_at_8_it_is_not() -> None:
    world = world_of("willing_payer")
    assert _blocking(at_local(world, 7, 59)) == [HOURS]
    assert _blocking(at_local(world, 8, 0)) == []


def test_a_dial_at_21_local_is_refused_and_at_20_59_it_is_not() -> None:
    world = world_of("late_evening")
    assert _blocking(at_local(world, 20, 59)) == []
    assert _blocking(at_local(world, 21, 0)) == [HOURS]
    turn = practice_act(world, "dial")  # the scenario starts at 21:05
    assert not turn.performed
    assert "calls are lawful from 08:00 to 21:00 their time" in turn.lines[0].text


def test_after_a_conversation_the_next_call_waits_7_days() -> None:
    world, _, _ = play(
        world_of("willing_payer"),
        "dial",
        "verify_identity",
        ("end_call", {"disposition": "right_party_contact"}),
    )
    turn = practice_act(world, "dial")
    assert not turn.performed
    assert turn.coaching[0].rule_id == "regf.call_frequency.post_conversation_7d"


def test_a_redial_minutes_after_an_unanswered_call_is_a_warning_the_trainee_may_override() -> None:
    world = at_local(world_of("willing_payer"), 10)
    redial = replace(
        world,
        calls_made=1,
        ledger=(LedgerEntry(at=world.clock - timedelta(minutes=3), outcome="no_answer"),),
    )
    warned = practice_act(redial, "dial")
    assert [item.rule_id for item in warned.coaching] == ["regf.call_frequency.rapid_succession"]
    assert warned.coaching[0].severity == "warn" and not warned.performed
    assert practice_act(warned.world, "dial", confirm=True).performed
    later = replace(
        redial, ledger=(LedgerEntry(at=world.clock - timedelta(hours=5), outcome="no_answer"),)
    )
    assert practice_act(later, "dial").coaching == ()


def test_talking_about_the_debt_before_verifying_is_coached() -> None:
    world, _, _ = play(world_of("willing_payer"), "dial")
    for action in ("give_disclosure", "state_balance", "discuss_debt_unverified"):
        turn = practice_act(world, action)
        assert VERIFY_FIRST in turn.coaching, action
        assert not turn.performed and turn.world.pending is not None
    verified, _, _ = play(world, "verify_identity")
    assert VERIFY_FIRST not in practice_act(verified, "give_disclosure").coaching


def test_the_balance_before_the_mini_miranda_is_coached_and_after_it_is_not() -> None:
    world, _, _ = play(world_of("willing_payer"), "dial", "verify_identity")
    assert practice_act(world, "state_balance").coaching == (DISCLOSURE_FIRST,)
    disclosed, _, _ = play(world, "give_disclosure")
    turn = practice_act(disclosed, "state_balance")
    assert turn.coaching == () and turn.performed


def test_a_plan_for_a_hardship_debtor_before_income_and_expenditure_is_coached() -> None:
    world, _, _ = play(
        world_of("hardship"), "dial", "verify_identity", "give_disclosure", "state_balance"
    )
    assert world.traits.hardship
    assert AFFORDABILITY_FIRST in practice_act(world, "offer_plan", amount="20").coaching
    assessed, _, _ = play(world, "ask_income_expenditure")
    assert AFFORDABILITY_FIRST not in practice_act(assessed, "offer_plan", amount="20").coaching


def test_a_willing_payer_is_not_coached_on_affordability() -> None:
    world, _, _ = play(
        world_of("willing_payer"), "dial", "verify_identity", "give_disclosure", "state_balance"
    )
    assert practice_act(world, "take_promise").coaching == ()


def test_threats_a_disputed_debt_and_a_detailed_voicemail_are_coached() -> None:
    world, _, _ = play(
        world_of("dispute"), "dial", "verify_identity", "give_disclosure", "state_balance"
    )
    assert world.call is not None and world.call.disputed
    assert DISPUTE_STOPS in practice_act(world, "offer_plan", amount="10").coaching
    assert NO_THREATS in practice_act(world, "threaten_legal").coaching
    third, _, _ = play(world_of("third_party"), "dial")
    assert VERIFY_FIRST in practice_act(third, "state_balance").coaching


def test_a_coached_action_happens_only_when_confirmed_and_is_marked_against_the_coaching() -> None:
    world, _, _ = play(world_of("third_party"), "dial")
    warned = practice_act(world, "discuss_debt_unverified")
    assert not warned.performed
    done = practice_act(warned.world, "discuss_debt_unverified", confirm=True)
    assert done.performed and done.coaching == ()
    trainee = next(line for line in done.lines if line.speaker == "trainee")
    assert trainee.against == (VERIFY_FIRST.rule_id,)
    # A confirmation of another action than the one coached is coached afresh.
    again = practice_act(warned.world, "state_balance", confirm=True)
    assert not again.performed


def test_the_limited_content_voicemail_is_not_coached_and_the_detailed_one_is() -> None:
    world = world_of("willing_payer")
    on_voicemail = replace(world, call=CallState(number=1, answerer="voicemail"))
    assert practice_act(on_voicemail, "leave_voicemail").coaching == ()
    assert LIMITED_CONTENT in practice_act(on_voicemail, "detailed_voicemail").coaching


def test_nothing_is_said_to_a_ringing_phone_and_a_voicemail_only_to_a_voicemail() -> None:
    world = world_of("willing_payer")
    ringing = replace(world, call=CallState(number=1, answerer="no_answer"))
    turn = practice_act(ringing, "state_balance")
    assert not turn.performed and turn.lines[0].text.startswith("No one answered")
    assert [line.speaker for line in turn.lines] == ["system"]
    on_voicemail = replace(world, call=CallState(number=1, answerer="voicemail"))
    assert "leave a message" in practice_act(on_voicemail, "verify_identity").lines[0].text
    person = replace(world, call=CallState(number=1, answerer="debtor"))
    refused = practice_act(person, "detailed_voicemail")
    assert not refused.performed and refused.coaching == ()
    assert practice_act(ringing, "end_call", disposition="no_answer").performed
