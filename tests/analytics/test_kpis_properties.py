"""Invariants of the KPIs over generated histories: rates stay in [0, 1]; the groups of a breakdown
add up to the total; the kept rule is the arrangements' own. Derandomized: the same examples run
every time (hypothesis prints a failing one)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.analytics.domain.metrics import METRIC_GROUPINGS
from solvent.analytics.domain.reports import GROUPINGS
from solvent.arrangements.domain.status import Payment, PromiseStatus, promise_status
from tests.analytics.kpi_histories import (
    account,
    at,
    call,
    decision,
    event,
    history,
    payment,
    promise,
    session,
    table,
)

RATES = (
    "penetration",
    "contact_rate",
    "rpc_rate",
    "promise_rate",
    "kept_rate",
    "promise_amount",
    "cure_rate",
    "roll_rate",
    "abandon_rate",
    "compliance_block_rate",
)
DISPOSITIONS = (
    "no_answer",
    "busy",
    "right_party_contact",
    "promise_to_pay",
    "third_party",
    "wrong_number",
    "abandoned",
    "message_sent",
    "refused",
    "deceased",
)
FAST = settings(max_examples=60, deadline=None, derandomize=True)

days = st.integers(min_value=1, max_value=30)
account_ids = st.integers(min_value=1, max_value=6)


@st.composite
def histories(draw: st.DrawFn):
    accounts = [
        account(
            pk,
            client=draw(st.sampled_from(["acme", "beta"])),
            team=draw(st.sampled_from(["east", "west"])),
            placement=draw(st.sampled_from(["#1", "#2", ""])),
            segment=draw(st.sampled_from(["early", "late", ""])),
            arm=draw(st.sampled_from(["champion", "challenger"])),
            placed_on=date(2026, draw(st.integers(8, 11)), draw(st.integers(1, 28))),
            delinquency_date=draw(
                st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2026, 11, 30)))
            ),
            status=draw(
                st.sampled_from(["active", "active", "paid", "recalled", "closed", "settled"])
            ),
            recalled_on=draw(st.one_of(st.none(), st.dates(date(2026, 9, 1), date(2026, 12, 1)))),
            updated_on=draw(st.dates(date(2026, 9, 1), date(2026, 12, 1))),
        )
        for pk in range(1, 7)
    ]
    events = [
        event(
            draw(account_ids),
            draw(st.sampled_from(DISPOSITIONS)),
            channel=draw(st.sampled_from(["call", "sms", "email"])),
            direction=draw(st.sampled_from(["outbound", "outbound", "inbound"])),
            agent=draw(st.sampled_from(["ann", "bob", ""])),
            agent_team=draw(st.sampled_from(["east", "night"])),
            occurred_at=at(draw(days), draw(st.integers(0, 23))),
        )
        for _ in range(draw(st.integers(0, 25)))
    ]
    promises = [
        promise(
            draw(account_ids),
            interaction_id=draw(st.sampled_from([None, *[e["event_id"] for e in events]])),
            agent=draw(st.sampled_from(["ann", "bob", ""])),
            created_at=at(draw(days)),
            due_on=date(2026, 11, draw(days)),
            amount_minor=draw(st.integers(1, 20_000)),
            grace_days=draw(st.integers(0, 5)),
            cancelled=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 8)))
    ]
    payments = [
        payment(
            draw(account_ids),
            date(2026, draw(st.integers(9, 11)), draw(days)),
            draw(st.integers(1, 30_000)),
            draw(st.sampled_from(["cleared", "cleared", "returned", "pending"])),
        )
        for _ in range(draw(st.integers(0, 10)))
    ]
    sessions = [
        session(
            draw(st.sampled_from(["ann", "bob"])),
            at(day, 8),
            at(day, 8 + draw(st.integers(1, 9))),
            client=draw(st.sampled_from(["acme", "beta", ""])),
            agent_team=draw(st.sampled_from(["east", "night"])),
        )
        for day in draw(st.lists(days, max_size=4))
    ]
    calls = [
        call(
            draw(account_ids),
            draw(st.sampled_from(["connected", "abandoned", "machine", "no_answer"])),
            agent=draw(st.sampled_from(["ann", ""])),
            answered_by_person=draw(st.one_of(st.none(), st.booleans())),
            answered_at=at(day, 10),
            connected_at=at(day, 10),
            ended_at=at(day, 10, 5),
        )
        for day in draw(st.lists(days, max_size=5))
    ]
    decisions = [
        decision(
            draw(account_ids), draw(st.booleans()), channel=draw(st.sampled_from(["call", "sms"]))
        )
        for _ in range(draw(st.integers(0, 6)))
    ]
    return history(
        accounts=accounts,
        events=events,
        promises=promises,
        payments=payments,
        sessions=sessions,
        calls=calls,
        decisions=decisions,
    )


@FAST
@given(histories())
def test_every_rate_lies_between_zero_and_one(h):
    figures = table(h).total.values
    for key in RATES:
        value = figures[key].value
        assert value is None or 0.0 <= value <= 1.0, (key, figures[key])


@FAST
@given(histories(), st.sampled_from([g for g in GROUPINGS if g not in ("", "month", "week")]))
def test_the_groups_of_a_breakdown_add_up_to_the_total(h, group_by):
    breakdown = table(h, group_by, cost_per_agent_hour=Decimal("20"))
    for key, ratio in breakdown.total.values.items():
        if group_by not in METRIC_GROUPINGS[key]:
            assert all(key not in row.values for row in breakdown.rows)
            continue
        if group_by == "channel" and key in ("contact_rate", "rpc_rate"):
            continue  # the total is calls only, each row its channel's own
        numerator = sum((row.values[key].numerator for row in breakdown.rows), Decimal(0))
        denominator = sum((row.values[key].denominator for row in breakdown.rows), Decimal(0))
        assert abs(numerator - ratio.numerator) < Decimal("1e-9"), key
        assert abs(denominator - ratio.denominator) < Decimal("1e-9"), key


@FAST
@given(histories())
def test_months_of_a_period_add_up_for_the_event_counts(h):
    by_month = table(h, "month", period_start=date(2026, 9, 1))
    for key in ("contact_rate", "rpc_rate", "promise_rate", "abandon_rate"):
        assert sum(row.values[key].denominator for row in by_month.rows) == (
            by_month.total.values[key].denominator
        )


@FAST
@given(
    made=days,
    due=days,
    grace=st.integers(0, 4),
    amount=st.integers(1, 10_000),
    paid=st.lists(st.tuples(st.integers(1, 30), st.integers(1, 6_000)), max_size=4),
)
def test_a_promise_is_kept_exactly_when_the_arrangements_rule_says_so(
    made, due, grace, amount, paid
):
    due_on = date(2026, 11, due)
    h = history(
        accounts=[account(1)],
        promises=[
            promise(1, created_at=at(made), due_on=due_on, amount_minor=amount, grace_days=grace)
        ],
        payments=[payment(1, date(2026, 11, day), cents) for day, cents in paid],
    )
    today = date(2026, 12, 10)
    figures = table(h, period_end=date(2026, 12, 8), now=at(10, month=12)).total.values
    expected = promise_status(
        amount=Decimal(amount),
        due_on=due_on,
        payments=[
            Payment(date(2026, 11, day), Decimal(cents)) for day, cents in paid if day >= made
        ],
        today=today,
        grace_days=grace,
    )
    assert figures["kept_rate"].denominator == 1
    assert (figures["kept_rate"].numerator == 1) == (expected is PromiseStatus.KEPT)
    assert due_on + timedelta(days=grace) < today
