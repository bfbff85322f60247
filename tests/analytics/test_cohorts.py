"""Liquidation curves, roll-rate matrices and the bucket of an account at a date, by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from solvent.analytics.domain.cohorts import (
    BUCKETS,
    STAGES,
    account_exits,
    bucket_at,
    liquidation_curves,
    roll_matrices,
)
from solvent.analytics.domain.reports import Ratio
from solvent.portfolio.domain.aging import stage_for
from tests.analytics.kpi_histories import account, history, payment

D = Decimal


def _bucket(h, day: date) -> list[str | None]:
    codes = (account_exits(h).sort("account_id").select(bucket_at(day).alias("bucket")).collect())[
        "bucket"
    ]
    return [None if code is None else BUCKETS[code] for code in codes.to_list()]


@pytest.mark.parametrize("days", [0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 180, 181, 400])
def test_the_stage_at_a_date_is_the_portfolios_stage_of_its_days_past_due(days):
    on = date(2026, 11, 1)
    h = history(accounts=[account(1, delinquency_date=date.fromordinal(on.toordinal() - days))])
    assert _bucket(h, on) == [stage_for(days).value]


def test_an_account_not_yet_placed_has_no_bucket_and_one_that_left_is_in_its_exit():
    h = history(
        accounts=[
            account(1, placed_on=date(2026, 11, 1)),  # placed that day: not yet at its start
            account(2, status="paid", updated_on=date(2026, 12, 1)),
            account(3, status="recalled", recalled_on=date(2026, 10, 31)),
            account(4, status="settled", settled_on=date(2026, 10, 2)),
            account(5, status="closed", updated_on=date(2026, 10, 3)),
            account(6, status="disputed", delinquency_date=None),
        ],
        payments=[payment(2, date(2026, 10, 30), 100_000)],
    )
    assert _bucket(h, date(2026, 11, 1)) == [
        None,
        "paid",
        "recalled",
        "settled",
        "closed",
        "current",
    ]
    # The day before the recall it was still in its stage.
    assert _bucket(h, date(2026, 10, 31))[2] == "121-180"


def test_a_paid_account_left_on_its_last_cleared_payment_not_a_returned_one():
    h = history(
        accounts=[account(1, status="paid", updated_on=date(2026, 11, 20))],
        payments=[
            payment(1, date(2026, 11, 5), 100_000),
            payment(1, date(2026, 11, 9), 1_000, status="returned"),
        ],
    )
    assert account_exits(h).collect()["exit_on"].to_list() == [date(2026, 11, 5)]


def test_a_roll_rate_matrix_counts_moves_from_the_start_of_the_month_to_its_end():
    h = history(
        accounts=[
            account(1, delinquency_date=date(2026, 10, 20)),  # 12 DPD on Nov 1 -> 42 on Dec 1
            account(2, delinquency_date=date(2026, 10, 20), status="paid"),  # paid in November
            account(3, delinquency_date=date(2026, 8, 1)),  # 92 -> 122
            account(4, delinquency_date=date(2026, 3, 1)),  # 180+ stays
            account(5, placed_on=date(2026, 11, 15)),  # placed in the month: not in it
            account(6, status="recalled", recalled_on=date(2026, 10, 1)),  # gone before
        ],
        payments=[payment(2, date(2026, 11, 18), 100_000)],
    )
    (november,) = roll_matrices(h, months_from=date(2026, 11, 1), as_of=date(2026, 11, 30))
    assert november.month == "2026-11"
    assert november.counts == {
        ("1-30", "31-60"): 1,
        ("1-30", "paid"): 1,
        ("91-120", "121-180"): 1,
        ("180+", "180+"): 1,
    }
    assert november.starts["1-30"] == 2
    assert november.roll_rate("1-30") == Ratio(D(1), D(2))
    assert november.roll_rate("current").value is None
    assert november.buckets[: len(STAGES)] == STAGES


def test_a_month_still_running_has_no_matrix():
    h = history(accounts=[account(1)])
    matrices = roll_matrices(h, months_from=date(2026, 10, 15), as_of=date(2026, 11, 29))
    assert [m.month for m in matrices] == ["2026-10"]


def test_liquidation_curves_accumulate_cleared_payments_by_months_since_placement():
    h = history(
        accounts=[
            account(1, placed_on=date(2026, 9, 10), placed_minor=100_000),
            account(2, placed_on=date(2026, 9, 25), placed_minor=100_000),
            account(3, placed_on=date(2026, 10, 2), placed_minor=50_000),
            account(4, placed_on=date(2026, 10, 2), placed_minor=70_000, currency="GBP"),
            account(5, placed_on=date(2026, 7, 2)),  # before the first cohort asked for
        ],
        payments=[
            payment(1, date(2026, 9, 30), 10_000),  # month 0
            payment(2, date(2026, 11, 1), 20_000),  # month 2
            payment(2, date(2026, 11, 2), 50_000, status="returned"),
            payment(3, date(2026, 10, 31), 5_000),  # month 0 of October's cohort
            payment(3, date(2026, 11, 16), 5_000),  # after as_of
        ],
    )
    curves = liquidation_curves(h, cohorts_from=date(2026, 9, 15), as_of=date(2026, 11, 15))
    assert [(c.cohort, c.currency, c.accounts, c.placed) for c in curves] == [
        ("2026-09", "USD", 2, D("2000.00")),
        ("2026-10", "GBP", 1, D("700.00")),
        ("2026-10", "USD", 1, D("500.00")),
    ]
    september = curves[0]
    assert [(m, amount) for m, amount, _ in september.points] == [
        (0, D("100.00")),
        (1, D("100.00")),
        (2, D("300.00")),
    ]
    assert september.points[-1][2] == Ratio(D("300.00"), D("2000.00"))
    assert [amount for _, amount, _ in curves[2].points] == [D("50.00"), D("50.00")]


def test_payments_before_placement_are_not_liquidation():
    h = history(
        accounts=[account(1, placed_on=date(2026, 10, 10))],
        payments=[payment(1, date(2026, 10, 1), 10_000)],
    )
    (curve,) = liquidation_curves(h, cohorts_from=date(2026, 10, 1), as_of=date(2026, 10, 31))
    assert curve.points == ((0, D("0.00"), Ratio(D("0.00"), D("1000.00"))),)
