"""Property: the batch answer equals what ``decide()`` says at every moment of the planning day.

For random debtors (one or two zones; MA, WA, NYC, CA, Ontario, UK, unknown; holds, consents and
stated times that may start or end inside the day) and random ledgers, at a grid of moments (every
20 minutes, plus each batch window's edges and the instants just outside them):

* ``decide()`` allows the contact exactly when the moment lies in one of the batch windows;
* every rule ``decide()`` reports as blocking is in the batch's ``blocking_rule_ids``;
* the caps ``decide()`` reports (rule, limit, used, remaining) are the batch's caps.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvent.compliance.domain.model import DebtorProfile, HistoryEvent
from solvent.compliance.eligibility.profiles import BatchOptions, Target
from tests.compliance.eligibility.batch_support import (
    OPTIONS,
    PLANNING_DAYS,
    assert_agrees_with_decide,
    debtors,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), day=st.sampled_from(PLANNING_DAYS), options=OPTIONS)
def test_batch_agrees_with_decide_at_every_moment(
    data: st.DataObject, day: date, options: BatchOptions
) -> None:
    count = data.draw(st.integers(1, 4))
    situations: dict[str, DebtorProfile] = {}
    histories: dict[str, tuple[HistoryEvent, ...]] = {}
    targets: list[Target] = []
    for index in range(count):
        debtor_id = f"debtor{index}"
        profile, ledger, wanted = data.draw(debtors(debtor_id, day))
        situations[debtor_id] = profile
        histories[debtor_id] = ledger
        targets += wanted
    assert_agrees_with_decide(situations, histories, targets, day, options)
