"""Each KPI over a small history computed by hand: numerator and denominator, and the edges."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from solvent.analytics.domain.kpis import periods_split
from solvent.analytics.domain.metrics import METRIC_GROUPINGS, METRIC_KEYS, METRICS
from solvent.analytics.domain.reports import GROUPINGS, Ratio
from solvent.core.domain.errors import ValidationError
from tests.analytics.kpi_histories import (
    NOW,
    account,
    at,
    call,
    decision,
    event,
    history,
    parts,
    payment,
    promise,
    session,
    table,
    total,
)

D = Decimal


def test_every_metric_of_the_glossary_is_in_the_registry_once():
    assert len(set(METRIC_KEYS)) == len(METRICS) == 15
    assert set(METRIC_GROUPINGS) == set(METRIC_KEYS)
    assert all(m.numerator and m.denominator for m in METRICS)


def test_a_denominator_of_zero_is_no_data_not_zero_percent():
    figures = table(history(accounts=[account(1)])).total.values
    assert figures["contact_rate"] == Ratio(D(0), D(0))
    assert figures["contact_rate"].value is None
    assert figures["kept_rate"].value is None
    assert figures["penetration"].value == 0.0  # one account worked, none attempted


def test_penetration_counts_attempted_accounts_among_those_worked_in_the_period():
    h = history(
        accounts=[
            account(1),
            account(2),
            account(3),  # worked, only an inbound call
            account(4, placed_on=date(2026, 12, 1)),  # placed after the period
            account(5, status="paid", updated_on=date(2026, 10, 31)),  # paid before it
        ],
        events=[
            event(1, "no_answer"),
            event(1, "busy"),
            event(2, "message_sent", channel="sms"),
            event(3, "right_party_contact", direction="inbound"),
            event(4, "no_answer"),
            event(2, "no_answer", occurred_at=at(31, month=10)),  # before the period
        ],
    )
    assert total(h, "penetration") == (D(2), D(3))


def test_contact_and_right_party_rates_are_calls_only_unless_a_channel_is_named():
    h = history(
        accounts=[account(1)],
        events=[
            event(1, "no_answer"),
            event(1, "third_party"),
            event(1, "right_party_contact"),
            event(1, "abandoned"),  # a person answered, nobody spoke to them: no contact
            event(1, "message_sent", channel="sms"),
            event(1, "right_party_contact", channel="sms"),
            event(1, "promise_to_pay", direction="inbound"),  # not an attempt
        ],
    )
    assert total(h, "contact_rate") == (D(2), D(4))
    assert total(h, "rpc_rate") == (D(1), D(4))
    by_channel = {row.group: row.values for row in table(h, "channel").rows}
    assert parts(by_channel["sms"]["contact_rate"]) == (D(1), D(2))
    assert parts(by_channel["sms"]["rpc_rate"]) == (D(1), D(2))
    assert parts(by_channel["call"]["contact_rate"]) == (D(2), D(4))


def test_promise_rate_counts_a_ptp_a_promise_recorded_on_the_call_and_a_plan_made_that_day():
    with_promise = event(1, "right_party_contact")
    with_plan = event(2, "callback_requested", agent="bob", occurred_at=at(12, 9))
    h = history(
        accounts=[account(1), account(2), account(3)],
        events=[
            event(1, "promise_to_pay", direction="inbound"),
            with_promise,
            with_plan,
            event(3, "refused"),
            event(3, "third_party"),  # not a right-party contact
        ],
        promises=[promise(1, interaction_id=with_promise["event_id"])],
        plans=[
            {
                "plan_id": 1,
                "account_id": 2,
                "agent": "bob",
                "created_at": at(12, 18),
                "total_minor": 1,
            },
            {"plan_id": 2, "account_id": 3, "agent": "bob", "created_at": at(11), "total_minor": 1},
        ],
    )
    assert total(h, "promise_rate") == (D(3), D(4))


def test_rpc_per_hour_divides_right_party_contacts_by_logged_in_hours_clipped_to_the_period():
    h = history(
        accounts=[account(1)],
        events=[event(1, "right_party_contact"), event(1, "dispute", direction="inbound")],
        sessions=[
            session("ann", at(10, 9), at(10, 11)),  # 2 hours
            session("ann", at(30, 23), at(1, 1, month=12)),  # 1 hour in the period
            session("bob", NOW - timedelta(hours=1), None),  # after the period
        ],
    )
    assert total(h, "rpc_per_hour") == (D(2), D(3))


def test_an_open_session_counts_until_now_when_the_period_is_still_running():
    h = history(sessions=[session("ann", at(10, 9), None)])
    _busy, hours = total(h, "occupancy", now=at(10, 12))
    assert hours == D(3)


def test_kept_rate_counts_promises_whose_due_date_plus_grace_has_passed():
    h = history(
        accounts=[account(1), account(2), account(3), account(4), account(5), account(6)],
        promises=[
            promise(1),  # kept: paid in full by the due date plus grace
            promise(2),  # broken: the payment was returned
            promise(3),  # partly: half of it paid
            promise(4, cancelled=True),  # left out
            promise(5, due_on=date(2026, 11, 19), grace_days=2),  # deadline the 21st: not yet
            promise(6, created_at=at(5)),  # paid before it was made: broken
        ],
        payments=[
            payment(1, date(2026, 11, 13), 10_000),  # the last day of grace
            payment(2, date(2026, 11, 9), 10_000, status="returned"),
            payment(3, date(2026, 11, 9), 5_000),
            payment(3, date(2026, 11, 14), 5_000),  # after the grace: too late
            payment(6, date(2026, 11, 4), 10_000),
        ],
    )
    today = at(20, 12)
    assert total(h, "kept_rate", now=today) == (D(1), D(4))
    assert total(h, "promise_amount", now=today) == (D("150.00"), D("400.00"))
    # On the 22nd the promise due on the 19th with two days' grace has passed too.
    assert total(h, "kept_rate", now=at(22, 12)) == (D(1), D(5))


def test_a_promise_is_kept_by_payments_on_its_account_only():
    h = history(
        accounts=[account(1), account(2)],
        promises=[promise(1)],
        payments=[payment(2, date(2026, 11, 9), 10_000)],
    )
    assert total(h, "kept_rate") == (D(0), D(1))


def test_liquidation_and_recovery_count_cleared_payments_only():
    h = history(
        accounts=[
            account(1, placed_minor=100_000),
            account(2, placed_minor=50_000, placed_on=date(2026, 11, 15)),  # placed in the period
        ],
        payments=[
            payment(1, date(2026, 10, 5), 20_000),  # before the period
            payment(1, date(2026, 11, 5), 10_000),
            payment(1, date(2026, 11, 6), 30_000, status="returned"),
            payment(1, date(2026, 11, 7), 30_000, status="reversed"),
            payment(1, date(2026, 11, 8), 30_000, status="pending"),
            payment(2, date(2026, 11, 20), 5_000),
            payment(2, date(2026, 12, 1), 5_000),  # after the period
        ],
    )
    assert total(h, "liquidation_rate") == (D("350.00"), D("1500.00"))
    # Recovery: accounts open at the start (account 1: balance 800.00), paid in the period 100.00.
    assert total(h, "recovery_rate") == (D("100.00"), D("800.00"))


def test_roll_and_cure_rates_follow_the_bucket_at_the_start_and_the_end_of_the_period():
    h = history(
        accounts=[
            account(1, delinquency_date=date(2026, 10, 20)),  # 12 DPD -> 42: rolled
            account(2, delinquency_date=date(2026, 4, 1)),  # 180+ at the start: not rollable
            account(3, delinquency_date=date(2026, 10, 1), status="paid"),  # cured by paying
            account(4, delinquency_date=None),  # current -> current
        ],
        payments=[payment(3, date(2026, 11, 20), 100_000)],
    )
    assert total(h, "roll_rate") == (D(1), D(3))
    assert total(h, "cure_rate") == (D(1), D(3))


def test_occupancy_is_talk_plus_wrap_up_over_logged_in_time():
    h = history(
        accounts=[account(1)],
        calls=[
            call(
                1,
                "connected",
                agent="ann",
                agent_team="east",
                connected_at=at(10, 9, 10),
                ended_at=at(10, 9, 20),
                wrap_up_ended_at=at(10, 9, 25),
            )
        ],
        sessions=[session("ann", at(10, 9), at(10, 10))],
    )
    assert total(h, "occupancy") == (D(15) / D(60), D(1))


def test_abandon_rate_is_abandoned_over_calls_answered_by_a_person():
    h = history(
        accounts=[account(1)],
        calls=[
            call(1, "connected"),
            call(1, "connected"),
            call(1, "abandoned"),
            call(1, "machine", answered_by_person=False),
            call(1, "no_answer", answered_at=None, answered_by_person=None),
            call(1, "abandoned", answered_at=at(31, month=10)),  # before the period
        ],
    )
    assert total(h, "abandon_rate") == (D(1), D(3))


def test_compliance_block_rate_is_refused_over_proposed():
    h = history(
        accounts=[account(1), account(2, client="other")],
        decisions=[decision(1, True), decision(1, False), decision(1, False), decision(2, True)],
    )
    assert total(h, "compliance_block_rate") == (D(2), D(4))


def test_a_history_row_of_an_account_not_in_the_history_is_not_counted():
    """The accounts frame is the reader's scope: rows about other accounts are left out."""
    h = history(accounts=[account(1)], events=[event(1, "no_answer"), event(9, "no_answer")])
    assert total(h, "contact_rate") == (D(0), D(1))


def test_cost_to_collect_is_shown_only_with_a_cost_per_agent_hour():
    h = history(
        accounts=[account(1)],
        payments=[payment(1, date(2026, 11, 5), 40_000)],
        sessions=[session("ann", at(10, 9), at(10, 11))],
    )
    assert "cost_to_collect" not in table(h).total.values
    figures = table(h, cost_per_agent_hour=D("25.00"))
    assert parts(figures.total.values["cost_to_collect"]) == (D("50.00"), D("400.00"))
    assert "cost_to_collect" in [m.key for m in figures.metrics]


def test_rows_by_client_hold_each_clients_figures():
    h = history(
        accounts=[account(1), account(2, client="beta", team="west")],
        events=[event(1, "right_party_contact"), event(2, "no_answer"), event(2, "busy")],
    )
    rows = {row.group: row.values for row in table(h, "client").rows}
    assert parts(rows["acme"]["rpc_rate"]) == (D(1), D(1))
    assert parts(rows["beta"]["rpc_rate"]) == (D(0), D(2))


def test_an_events_team_is_its_agents_and_else_the_clients():
    h = history(
        accounts=[account(1, team="east")],
        events=[
            event(1, "no_answer", agent="zed", agent_team="night"),
            event(1, "message_sent", agent="", agent_team="", channel="sms"),
        ],
    )
    rows = {row.group: row.values for row in table(h, "team").rows}
    assert parts(rows["night"]["contact_rate"]) == (D(0), D(1))
    assert set(rows) == {"east", "night"}


def test_a_metric_a_grouping_cannot_split_is_left_out_of_its_rows_but_not_the_total():
    h = history(accounts=[account(1)], events=[event(1, "no_answer")])
    by_agent = table(h, "agent")
    assert "penetration" not in by_agent.rows[0].values
    assert "penetration" in by_agent.total.values


def test_by_month_each_row_is_the_month_computed_on_its_own():
    h = history(
        accounts=[account(1)],
        events=[
            event(1, "no_answer", occurred_at=at(20, month=10)),
            event(1, "right_party_contact"),
        ],
    )
    by_month = table(h, "month", period_start=date(2026, 10, 1))
    assert [row.group for row in by_month.rows] == ["2026-10", "2026-11"]
    assert [parts(row.values["rpc_rate"]) for row in by_month.rows] == [(D(0), D(1)), (D(1), D(1))]
    assert parts(by_month.total.values["rpc_rate"]) == (D(1), D(2))


def test_periods_split_into_months_and_iso_weeks_clipped_to_the_period():
    assert periods_split(date(2026, 10, 15), date(2026, 12, 10), "month") == [
        ("2026-10", date(2026, 10, 15), date(2026, 11, 1)),
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 10)),
    ]
    weeks = periods_split(date(2026, 11, 1), date(2026, 11, 10), "week")
    assert weeks == [
        ("2026-W44", date(2026, 11, 1), date(2026, 11, 2)),
        ("2026-W45", date(2026, 11, 2), date(2026, 11, 9)),
        ("2026-W46", date(2026, 11, 9), date(2026, 11, 10)),
    ]


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_every_grouping_gives_a_table(group_by):
    h = history(accounts=[account(1)], events=[event(1, "no_answer")])
    assert table(h, group_by).group_by == group_by


def test_an_unknown_grouping_or_an_empty_period_is_refused():
    with pytest.raises(ValidationError):
        table(history(), "colour")
    with pytest.raises(ValidationError):
        table(history(), period_end=date(2026, 11, 1))
