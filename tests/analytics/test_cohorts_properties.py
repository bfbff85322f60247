"""Invariants of the roll-rate matrices and the liquidation curves over generated portfolios
(derandomized: the same examples every run; hypothesis prints a failing one)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.analytics.domain.cohorts import STAGES, liquidation_curves, roll_matrices
from tests.analytics.kpi_histories import account, history, payment

FAST = settings(max_examples=60, deadline=None, derandomize=True)
AS_OF = date(2026, 11, 30)


@st.composite
def portfolios(draw: st.DrawFn):
    count = draw(st.integers(1, 8))
    accounts = [
        account(
            pk,
            placed_on=draw(st.dates(date(2026, 6, 1), date(2026, 11, 20))),
            delinquency_date=draw(
                st.one_of(st.none(), st.dates(date(2025, 6, 1), date(2026, 11, 1)))
            ),
            status=draw(st.sampled_from(["active", "paid", "settled", "recalled", "closed"])),
            recalled_on=draw(st.one_of(st.none(), st.dates(date(2026, 6, 1), date(2026, 12, 1)))),
            updated_on=draw(st.dates(date(2026, 6, 1), date(2026, 12, 1))),
            placed_minor=draw(st.integers(1, 500_000)),
        )
        for pk in range(1, count + 1)
    ]
    payments = [
        payment(
            draw(st.integers(1, count)),
            draw(st.dates(date(2026, 5, 1), date(2026, 12, 5))),
            draw(st.integers(1, 100_000)),
            draw(st.sampled_from(["cleared", "returned"])),
        )
        for _ in range(draw(st.integers(0, 10)))
    ]
    return history(accounts=accounts, payments=payments), accounts, payments


@FAST
@given(portfolios())
def test_a_matrix_holds_every_account_open_at_the_start_of_its_month_once(portfolio):
    h, accounts, _ = portfolio
    for matrix in roll_matrices(h, months_from=date(2026, 6, 1), as_of=AS_OF):
        assert sum(matrix.counts.values()) == sum(matrix.starts.values()) <= len(accounts)
        assert all(start in STAGES for start, _end in matrix.counts)
        for stage in STAGES:
            rate = matrix.roll_rate(stage).value
            assert rate is None or 0.0 <= rate <= 1.0
            # An account never gets younger: it stays, ages or leaves.
            earlier = STAGES[: STAGES.index(stage)]
            assert not any(matrix.counts.get((stage, younger)) for younger in earlier)


@FAST
@given(portfolios())
def test_a_liquidation_curve_only_grows_and_ends_at_what_was_paid_since_placement(portfolio):
    h, accounts, payments = portfolio
    placed = {row["account_id"]: row["placed_on"] for row in accounts}
    curves = liquidation_curves(h, cohorts_from=date(2026, 1, 1), as_of=AS_OF)
    assert sum(curve.accounts for curve in curves) == len(accounts)
    last = Decimal(0)
    for curve in curves:
        amounts = [amount for _, amount, _ in curve.points]
        assert amounts == sorted(amounts)
        last += amounts[-1]
    expected = sum(
        p["amount_minor"]
        for p in payments
        if p["status"] == "cleared" and placed[p["account_id"]] <= p["paid_on"] <= AS_OF
    )
    assert last == Decimal(expected).scaleb(-2)
    assert all(
        curve.points[-1][0]
        == (AS_OF.year - int(curve.cohort[:4])) * 12 + AS_OF.month - int(curve.cohort[5:])
        for curve in curves
    )
