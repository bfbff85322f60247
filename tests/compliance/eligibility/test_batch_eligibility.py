"""Batch eligibility on hand-made debtors: concrete windows, caps and blockers, each also checked
against ``decide()`` over the whole day (the canonical-profile shortcuts are the risky part)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from solvent.compliance.domain.model import (
    Address,
    Channel,
    Consent,
    ConsentKind,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Direction,
    HistoryEvent,
    Hold,
    HoldKind,
    Outcome,
)
from solvent.compliance.eligibility import evaluate
from solvent.compliance.eligibility.evaluate import _combination, _decoded
from solvent.compliance.eligibility.frames import batch_input
from solvent.compliance.eligibility.profiles import BatchOptions, ProfileRegistry, Target
from tests.compliance.eligibility.batch_support import assert_agrees_with_decide

DAY = date(2026, 11, 24)  # a Tuesday; New York is on EST (UTC-5)
DAY_START_NY = datetime(2026, 11, 24, 5, tzinfo=UTC)
MOBILE = ContactPoint("mobile", ContactPointKind.MOBILE, "+17165550100")


def _ny(**changes: object) -> DebtorProfile:
    base: dict[str, object] = {
        "addresses": (Address("home", "US", "NY", city="Buffalo"),),
        "contact_points": (MOBILE,),
        "debts": (Debt("d1"), Debt("d2")),
    }
    base.update(changes)
    return DebtorProfile(**base)  # type: ignore[arg-type]


def _call(days_ago: float, outcome: Outcome = Outcome.NO_ANSWER, debt: str = "d1") -> HistoryEvent:
    return HistoryEvent(
        DAY_START_NY - timedelta(days=days_ago),
        Channel.CALL,
        Direction.OUTBOUND,
        outcome,
        (debt,),
        "mobile",
    )


def _utc(hour: int, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_plain_debtor_may_be_called_from_8am_to_9pm_local() -> None:
    rows = assert_agrees_with_decide(
        {"a": _ny()}, {}, [Target("a", "d1", Channel.CALL, "mobile")], DAY
    )
    assert rows[0]["allowed_today"] is True
    assert rows[0]["windows"] == [{"start": _utc(13), "end": _utc(2, 25)}]
    assert rows[0]["caps"] == [
        {"rule_id": "regf.call_frequency.7in7", "limit": 7, "used": 0, "remaining": 7}
    ]


def test_seven_calls_about_a_debt_close_the_day_for_that_debt_only() -> None:
    history = {"a": tuple(_call(days_ago) for days_ago in (0.2, 1, 2, 3, 4, 5, 6))}
    targets = [Target("a", "d1", Channel.CALL, "mobile"), Target("a", "d2", Channel.CALL, "mobile")]
    first, second = assert_agrees_with_decide({"a": _ny()}, history, targets, DAY)
    assert first["allowed_today"] is False
    assert first["windows"] == []
    assert "regf.call_frequency.7in7" in first["blocking_rule_ids"]  # type: ignore[operator]
    assert first["caps"][0]["remaining"] == 0  # type: ignore[index]
    assert second["allowed_today"] is True


def test_a_conversation_six_days_ago_blocks_calls_but_seven_days_ago_does_not() -> None:
    recent = {"a": (_call(5.5, Outcome.RIGHT_PARTY_CONVERSATION),)}
    older = {"a": (_call(6.5, Outcome.RIGHT_PARTY_CONVERSATION),)}
    target = [Target("a", "d1", Channel.CALL, "mobile")]
    assert assert_agrees_with_decide({"a": _ny()}, recent, target, DAY)[0]["allowed_today"] is False
    assert assert_agrees_with_decide({"a": _ny()}, older, target, DAY)[0]["allowed_today"] is True
    sms = [Target("a", "d1", Channel.SMS, "mobile")]
    assert assert_agrees_with_decide({"a": _ny()}, recent, sms, DAY)[0]["allowed_today"] is True


def test_two_zones_narrow_the_window_to_the_hours_lawful_in_both() -> None:
    profile = _ny(time_zones=("America/Los_Angeles",))
    rows = assert_agrees_with_decide(
        {"a": profile}, {}, [Target("a", "d1", Channel.CALL, "mobile")], DAY
    )
    # 08:00 in Los Angeles is 16:00 UTC; 21:00 in New York is 02:00 UTC.
    assert rows[0]["windows"] == [{"start": _utc(16), "end": _utc(2, 25)}]


def test_a_cease_arriving_at_three_pm_ends_the_window_there() -> None:
    cease = Hold(HoldKind.CEASE, received_at=_utc(20))
    rows = assert_agrees_with_decide(
        {"a": _ny(holds=(cease,))}, {}, [Target("a", "d1", Channel.CALL, "mobile")], DAY
    )
    assert rows[0]["windows"] == [{"start": _utc(13), "end": _utc(20)}]
    assert "regf.cease_communication" in rows[0]["blocking_rule_ids"]  # type: ignore[operator]


def test_a_timely_dispute_blocks_and_a_late_one_only_warns() -> None:
    received = DAY_START_NY - timedelta(days=5)
    dispute = Hold(HoldKind.DISPUTE, received_at=received)
    timely = _ny(
        debts=(Debt("d1", validation_notice_sent_on=DAY - timedelta(days=20)),), holds=(dispute,)
    )
    late = _ny(
        debts=(Debt("d1", validation_notice_sent_on=DAY - timedelta(days=200)),), holds=(dispute,)
    )
    target = [Target("a", "d1", Channel.CALL, "mobile")]
    assert assert_agrees_with_decide({"a": timely}, {}, target, DAY)[0]["allowed_today"] is False
    assert assert_agrees_with_decide({"a": late}, {}, target, DAY)[0]["allowed_today"] is True


def test_an_attorneys_consent_counts_only_when_given_after_the_representation() -> None:
    hold = Hold(HoldKind.ATTORNEY, received_at=DAY_START_NY - timedelta(days=10))
    target = [Target("a", "d1", Channel.CALL, "mobile")]
    for days_ago, allowed in ((12, False), (3, True)):
        consent = Consent(
            ConsentKind.ATTORNEY_DIRECT_CONTACT, given_at=DAY_START_NY - timedelta(days=days_ago)
        )
        profile = _ny(holds=(hold,), consents=(consent,))
        rows = assert_agrees_with_decide({"a": profile}, {}, target, DAY)
        assert rows[0]["allowed_today"] is allowed


def test_prior_consent_to_more_calls_is_decided_exactly() -> None:
    # Given about d1 (comment 14(b)(3)(i)-2): the debtor owes two debts, so it must say which.
    consent = Consent(
        ConsentKind.ADDITIONAL_CALLS, given_at=DAY_START_NY - timedelta(days=2), debt_ids=("d1",)
    )
    history = {"a": tuple(_call(days_ago) for days_ago in (0.2, 0.5, 1, 1.5, 3, 4, 5))}
    rows = assert_agrees_with_decide(
        {"a": _ny(consents=(consent,))}, history, [Target("a", "d1", Channel.CALL, "mobile")], DAY
    )
    # The calls inside the consent period do not count toward 7 in 7.
    assert rows[0]["allowed_today"] is True
    assert rows[0]["caps"][0]["used"] < 7  # type: ignore[index]


def test_ontario_waits_six_days_after_the_written_notice() -> None:
    toronto = (Address("home", "CA", "ON", city="Toronto"),)
    target = [Target("a", "d1", Channel.CALL, None)]
    for sent_days_ago, allowed in ((3, False), (30, True)):
        debt = Debt("d1", ontario_notice_sent_on=DAY - timedelta(days=sent_days_ago))
        profile = DebtorProfile(addresses=toronto, debts=(debt,))
        rows = assert_agrees_with_decide({"a": profile}, {}, target, DAY)
        assert rows[0]["allowed_today"] is allowed


def test_a_debtor_with_no_known_location_is_blocked_all_day() -> None:
    rows = assert_agrees_with_decide(
        {"a": DebtorProfile(debts=(Debt("d1"),))}, {}, [Target("a", "d1", Channel.EMAIL)], DAY
    )
    assert rows[0]["allowed_today"] is False
    assert rows[0]["blocking_rule_ids"] == ["solvent.location.unknown"]


def test_autodialled_texts_need_consent_for_the_number() -> None:
    consent = Consent(ConsentKind.TCPA_PRIOR_EXPRESS, given_at=DAY_START_NY - timedelta(days=90))
    target = [Target("a", "d1", Channel.SMS, "mobile")]
    options = BatchOptions(autodialled=True)
    without = assert_agrees_with_decide({"a": _ny()}, {}, target, DAY, options)
    with_consent = assert_agrees_with_decide(
        {"a": _ny(consents=(consent,))}, {}, target, DAY, options
    )
    assert without[0]["allowed_today"] is False
    assert with_consent[0]["allowed_today"] is True


def test_many_debtors_share_a_few_profiles() -> None:
    registry = ProfileRegistry()
    situations = {
        f"d{index}": _ny(
            contact_points=(ContactPoint("m", ContactPointKind.MOBILE, f"+1716555{index:04d}"),),
            consents=(
                Consent(
                    ConsentKind.TCPA_PRIOR_EXPRESS,
                    given_at=DAY_START_NY - timedelta(days=30 + index),
                ),
            ),
        )
        for index in range(200)
    }
    targets = [
        Target(debtor_id, "d1", channel, "m")
        for debtor_id in situations
        for channel in (Channel.CALL, Channel.SMS)
    ]
    batch = batch_input(situations, {}, targets, DAY, registry=registry)
    assert batch.targets.height == 400
    assert len(registry.profiles) == 2


def test_a_target_without_a_debt_counts_every_call() -> None:
    history = {
        "a": tuple(
            _call(days_ago, debt=("d1", "d2")[index % 2])
            for index, days_ago in enumerate((0.2, 1, 2, 3, 4, 5, 6))
        )
    }
    targets = [Target("a", None, Channel.CALL, "mobile"), Target("a", "d1", Channel.CALL, "mobile")]
    without_debt, with_debt = assert_agrees_with_decide({"a": _ny()}, history, targets, DAY)
    assert without_debt["allowed_today"] is False
    assert with_debt["allowed_today"] is True


def test_answer_keys_are_one_exact_integer_while_the_ranges_fit() -> None:
    frame = pl.DataFrame(
        {"profile_id": [0, 1, 1, 2], "used0": [0, 3, 3, 9], "active0": [True, False, False, True]}
    )
    keys = ["profile_id", "used0", "active0"]
    expression, radices = _combination(frame, keys)
    assert radices == [3, 10, 2]
    codes = frame.select(expression).to_series()
    assert codes[1] == codes[2]
    assert codes.n_unique() == 3
    decoded = _decoded(codes.unique(), keys, radices).sort("combination")
    assert decoded.drop("combination").rows() == [(0, 0, True), (1, 3, False), (2, 9, True)]
    wide = pl.DataFrame({"profile_id": [0, 1], "used0": [2**40, 0], "used1": [2**40, 1]})
    _expression, radices = _combination(wide, ["profile_id", "used0", "used1"])
    assert radices is None


def test_hashed_answer_keys_give_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    def hashed(frame: pl.DataFrame, keys: list[str]) -> tuple[pl.Expr, None]:
        return pl.struct(keys).hash().alias("combination"), None

    monkeypatch.setattr(evaluate, "_combination", hashed)
    history = {"a": tuple(_call(days_ago) for days_ago in (0.2, 1, 2, 3, 4, 5, 6))}
    targets = [Target("a", "d1", Channel.CALL, "mobile"), Target("a", "d2", Channel.SMS, "mobile")]
    first, second = assert_agrees_with_decide({"a": _ny()}, history, targets, DAY)
    assert first["allowed_today"] is False
    assert second["allowed_today"] is True


def test_many_debts_and_unsorted_targets_take_the_general_joins() -> None:
    debts = tuple(Debt(f"d{index}") for index in range(6))
    history = {
        "b": tuple(
            _call(0.1 + day * 0.9, debt=f"d{index}")
            for index in range(6)
            for day in range(index + 2)
        ),
        "a": (_call(1),),
    }
    targets = [Target("b", f"d{index}", Channel.CALL, "mobile") for index in range(6)]
    targets.append(Target("a", "d1", Channel.CALL, "mobile"))
    rows = assert_agrees_with_decide({"a": _ny(), "b": _ny(debts=debts)}, history, targets, DAY)
    assert [row["caps"][0]["used"] for row in rows] == [2, 3, 4, 5, 6, 7, 1]  # type: ignore[index]
    assert [row["allowed_today"] for row in rows] == [True] * 5 + [False, True]


def test_profiles_made_for_another_day_are_refused() -> None:
    batch = batch_input({"a": _ny()}, {}, [Target("a", "d1", Channel.CALL, "mobile")], DAY)
    with pytest.raises(ValueError, match="not for 2026-11-25"):
        evaluate.batch_eligibility(batch, DAY + timedelta(days=1))
