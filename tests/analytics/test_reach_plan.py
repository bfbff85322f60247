"""The daily plan times each message at the debtor's strong hour of the plan day's weekday."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from solvent.compliance.models import ContactAttempt
from solvent.strategy.planner import plan_draft
from tests.strategy.conftest import BEFORE_PLAN_DAY, PLAN_DAY, portfolio  # noqa: F401

pytestmark = pytest.mark.django_db
WEDNESDAY_HOUR, THURSDAY_HOUR = 17, 10  # the strong hours; every other hour never reaches
RPC = ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION


@pytest.fixture(autouse=True)
def before_the_day() -> Iterator[None]:
    with time_machine.travel(BEFORE_PLAN_DAY, tick=False):
        yield


def _history(zones: dict[int, str]) -> None:
    """Weeks 2 to 7 before the plan day: each debtor reached on every channel on Wednesdays at 17h
    and Thursdays at 10h local, tried and never reached at 9, 12, 14 and 19h on both days."""
    rows = []
    for debtor_id, zone in zones.items():
        tz = ZoneInfo(zone)
        for week in range(2, 8):
            wednesday = PLAN_DAY - timedelta(weeks=week)
            for day, strong in (
                (wednesday, WEDNESDAY_HOUR),
                (wednesday + timedelta(1), THURSDAY_HOUR),
            ):
                for hour in (strong, 9, 12, 14, 19):
                    for channel in ("call", "sms", "email"):
                        at = datetime.combine(day, time(hour, 5), tzinfo=tz).astimezone(UTC)
                        rows.append(
                            ContactAttempt(
                                debtor_id=debtor_id,
                                channel=channel,
                                contact_point="+12125550100",
                                at=at,
                                status="completed",
                                outcome=RPC if hour == strong else "no_answer",
                            )
                        )
    ContactAttempt.objects.bulk_create(rows, batch_size=2000)


def _local_hours(day: date) -> Counter[int]:
    draft = plan_draft(day=day)
    return Counter(
        row.planned_at.astimezone(ZoneInfo(row.time_zone)).hour
        for row in draft.rows
        if row.status == "planned" and row.channel in ("sms", "email") and row.planned_at
    )


def test_the_plan_picks_the_strong_hour_of_the_plan_day_s_weekday(portfolio) -> None:  # noqa: F811
    portfolio(rows=60)
    before = plan_draft(day=PLAN_DAY)
    zones = {
        int(row.debtor_id): row.time_zone for row in before.rows if row.debtor_id and row.time_zone
    }
    flat = _local_hours(PLAN_DAY)
    assert WEDNESDAY_HOUR not in flat, flat  # with no history, the earliest lawful hour wins

    _history(zones)

    wednesday = _local_hours(PLAN_DAY)  # PLAN_DAY is a Wednesday
    thursday = _local_hours(PLAN_DAY + timedelta(days=1))
    assert sum(wednesday.values()) >= 5 and sum(thursday.values()) >= 5, (wednesday, thursday)
    assert set(wednesday) == {WEDNESDAY_HOUR}, wednesday
    assert set(thursday) == {THURSDAY_HOUR}, thursday
