"""No plan item outside what the single-path engine allows: every action the plan stores, asked of
the one gate (``contact_attempt_authorize``) at its planned moment, in planned order, is allowed.

Random portfolios (the generator's seed, a random recent ledger of calls and conversations, some
cease and hardship holds): a property over a few examples, each printing its seed on failure.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvent.compliance.services import (
    contact_attempt_authorize,
    contact_attempt_record_outcome,
    hold_place,
)
from solvent.portfolio.models import AccountDebtor, Phone
from solvent.strategy.models import PlanItem
from solvent.strategy.services import plan_run
from tests.strategy.conftest import BEFORE_PLAN_DAY, PLAN_DAY

pytestmark = pytest.mark.django_db

OUTCOMES = ("no_answer", "no_answer", "busy", "right_party_conversation", "voicemail")


def _history(client_code: str, rng: random.Random) -> None:
    """Calls of the last 8 days (some conversations) and a few holds, through the gate itself."""
    links = list(
        AccountDebtor.objects.filter(account__client__code=client_code, role="primary")
        .order_by("account_id")
        .values_list("account_id", "debtor_id")
    )
    for account_id, debtor_id in rng.sample(links, k=len(links) // 2):
        phone = Phone.objects.filter(debtor_id=debtor_id).order_by("pk").first()
        if phone is None:
            continue
        for _ in range(rng.randrange(0, 9)):
            moment = BEFORE_PLAN_DAY - timedelta(
                days=rng.randrange(0, 8), hours=rng.randrange(0, 6)
            )
            answer = contact_attempt_authorize(
                debtor_id=debtor_id,
                channel="call",
                contact_point=phone.e164,
                account_ids=[account_id],
                at=moment,
            )
            if answer.allowed and answer.attempt_id is not None:
                contact_attempt_record_outcome(
                    attempt_id=answer.attempt_id, outcome=rng.choice(OUTCOMES), at=moment
                )
        roll = rng.random()
        if roll < 0.05:
            hold_place(debtor_id=debtor_id, kind="cease", source="letter", at=BEFORE_PLAN_DAY)
        elif roll < 0.1:
            hold_place(debtor_id=debtor_id, kind="hardship", source="call", at=BEFORE_PLAN_DAY)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_every_planned_action_is_allowed_by_the_single_path_gate(portfolio, seed: int) -> None:
    code = f"p{seed}"
    rng = random.Random(seed)
    with time_machine.travel(BEFORE_PLAN_DAY, tick=False):
        portfolio(code=code, rows=25, seed=seed)
        _history(code, rng)
        plan_run(day=PLAN_DAY, client_codes=[code])
        planned = list(
            PlanItem.objects.filter(client__code=code, status="planned").order_by("planned_at")
        )
        assert planned, f"seed {seed}: nothing planned"
        for item in planned:
            answer = contact_attempt_authorize(
                debtor_id=item.debtor_id,
                channel=item.channel,
                contact_point=item.contact_point,
                account_ids=[item.account_id],
                at=item.planned_at,
            )
            assert answer.allowed, (
                f"seed {seed}: {item.channel} to account {item.account_id} at {item.planned_at} "
                f"planned but refused: {answer.blocking}"
            )
