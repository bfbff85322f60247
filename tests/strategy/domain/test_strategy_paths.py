"""Treatment paths: parsing, the defaults, what is due when, pauses, rules, and moving on."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.strategy.domain import defaults
from solvent.strategy.domain.paths import (
    Action,
    PathError,
    PathSpec,
    Position,
    Step,
    due_step,
    path_parse,
    path_to_json,
    position_after,
    position_queued,
    position_start,
)
from solvent.strategy.domain.segments import segment_from_json

PROPERTIES = settings(derandomize=True, deadline=None, max_examples=100)
DAY = date(2026, 3, 2)
QUIET: dict[str, object] = {
    "on_hold": False,
    "open_dispute": False,
    "active_promise": False,
    "active_plan": False,
    "hardship": False,
    "attempts_since_rpc": 0,
    "days_past_due": 10,
}


def facts(**changes: object) -> dict[str, object]:
    return {**QUIET, **changes}


def run(path: PathSpec, days: int, facts_by_day: Any = None) -> list[tuple[int, str, str]]:
    """Walk a path day by day doing every due step: (day, reason code, step key)."""
    position: Position | None = None
    walked = []
    for offset in range(days):
        today = DAY + timedelta(days=offset)
        account = facts_by_day(offset) if facts_by_day else QUIET
        due = due_step(path, position, account, today)
        walked.append((offset, due.reason_code, due.step.key if due.step else ""))
        if due.step is not None:
            position = position_after(path, position, due.step, today)
    return walked


def done_on(walked: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    return [(day, key) for day, _, key in walked if key]


# --- the defaults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [*defaults.DEFAULT_PATHS, defaults.BASELINE], ids=lambda r: r["key"]
)
def test_every_default_path_parses_and_round_trips_through_json(raw):
    path = path_parse(raw)

    assert path_parse(path_to_json(path)) == path
    assert path.objective in ("recovery", "retention", "complaint_rate")


def test_every_default_segment_parses_and_names_a_default_path():
    path_keys = {raw["key"] for raw in defaults.DEFAULT_PATHS}
    for raw in defaults.DEFAULT_SEGMENTS:
        segment_from_json(raw)
        assert raw["path"] in path_keys


def test_the_early_path_texts_on_day_0_e_mails_on_day_3_and_calls_from_day_7():
    walked = run(path_parse(defaults.EARLY), 41)

    assert done_on(walked) == [
        (0, "sms_selfservice"),
        (3, "email_reminder"),
        (7, "call_1"),
        (10, "call_1"),
        (13, "call_1"),
        (16, "call_1"),
        (19, "letter"),
        # Then a call a week, for a year: the account is never left without a next step.
        (26, "call_weekly"),
        (33, "call_weekly"),
        (40, "call_weekly"),
    ]
    assert walked[20][1] == "waiting"
    assert walked[1] == (1, "waiting", "")


def test_three_attempts_without_a_right_party_contact_jump_to_the_letter_once():
    early = path_parse(defaults.EARLY)

    walked = run(early, 12, lambda day: facts(attempts_since_rpc=3 if day >= 8 else day // 3))

    assert done_on(walked)[:4] == [
        (0, "sms_selfservice"),
        (3, "email_reminder"),
        (7, "call_1"),
        (8, "letter"),
    ]
    assert (8, "letter") in done_on(walked)
    assert [key for _, key in done_on(walked)].count("letter") == 1


def test_sixty_days_past_due_jumps_the_middle_path_to_the_settlement_offer():
    middle = path_parse(defaults.MIDDLE)

    walked = run(middle, 20, lambda day: facts(days_past_due=55 + day))

    assert done_on(walked)[:4] == [
        (0, "call_1"),
        (2, "call_1"),
        (4, "call_1"),
        (5, "settlement_offer"),
    ]
    assert [key for _, key in done_on(walked)].count("settlement_offer") == 1


def test_a_late_account_over_120_days_is_queued_for_legal_review_and_its_path_continues():
    late = path_parse(defaults.LATE)
    account = facts(days_past_due=130, balance_minor=300_000)
    # A small balance is not worth a suit: no legal review, the path goes on.
    small = due_step(late, None, facts(days_past_due=130, balance_minor=249_999), DAY)
    assert (small.reason_code, small.queue) == ("due", "")

    due = due_step(late, None, account, DAY)

    assert (due.reason_code, due.queue, due.step and due.step.key) == (
        "queued",
        "legal_review",
        "letter",
    )
    queued = position_queued(position_start(DAY), "legal_review")
    assert due_step(late, queued, account, DAY).reason_code == "due"


def test_hardship_pauses_every_stage_path_and_refers_to_free_debt_advice():
    for raw in (defaults.EARLY, defaults.MIDDLE, defaults.LATE, defaults.HARDSHIP):
        due = due_step(path_parse(raw), None, facts(hardship=True), DAY)

        assert (due.step, due.reason_code, due.queue) == (None, "rule_pause", "hardship")
        assert "free debt advice" in due.detail


def test_the_hardship_path_pauses_whatever_the_facts():
    assert due_step(path_parse(defaults.HARDSHIP), None, QUIET, DAY).reason_code == "rule_pause"


def test_the_baseline_calls_every_day():
    walked = run(path_parse(defaults.BASELINE), 10)

    assert done_on(walked) == [(day, "call_daily") for day in range(10)]


# --- built-in pauses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        ({"on_hold": True, "open_dispute": True, "active_promise": True}, "on_hold"),
        ({"open_dispute": True, "active_promise": True, "active_plan": True}, "dispute_open"),
        ({"active_promise": True, "active_plan": True, "hardship": True}, "promise_active"),
        ({"active_plan": True, "hardship": True}, "plan_active"),
    ],
)
def test_built_in_pauses_come_first_in_their_order(flags, code):
    due = due_step(path_parse(defaults.EARLY), None, facts(**flags), DAY)

    assert (due.step, due.reason_code) == (None, code)


def test_a_hold_names_its_kind():
    due = due_step(path_parse(defaults.EARLY), None, facts(on_hold=True, hold_kind="cease"), DAY)

    assert due.detail == "on hold (cease)"


def test_a_pause_stops_the_clock_only_while_it_lasts():
    early = path_parse(defaults.EARLY)

    walked = run(early, 6, lambda day: facts(active_promise=1 <= day <= 4))

    assert [code for _, code, _ in walked] == ["due", *["promise_active"] * 4, "due"]


# --- parse errors --------------------------------------------------------------------------------


def path_with(step_changes: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(defaults.EARLY)
    if step_changes:
        raw["steps"][2].update(step_changes)
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (path_with({"wait_days": -1}), "step 3 (call_1): wait_days must be >= 0"),
        (path_with({"wait_days": "4"}), "step 3 (call_1): wait_days must be a whole number"),
        (path_with({"repeat_every_days": 0}), "step 3 (call_1): repeat_every_days must be >= 1"),
        (
            path_with({"repeat_every_days": None}),
            "step 3 (call_1): max_repeats needs repeat_every_days",
        ),
        (path_with({"action": "fax"}), "step 3 (call_1): unknown action 'fax'"),
        (path_with({"action": "sms"}), "step 3 (call_1): a template is required for sms"),
        (path_with({"action": "queue"}), "step 3 (call_1): a queue is required for a queue step"),
        (path_with({"key": "email_reminder"}), "step 3 (email_reminder): duplicate step key"),
        (path_with({"key": "Call One"}), "step 3 (Call One): key must be"),
        (path_with(objective="profit"), "unknown objective 'profit'"),
        (
            path_with(rules=[{"when": [], "then": "jump", "target": "nowhere"}]),
            "rule 1: unknown jump target 'nowhere'",
        ),
        (path_with(rules=[{"when": [], "then": "queue"}]), "rule 1: a queue rule needs a target"),
        (path_with(rules=[{"when": [], "then": "stop"}]), "rule 1: unknown kind 'stop'"),
        (path_with(rules=[{"when": "hardship", "then": "pause"}]), "rule 1: when must be a list"),
        (path_with(rules=["pause"]), "rule 1: not a rule"),
        (path_with(steps="sms"), "path steps must be a list"),
        (path_with(steps=["sms"]), "step 1: not a step"),
        (
            path_with(
                rules=[{"when": [{"field": "balance", "op": "ge", "value": "x"}], "then": "pause"}]
            ),
            "rule 1: condition 1 (balance): 'x' is not a number",
        ),
    ],
)
def test_path_parse_errors_name_the_step_or_rule(raw, message):
    with pytest.raises(PathError) as caught:
        path_parse(raw)

    assert message in str(caught.value)


def test_the_error_carries_the_step_key():
    with pytest.raises(PathError) as caught:
        path_parse(path_with({"wait_days": -2}))

    assert caught.value.step == "call_1"


# --- properties ----------------------------------------------------------------------------------

KEYS = ("a", "b", "c", "d")


@st.composite
def paths(draw: st.DrawFn) -> PathSpec:
    count = draw(st.integers(min_value=1, max_value=4))
    steps = []
    for key in KEYS[:count]:
        repeat = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=3)))
        steps.append(
            Step(
                key,
                Action.CALL,
                wait_days=draw(st.integers(min_value=0, max_value=3)),
                repeat_every_days=repeat,
                max_repeats=draw(st.integers(min_value=0, max_value=3)) if repeat else 0,
            )
        )
    raw: dict[str, Any] = {
        "key": "p",
        "name": "P",
        "objective": "recovery",
        "steps": [],
        "rules": [],
    }
    raw["steps"] = [
        {
            "key": s.key,
            "action": "call",
            "wait_days": s.wait_days,
            "repeat_every_days": s.repeat_every_days,
            "max_repeats": s.max_repeats,
        }
        for s in steps
    ]
    if draw(st.booleans()):
        threshold = draw(st.integers(min_value=0, max_value=6))
        target = draw(st.sampled_from(KEYS[:count]))
        raw["rules"] = [
            {
                "when": [{"field": "attempts_since_rpc", "op": "ge", "value": threshold}],
                "then": "jump",
                "target": target,
            }
        ]
    return path_parse(raw)


@PROPERTIES
@given(
    path=paths(), attempts=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=20)
)
def test_doing_the_due_step_twice_the_same_day_changes_nothing_and_it_is_not_due_again(
    path, attempts
):
    position: Position | None = None
    for offset, attempts_since_rpc in enumerate(attempts):
        today = DAY + timedelta(days=offset)
        account = facts(attempts_since_rpc=attempts_since_rpc)
        due = due_step(path, position, account, today)
        assert due == due_step(path, position, account, today)
        if due.step is None:
            assert due.reason_code in ("waiting", "finished")
            assert due.reason_code != "waiting" or (due.next_due_on and due.next_due_on > today)
            continue
        once = position_after(path, position, due.step, today)
        assert position_after(path, once, due.step, today) == once
        again = due_step(path, once, account, today)
        assert again.step is None or again.step.key != due.step.key
        position = once


@PROPERTIES
@given(path=paths(), days=st.integers(min_value=1, max_value=40))
def test_a_step_is_done_at_most_one_plus_max_repeats_times(path, days):
    walked = run(path, days)

    for step in path.steps:
        assert sum(1 for _, _, key in walked if key == step.key) <= 1 + step.max_repeats
