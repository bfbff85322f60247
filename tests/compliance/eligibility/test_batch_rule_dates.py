"""The planning-day batch evaluates the rules in force on the planning day, as ``decide()`` does."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from solvent.compliance.domain.model import (
    Address,
    Channel,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Direction,
    HistoryEvent,
    Outcome,
)
from solvent.compliance.eligibility.profiles import Target
from tests.compliance.eligibility.batch_support import assert_agrees_with_decide

WAIT = "regf.call_frequency.post_conversation_7d"
HOME = ContactPoint("h", ContactPointKind.LANDLINE, "+15185550100")
ALBANY = DebtorProfile(
    addresses=(Address("home", "US", "NY", city="Albany"),),
    contact_points=(HOME,),
    debts=(Debt("d1"),),
)
# Massachusetts has caps of its own since 2012, so the batch has caps to attach that day.
BOSTON = DebtorProfile(
    addresses=(Address("home", "US", "MA", city="Boston"),),
    contact_points=(HOME,),
    debts=(Debt("d1"),),
)
# A conversation on Friday 2021-11-26 at 11:00 Eastern.
SPOKE = HistoryEvent(
    datetime(2021, 11, 26, 16, tzinfo=UTC),
    Channel.CALL,
    Direction.OUTBOUND,
    Outcome.RIGHT_PARTY_CONVERSATION,
    ("d1",),
    "h",
)


@pytest.mark.parametrize("debtor", [ALBANY, BOSTON], ids=["New York", "Massachusetts"])
@pytest.mark.parametrize(
    ("day", "waits"),
    [(date(2021, 11, 29), False), (date(2021, 11, 30), True)],
    ids=["the day before Regulation F", "its first day"],
)
def test_the_wait_after_a_conversation_starts_with_regulation_f_in_the_batch(
    debtor: DebtorProfile, day: date, waits: bool
) -> None:
    target = [Target("a", "d1", Channel.CALL, "h")]
    rows = assert_agrees_with_decide({"a": debtor}, {"a": (SPOKE,)}, target, day)
    assert rows[0]["allowed_today"] is not waits
    assert (WAIT in rows[0]["blocking_rule_ids"]) is waits
