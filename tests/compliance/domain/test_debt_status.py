"""Recalled, paid, settled and closed debts get no collection contact (issue 9, defect 10).

Only an active debt may be collected (house policy; for a paid or settled debt also 15 U.S.C.
1692e(2)(A) and 1692f(1): no collecting an amount not owed). A reply to the consumer's own contact
and an opt-out confirmation stay possible; a contact about no particular debt is denied when no
debt of the debtor is active; a debt the profile does not list is treated as not collectable.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.model import (
    Address,
    Channel,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    DebtStatus,
    Party,
    ProposedContact,
    Purpose,
)

# Tuesday 2026-03-10, 15:00 UTC: 11:00 in New York, 15:00 in London.
AT = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
RULE = "solvent.debt.not_collectable"
MOBILE = ContactPoint("m", ContactPointKind.MOBILE, "+12125550102")
NOT_COLLECTABLE = (DebtStatus.RECALLED, DebtStatus.PAID, DebtStatus.SETTLED, DebtStatus.CLOSED)


def _profile(*debts: Debt, country: str = "US", region: str | None = "NY") -> DebtorProfile:
    return DebtorProfile(
        addresses=(Address("a", country, region),), contact_points=(MOBILE,), debts=debts
    )


def _proposed(debt_id: str | None, **extra: object) -> ProposedContact:
    return ProposedContact(
        at=AT,
        channel=Channel.CALL,
        debt_id=debt_id,
        contact_point_id="m",
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("status", NOT_COLLECTABLE)
@pytest.mark.parametrize(
    "purpose", [Purpose.COLLECT, Purpose.CEASE_EXCEPTION_NOTICE, Purpose.LEGAL_ACTION]
)
def test_collection_about_a_debt_that_is_no_longer_active_is_denied_for_good(status, purpose):
    decision = decide(_profile(Debt("d1", status=status)), (), _proposed("d1", purpose=purpose))
    assert RULE in decision.blocking_rule_ids
    assert decision.earliest_lawful_at is None


@pytest.mark.parametrize("status", NOT_COLLECTABLE)
def test_credit_reporting_of_a_debt_that_is_no_longer_active_is_denied(status):
    decision = decide(
        _profile(Debt("d1", status=status)),
        (),
        _proposed("d1", purpose=Purpose.FURNISH_CREDIT_REPORT),
    )
    assert RULE in decision.blocking_rule_ids


@pytest.mark.parametrize("status", NOT_COLLECTABLE)
def test_a_location_call_about_a_debt_that_is_no_longer_active_is_denied(status):
    decision = decide(
        _profile(Debt("d1", status=status)), (), _proposed("d1", party=Party.THIRD_PARTY)
    )
    assert RULE in decision.blocking_rule_ids


@pytest.mark.parametrize("country", [("US", "NY"), ("GB", None), ("CA", "ON"), ("AU", "NSW")])
def test_the_rule_holds_in_every_jurisdiction(country):
    profile = _profile(Debt("d1", status=DebtStatus.PAID), country=country[0], region=country[1])
    assert RULE in decide(profile, (), _proposed("d1")).blocking_rule_ids


@pytest.mark.parametrize("status", NOT_COLLECTABLE)
@pytest.mark.parametrize("purpose", [Purpose.RESPONSE_TO_CONSUMER, Purpose.OPT_OUT_CONFIRMATION])
def test_replying_to_the_consumer_about_a_closed_debt_stays_possible(status, purpose):
    decision = decide(_profile(Debt("d1", status=status)), (), _proposed("d1", purpose=purpose))
    assert RULE not in decision.blocking_rule_ids


def test_an_active_debt_beside_a_paid_one_may_be_collected():
    profile = _profile(Debt("d1", status=DebtStatus.PAID), Debt("d2"))
    assert RULE not in decide(profile, (), _proposed("d2")).blocking_rule_ids
    assert RULE in decide(profile, (), _proposed("d1")).blocking_rule_ids


def test_a_contact_about_no_particular_debt_needs_one_active_debt():
    closed = _profile(Debt("d1", status=DebtStatus.SETTLED), Debt("d2", status=DebtStatus.RECALLED))
    one_active = _profile(Debt("d1", status=DebtStatus.SETTLED), Debt("d2"))
    assert RULE in decide(closed, (), _proposed(None)).blocking_rule_ids
    assert RULE not in decide(one_active, (), _proposed(None)).blocking_rule_ids


def test_a_debt_the_profile_does_not_list_is_not_collectable():
    # The engine cannot know the status of a debt it was not told about: fail closed.
    assert RULE in decide(_profile(Debt("d1")), (), _proposed("d9")).blocking_rule_ids


def test_the_denial_cites_the_law_and_speaks_to_a_collector():
    decision = decide(_profile(Debt("d1", status=DebtStatus.PAID)), (), _proposed("d1"))
    [hit] = [result for result in decision.blocking if result.rule_id == RULE]
    assert "paid" in hit.message
    assert "1692f(1)" in hit.citation
