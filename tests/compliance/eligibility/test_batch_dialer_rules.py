"""The planning-day batch agrees with ``decide()`` on abandoned calls and the dialer's figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from solvent.compliance.domain.model import (
    Address,
    CampaignFigures,
    Channel,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Direction,
    HistoryEvent,
    Outcome,
)
from solvent.compliance.eligibility.profiles import BatchOptions, Target
from tests.compliance.eligibility.batch_support import assert_agrees_with_decide

DAY = date(2026, 10, 27)  # a Tuesday, two days after the UK clocks went back
LANDLINE = ContactPoint("h", ContactPointKind.LANDLINE, "+441134960000")
QUIET = CampaignFigures(20, 1000, 1, 100)


def _leeds() -> DebtorProfile:
    return DebtorProfile(
        addresses=(Address("home", "GB", None, city="Leeds"),),
        contact_points=(LANDLINE,),
        debts=(Debt("d1"),),
    )


def _abandoned(at: datetime) -> HistoryEvent:
    return HistoryEvent(at, Channel.CALL, Direction.OUTBOUND, Outcome.ABANDONED, ("d1",), "h")


def test_a_dialled_call_opens_72_hours_after_an_abandoned_call_in_the_batch_too() -> None:
    # Abandoned on Saturday at 12:00 BST (11:00 UTC): the number reopens on Tuesday 11:00 GMT.
    history = {"a": (_abandoned(datetime(2026, 10, 24, 11, tzinfo=UTC)),)}
    target = [Target("a", "d1", Channel.CALL, "h")]
    options = BatchOptions(autodialled=True, campaign=QUIET)
    rows = assert_agrees_with_decide({"a": _leeds()}, history, target, DAY, options)
    assert rows[0]["windows"][0]["start"] == datetime(2026, 10, 27, 11, tzinfo=UTC)
    assert "ofcom.abandoned_72h_repeat" in rows[0]["blocking_rule_ids"]


def test_with_a_live_agent_the_batch_allows_the_whole_day() -> None:
    history = {"a": (_abandoned(datetime(2026, 10, 24, 11, tzinfo=UTC)),)}
    target = [Target("a", "d1", Channel.CALL, "h")]
    options = BatchOptions(autodialled=True, campaign=QUIET, live_agent_guaranteed=True)
    rows = assert_agrees_with_decide({"a": _leeds()}, history, target, DAY, options)
    assert rows[0]["windows"][0]["start"] == datetime(2026, 10, 27, 8, tzinfo=UTC)


def test_abandoned_calls_count_toward_seven_in_seven_in_the_batch() -> None:
    albany = DebtorProfile(
        addresses=(Address("home", "US", "NY", city="Albany"),),
        contact_points=(ContactPoint("h", ContactPointKind.LANDLINE, "+15185550100"),),
        debts=(Debt("d1"),),
    )
    day_start = datetime(2026, 10, 27, 4, tzinfo=UTC)  # midnight in Albany
    history = {"a": tuple(_abandoned(day_start - timedelta(hours=20 * n + 3)) for n in range(7))}
    target = [Target("a", "d1", Channel.CALL, "h")]
    rows = assert_agrees_with_decide({"a": albany}, history, target, DAY, BatchOptions())
    assert rows[0]["allowed_today"] is False
    assert "regf.call_frequency.7in7" in rows[0]["blocking_rule_ids"]


def test_a_campaign_at_the_limit_blocks_every_dialled_call_of_the_day() -> None:
    target = [Target("a", "d1", Channel.CALL, "h")]
    options = BatchOptions(autodialled=True, campaign=CampaignFigures(20, 1000, 3, 100))
    rows = assert_agrees_with_decide({"a": _leeds()}, {}, target, DAY, options)
    assert rows[0]["allowed_today"] is False
    assert "ofcom.abandoned_rate_3pct_24h" in rows[0]["blocking_rule_ids"]
