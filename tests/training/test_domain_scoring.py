"""The scorecard answers read from a practice transcript, scored with the floor's scorecard."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.quality.domain.scorecard import scorecard_score
from solvent.training.domain.actions import ACTIONS
from solvent.training.domain.practice import practice_act
from solvent.training.domain.scenarios import SCENARIOS
from solvent.training.domain.scoring import practice_answers
from tests.training.world import GOOD_CALL, play, world_of


def _score(scenario: str, *steps):  # type: ignore[no-untyped-def]
    world, lines, _ = play(world_of(scenario), *steps)
    scored = practice_answers(lines, ended_on_call=world.call is not None)
    return scored, scorecard_score(scored.answers)


def test_a_good_call_scores_100_and_passes() -> None:
    scored, result = _score("willing_payer", *GOOD_CALL)
    assert result.score == 100.0 and result.passed
    assert scored.answers["affordability_considered"] == "n/a"


def test_debt_talk_before_verifying_fails_the_critical_item() -> None:
    scored, result = _score(
        "third_party",
        "dial",
        "discuss_debt_unverified",
        ("discuss_debt_unverified", {"confirm": True}),
        ("end_call", {"disposition": "third_party"}),
    )
    assert scored.answers["right_party_verified"] == "no"
    assert "right_party_verified" in result.critical_failures and not result.passed


def test_the_balance_before_the_disclosure_fails_the_disclosure() -> None:
    scored, result = _score(
        "willing_payer",
        "dial",
        "verify_identity",
        "state_balance",
        ("state_balance", {"confirm": True}),
        "give_disclosure",
        "take_promise",
        ("end_call", {"disposition": "promise_to_pay"}),
    )
    assert scored.answers["disclosure_given"] == "no"
    assert scored.answers["right_party_verified"] == "yes"
    assert not result.passed


def test_a_threat_fails_the_call() -> None:
    scored, result = _score(
        "willing_payer",
        "dial",
        "verify_identity",
        "give_disclosure",
        "threaten_legal",
        ("threaten_legal", {"confirm": True}),
        ("end_call", {"disposition": "right_party_contact"}),
    )
    assert scored.answers["no_threats"] == "no" and scored.answers["professional_tone"] == "no"
    assert "no_threats" in result.critical_failures


def test_a_hardship_plan_without_income_and_expenditure_is_not_affordable_and_with_it_is() -> None:
    opening = ("dial", "verify_identity", "give_disclosure", "state_balance")
    skipped, _ = _score(
        "hardship",
        *opening,
        ("offer_plan", {"amount": "20"}),
        ("offer_plan", {"amount": "20", "confirm": True}),
        "take_promise",
        ("take_promise", {"confirm": True}),
        ("end_call", {"disposition": "promise_to_pay"}),
    )
    assert skipped.answers["affordability_considered"] == "no"
    assessed, result = _score(
        "hardship",
        *opening,
        "ask_income_expenditure",
        ("offer_plan", {"amount": "20"}),
        "take_promise",
        ("end_call", {"disposition": "promise_to_pay"}),
    )
    assert assessed.answers["affordability_considered"] == "yes"
    assert result.passed


def test_a_wrong_outcome_or_an_open_call_is_not_recorded_correctly() -> None:
    wrong, _ = _score("willing_payer", "dial", ("end_call", {"disposition": "no_answer"}))
    assert wrong.answers["outcome_recorded"] == "no"
    assert "it was" in wrong.reasons["outcome_recorded"]
    open_call, _ = _score("willing_payer", "dial")
    assert open_call.answers["outcome_recorded"] == "no"


def test_an_unrecorded_dispute_and_collecting_it_are_marked() -> None:
    scored, _ = _score(
        "dispute",
        "dial",
        "verify_identity",
        "give_disclosure",
        "state_balance",
        ("offer_plan", {"amount": "10"}),
        ("offer_plan", {"amount": "10", "confirm": True}),
        ("end_call", {"disposition": "dispute"}),
        ("end_call", {"disposition": "dispute", "confirm": True}),
    )
    assert scored.answers["outcome_recorded"] == "no"
    assert scored.answers["professional_tone"] == "no"
    recorded, result = _score(
        "dispute",
        "dial",
        "verify_identity",
        "give_disclosure",
        "state_balance",
        "record_dispute",
        ("end_call", {"disposition": "dispute"}),
    )
    assert recorded.answers["outcome_recorded"] == "yes" and result.passed


def test_no_call_at_all_is_scored_without_the_conversation_items() -> None:
    scored, result = _score("eighth_call", "dial")
    assert scored.answers["disclosure_given"] == "n/a"
    assert scored.answers["affordability_considered"] == "n/a"
    assert result.passed


@settings(max_examples=60, deadline=None)
@given(
    scenario=st.sampled_from([scenario.key for scenario in SCENARIOS]),
    seed=st.integers(0, 999_999),
    steps=st.lists(
        st.tuples(
            st.sampled_from([action.key for action in ACTIONS]),
            st.sampled_from(["", "20", "400"]),
            st.sampled_from(["", "promise_to_pay", "no_answer", "dispute", "third_party"]),
            st.booleans(),
        ),
        max_size=30,
    ),
)
def test_any_session_gives_answers_the_scorecard_accepts(scenario, seed, steps) -> None:  # type: ignore[no-untyped-def]
    world = world_of(scenario, seed)
    lines = []
    for action, amount, disposition, confirm in steps:
        turn = practice_act(world, action, amount=amount, disposition=disposition, confirm=confirm)
        lines += turn.lines
        world = turn.world
    scored = practice_answers(lines, ended_on_call=world.call is not None)
    result = scorecard_score(scored.answers)  # raises ScorecardError on a bad answer
    assert set(scored.reasons) == set(scored.answers)
    assert 0.0 <= result.score <= 100.0
    # A threat performed always fails the call.
    if any(line.speaker == "trainee" and line.action == "threaten_legal" for line in lines):
        assert not result.passed
