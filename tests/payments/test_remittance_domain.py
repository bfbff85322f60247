"""The remittance sums as pure rules: no database, milliseconds each."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.arrangements.domain.errors import FieldError
from solvent.payments.domain.remittance import (
    LINE_COLUMNS,
    Line,
    LineKind,
    Mode,
    Statement,
    commission_of,
    figures_of,
    month_period,
    statement_csv,
)


def _line(kind: LineKind, amount: str, payment_id: int = 1, reference: str = "R") -> Line:
    return Line(
        kind=kind,
        payment_id=payment_id,
        account_number="HB-1",
        paid_on=date(2026, 3, 31),
        amount=Decimal(amount),
        method="card",
        reference=reference,
        status="cleared" if kind is LineKind.COLLECTED else "returned",
    )


def test_a_month_runs_from_its_first_to_its_last_day_leap_years_included() -> None:
    assert month_period("2026-03") == (date(2026, 3, 1), date(2026, 3, 31))
    assert month_period("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_period(" 2026-12 ") == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "March", "2026-00", ""])
def test_a_month_that_is_not_one_is_refused_naming_the_field(month: str) -> None:
    with pytest.raises(FieldError) as refused:
        month_period(month)
    assert refused.value.field == "month"
    assert "YYYY-MM" in refused.value.reason


def test_net_mode_keeps_the_commission_and_remits_the_rest() -> None:
    lines = [_line(LineKind.COLLECTED, "100.00", 1), _line(LineKind.COLLECTED, "50.00", 2)]
    figures = figures_of(lines, commission_rate=Decimal("0.2500"), mode=Mode.NET)
    assert (figures.collected, figures.collected_count) == (Decimal("150.00"), 2)
    assert figures.commission == Decimal("37.50")
    assert figures.remit == Decimal("112.50")
    assert figures.invoice == Decimal("0.00")


def test_gross_mode_remits_everything_and_invoices_the_commission() -> None:
    lines = [_line(LineKind.COLLECTED, "100.00", 1), _line(LineKind.COLLECTED, "50.00", 2)]
    figures = figures_of(lines, commission_rate=Decimal("0.2500"), mode=Mode.GROSS)
    assert figures.remit == Decimal("150.00")
    assert figures.invoice == figures.commission == Decimal("37.50")


def test_the_commission_rounds_half_up_to_the_cent() -> None:
    assert commission_of(Decimal("0.02"), Decimal("0.25")) == Decimal("0.01")  # 0.005 up
    assert commission_of(Decimal("0.06"), Decimal("0.25")) == Decimal("0.02")  # 0.015 up
    assert commission_of(Decimal("10.01"), Decimal("0.3333")) == Decimal("3.34")  # 3.336333
    assert commission_of(Decimal("10.00"), Decimal("0.1234")) == Decimal("1.23")  # 1.234


def test_more_deducted_than_collected_gives_a_negative_net_and_a_commission_credit() -> None:
    lines = [_line(LineKind.COLLECTED, "20.00", 1), _line(LineKind.DEDUCTION, "100.02", 2)]
    figures = figures_of(lines, commission_rate=Decimal("0.25"), mode=Mode.NET)
    assert figures.net_collected == Decimal("-80.02")
    assert figures.commission == Decimal("-20.01")  # -20.005, half away from zero
    assert figures.remit == Decimal("-60.01")


def test_pending_payments_are_listed_apart_and_not_counted() -> None:
    lines = [_line(LineKind.COLLECTED, "10.00", 1), _line(LineKind.PENDING, "99.00", 2)]
    figures = figures_of(lines, commission_rate=Decimal("0.25"), mode=Mode.NET)
    assert figures.net_collected == Decimal("10.00")
    assert (figures.pending, figures.pending_count) == (Decimal("99.00"), 1)


def test_an_empty_period_is_all_zeros() -> None:
    figures = figures_of([], commission_rate=Decimal("0.25"), mode=Mode.NET)
    assert (figures.collected, figures.commission, figures.remit) == (Decimal("0"),) * 3
    assert figures.collected_count == figures.deductions_count == 0


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(FieldError) as refused:
        figures_of([], commission_rate=Decimal("25"), mode=Mode.NET)
    assert refused.value.field == "commission_rate"


_amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2, allow_nan=False
)
_lines = st.lists(
    st.tuples(st.sampled_from(list(LineKind)), _amounts), min_size=0, max_size=30
).map(
    lambda rows: [
        _line(kind, str(amount), payment_id) for payment_id, (kind, amount) in enumerate(rows)
    ]
)
_rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=4, allow_nan=False)


@given(lines=_lines, rate=_rates)
def test_in_net_mode_remit_plus_commission_is_the_net_collected(
    lines: list[Line], rate: Decimal
) -> None:
    figures = figures_of(lines, commission_rate=rate, mode=Mode.NET)
    assert figures.remit + figures.commission == figures.net_collected
    assert figures.commission == figures.commission.quantize(Decimal("0.01"))
    assert abs(figures.commission - figures.net_collected * rate) <= Decimal("0.005")


@given(lines=_lines, rate=_rates, mode=st.sampled_from(list(Mode)))
def test_the_figures_are_the_sums_of_their_lines(
    lines: list[Line], rate: Decimal, mode: Mode
) -> None:
    figures = figures_of(lines, commission_rate=rate, mode=mode)

    def total(kind: LineKind) -> Decimal:
        return sum((line.amount for line in lines if line.kind is kind), Decimal(0))

    assert figures.collected == total(LineKind.COLLECTED)
    assert figures.deductions == total(LineKind.DEDUCTION)
    assert figures.pending == total(LineKind.PENDING)
    assert figures.net_collected == figures.collected - figures.deductions
    assert figures.collected_count == sum(1 for line in lines if line.kind is LineKind.COLLECTED)
    if mode is Mode.GROSS:
        assert (figures.remit, figures.invoice) == (figures.net_collected, figures.commission)


@given(net=st.decimals(min_value=Decimal("0"), max_value=Decimal("1e9"), places=2), rate=_rates)
def test_a_credit_is_the_exact_negation_of_the_commission_on_the_same_amount(
    net: Decimal, rate: Decimal
) -> None:
    assert commission_of(-net, rate) == -commission_of(net, rate)


def test_the_csv_has_the_lines_then_the_figures_and_no_cell_starts_a_formula() -> None:
    lines = [
        _line(LineKind.COLLECTED, "100.00", 1, reference="=HYPERLINK(1)"),
        _line(LineKind.DEDUCTION, "40.00", 2),
    ]
    figures = figures_of(lines, commission_rate=Decimal("0.25"), mode=Mode.NET)
    statement = Statement(
        client_code="harbor",
        client_name="Harbor Bank",
        currency="GBP",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        figures=figures,
        lines=lines,
    )
    rows = list(csv.reader(io.StringIO(statement_csv(statement))))
    assert tuple(rows[0]) == LINE_COLUMNS
    assert rows[1][0] == "collected"
    assert rows[1][LINE_COLUMNS.index("reference")] == "'=HYPERLINK(1)"
    assert rows[2][0] == "deduction"
    assert rows[3] == []
    figures_by_name = {row[0]: row[1] for row in rows[4:]}
    assert figures_by_name["net_collected"] == "60.00"
    assert figures_by_name["commission"] == "15.00"
    assert figures_by_name["remit"] == "45.00"
    assert figures_by_name["issued_at"] == "not issued (preview)"
