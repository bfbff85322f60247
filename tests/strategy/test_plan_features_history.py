"""The contact-history features counted in the database equal a count over the ledger's rows:
attempts in the last 7 days and outbound attempts since the last right-party conversation."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from solvent.compliance.models import ContactAttempt
from solvent.portfolio.models import AccountDebtor
from solvent.strategy.features import HISTORY_DAYS, RPC, features_frame
from tests.strategy.conftest import BEFORE_PLAN_DAY, PLAN_DAY

pytestmark = pytest.mark.django_db
SEED = 20261202


@pytest.fixture(autouse=True)
def before_the_day() -> Iterator[None]:
    with time_machine.travel(BEFORE_PLAN_DAY, tick=False):
        yield


def _ledger(debtor_ids: list[int], rng: random.Random) -> None:
    day_start = datetime.combine(PLAN_DAY, datetime.min.time(), tzinfo=UTC)
    for debtor_id in debtor_ids:
        for _ in range(rng.randrange(0, 9)):
            ContactAttempt.objects.create(
                debtor_id=debtor_id,
                direction=rng.choice(("outbound", "outbound", "outbound", "inbound")),
                channel=rng.choice(("call", "sms", "email")),
                contact_point="+12125550100",
                # Some before the 90 days, some on the day itself (neither counts).
                at=day_start - timedelta(hours=rng.randrange(-5, (HISTORY_DAYS + 10) * 24)),
                status=rng.choice(("completed", "completed", "completed", "cancelled")),
                outcome=rng.choice(("no_answer", "voicemail", RPC)),
            )


def _oracle(debtor_id: int) -> tuple[int, int]:
    day_start = datetime.combine(PLAN_DAY, datetime.min.time(), tzinfo=UTC)
    rows = [
        attempt
        for attempt in ContactAttempt.objects.filter(debtor_id=debtor_id)
        if day_start - timedelta(days=HISTORY_DAYS) <= attempt.at < day_start
        and attempt.status != "cancelled"
    ]
    outbound = [row for row in rows if row.direction == "outbound"]
    week = sum(1 for row in outbound if row.at >= day_start - timedelta(days=7))
    conversations = [row.at for row in rows if row.outcome == RPC]
    if not conversations:
        return week, len(outbound)
    return week, sum(1 for row in outbound if row.at > max(conversations))


def test_history_features_equal_a_count_over_the_ledger_rows(portfolio) -> None:
    rng = random.Random(SEED)
    portfolio(rows=40)
    debtor_ids = sorted(
        set(AccountDebtor.objects.filter(role="primary").values_list("debtor_id", flat=True))
    )
    _ledger(debtor_ids, rng)
    frame = features_frame(day=PLAN_DAY)
    found = {
        row["debtor_id"]: (row["attempts_7d"], row["attempts_since_rpc"])
        for row in frame.iter_rows(named=True)
    }
    expected = {debtor_id: _oracle(debtor_id) for debtor_id in found}
    assert found == expected, f"seed {SEED}"
    # The ledger had both kinds: debtors counted since a conversation, and without one.
    assert any(since > 0 for _week, since in expected.values()), f"seed {SEED}"
    assert any(week > 0 for week, _since in expected.values()), f"seed {SEED}"
    assert len(set(expected.values())) > 3, f"seed {SEED}"
