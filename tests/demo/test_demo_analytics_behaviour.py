"""The demo history's ground truth (``demo.analytics_behaviour``) and its cohort dates: pure, so
the structure the models should find is tested without a database."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from solvent.demo.analytics_behaviour import (
    AccountSignal,
    Persona,
    attempts_per_month,
    call_hour_weight,
    call_outcome_draw,
    call_rpc_probability,
    keep_probability,
    message_reply_probability,
    persona_for,
    promise_probability,
    spontaneous_payment_probability,
    stage_of,
)
from solvent.demo.analytics_cohorts import cohort_day, eligible_months, month_start

personas = st.sampled_from(list(Persona))
signals = st.builds(
    AccountSignal,
    balance=st.decimals(min_value=1, max_value=100_000, places=2),
    stage=st.sampled_from(["early", "middle", "late"]),
    product=st.sampled_from(["credit_card", "medical", "telecom", "student_loan", "other"]),
    broken_promises=st.integers(0, 5),
    rpc_recently=st.booleans(),
    months_since_placement=st.integers(0, 12),
)


def test_a_debtor_of_64_or_more_is_retired_and_an_unknown_age_is_working() -> None:
    on = date(2026, 12, 3)
    assert persona_for(birth=date(1962, 12, 3), on=on) is Persona.RETIRED
    assert persona_for(birth=date(1962, 12, 4), on=on) is Persona.WORKING
    assert persona_for(birth=None, on=on) is Persona.WORKING


def test_working_age_people_answer_evenings_and_saturdays_retirees_mornings() -> None:
    tuesday, saturday = 1, 5
    working, retired = Persona.WORKING, Persona.RETIRED
    assert call_hour_weight(working, tuesday, 18) > 4 * call_hour_weight(working, tuesday, 10)
    assert call_hour_weight(working, saturday, 11) > call_hour_weight(working, tuesday, 10)
    assert call_hour_weight(retired, tuesday, 10) > 4 * call_hour_weight(retired, tuesday, 18)
    # Texts are read at lunch by people at work.
    lunch = message_reply_probability(persona=working, channel="sms", weekday=tuesday, hour=12)
    morning = message_reply_probability(persona=working, channel="sms", weekday=tuesday, hour=9)
    assert lunch > 3 * morning


@given(
    persona=personas,
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    stage=st.sampled_from(["early", "middle", "late"]),
    reach=st.floats(0.05, 5),
)
def test_every_probability_is_a_probability(persona, weekday, hour, stage, reach) -> None:
    p = call_rpc_probability(
        persona=persona, weekday=weekday, hour=hour, stage=stage, reachability=reach
    )
    assert 0 < p <= 0.7
    for channel in ("sms", "email"):
        reply = message_reply_probability(
            persona=persona, channel=channel, weekday=weekday, hour=hour
        )
        assert 0 < reply < 1


@given(signal=signals)
def test_money_probabilities_are_probabilities(signal: AccountSignal) -> None:
    for p in (
        promise_probability(signal),
        keep_probability(signal),
        spontaneous_payment_probability(signal),
    ):
        assert 0 < p < 1


@given(signal=signals)
def test_a_smaller_balance_and_no_broken_promise_pay_at_least_as_often(
    signal: AccountSignal,
) -> None:
    """The signal the propensity model should find: monotone in balance and in broken promises."""
    smaller = AccountSignal(**{**_fields(signal), "balance": Decimal("100")})
    kept_before = AccountSignal(**{**_fields(signal), "broken_promises": 0})
    assert keep_probability(smaller) >= keep_probability(signal)
    assert spontaneous_payment_probability(smaller) >= spontaneous_payment_probability(signal)
    assert keep_probability(kept_before) >= keep_probability(signal)


def _fields(signal: AccountSignal) -> dict[str, object]:
    return {name: getattr(signal, name) for name in AccountSignal.__slots__}


def test_a_fresh_placement_is_worked_hardest() -> None:
    first, later = attempts_per_month(0), attempts_per_month(8)
    assert all(a > b for a, b in zip(first, later, strict=True))


def test_stages_follow_the_strategy_segments() -> None:
    assert [stage_of(d) for d in (0, 90, 91, 180, 181)] == [
        "early",
        "early",
        "middle",
        "middle",
        "late",
    ]


def test_call_outcomes_come_in_their_proportions() -> None:
    rng = random.Random(7)
    draws = [call_outcome_draw(rng, 0.12) for _ in range(20_000)]
    share = draws.count("right_party_contact") / len(draws)
    assert 0.11 < share < 0.13
    assert {"no_answer", "busy", "answering_machine", "voicemail_left", "third_party"} <= set(draws)


def test_a_cohort_is_placed_on_a_business_day_early_in_its_month_never_after_today() -> None:
    today = date(2026, 12, 3)
    rng = random.Random(1)
    for back in range(12):
        day = cohort_day(today, back, rng)
        assert (day <= today and day.weekday() < 5) or day == today
        assert day.replace(day=1) == month_start(today, back)
    assert month_start(today, 11) == date(2026, 1, 1)
    assert month_start(date(2026, 1, 15), 1) == date(2025, 12, 1)


def test_debt_goes_only_to_months_in_which_it_was_already_30_days_past_due() -> None:
    today = date(2026, 12, 3)
    assert eligible_months(date(2026, 11, 20), today, 12) == 1  # placed this month only
    assert eligible_months(date(2026, 10, 1), today, 12) == 2  # November or December
    assert eligible_months(date(2020, 1, 1), today, 12) == 12
    assert eligible_months(None, today, 12) == 1
