"""Arrangements' pure rules: the statement's monthly figures, the proposal, kept or broken."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.proposal import (
    MAX_INSTALMENTS,
    ProposalRefusedError,
    add_months,
    affordable_per_period,
    plan_propose,
)
from solvent.arrangements.domain.statement import (
    CATEGORIES,
    LINES,
    Frequency,
    LineInput,
    Side,
    statement_build,
)
from solvent.arrangements.domain.status import (
    InstalmentStatus,
    Payment,
    PlanOutcome,
    PromiseStatus,
    instalment_statuses,
    plan_outcome,
    promise_status,
)
from solvent.arrangements.domain.vulnerability import advice_providers

D = Decimal
FIRST = date(2027, 1, 31)


# --- the statement ---------------------------------------------------------------------------


def test_the_sfs_groups_are_all_there_with_their_sides() -> None:
    income = [c.code for c in CATEGORIES if c.side is Side.INCOME]
    spending = [c.code for c in CATEGORIES if c.side is Side.EXPENDITURE]
    assert income == ["earnings", "benefits", "pensions", "other_income"]
    assert spending == [
        "home",
        "travel",
        "food",
        "personal",
        "communications",
        "priority_debts",
        "other_expenditure",
    ]
    assert {"priority_debts.council_tax_arrears", "priority_debts.energy_arrears"} <= LINES.keys()
    assert all(code.startswith(kind.category.code + ".") for code, kind in LINES.items())


def test_weekly_is_52_twelfths_and_fortnightly_26_twelfths() -> None:
    statement = statement_build(
        "GBP",
        [
            LineInput("earnings.wages", D("300"), Frequency.WEEKLY),  # 1300.00
            LineInput("benefits.child_benefit", D("100"), Frequency.FORTNIGHTLY),  # 216.67
            LineInput("home.rent", D("650"), Frequency.MONTHLY),
            LineInput("food.groceries", D("50"), Frequency.WEEKLY),  # 216.67
        ],
    )
    assert statement.income == D("1516.67")
    assert statement.expenditure == D("866.67")
    assert statement.disposable == D("650.00")


def test_an_unknown_line_or_a_negative_amount_is_refused_naming_the_line() -> None:
    with pytest.raises(FieldError) as unknown:
        statement_build("GBP", [LineInput("home.yacht", D("1"))])
    assert unknown.value.field == "home.yacht"
    with pytest.raises(FieldError) as negative:
        statement_build("GBP", [LineInput("home.rent", D("-1"))])
    assert negative.value.field == "home.rent"


amounts = st.decimals(min_value=D("0"), max_value=D("100000"), places=2)
frequencies = st.sampled_from(list(Frequency))
line_codes = st.sampled_from(sorted(LINES))


@given(st.lists(st.tuples(line_codes, amounts, frequencies), max_size=20))
def test_totals_are_the_sums_of_the_lines_and_disposable_is_their_difference(entries) -> None:
    statement = statement_build("GBP", [LineInput(c, a, f) for c, a, f in entries])
    income = sum(
        (line.monthly for line in statement.lines if line.kind.category.side == "income"), D(0)
    )
    assert statement.income == income
    assert statement.income + statement.expenditure == sum(
        (line.monthly for line in statement.lines), D(0)
    )
    assert statement.disposable == statement.income - statement.expenditure
    assert sum((total for _c, total in statement.by_category()), D(0)) == sum(
        (line.monthly for line in statement.lines), D(0)
    )


# --- the proposal ----------------------------------------------------------------------------


def test_a_plan_uses_the_disposable_income_and_the_last_instalment_is_what_is_left() -> None:
    proposal = plan_propose(
        total=D("1000.00"),
        currency="GBP",
        disposable_monthly=D("300.00"),
        frequency=Frequency.MONTHLY,
        first_due_on=FIRST,
    )
    assert [i.amount for i in proposal.instalments] == [D("300.00")] * 3 + [D("100.00")]
    assert [i.due_on for i in proposal.instalments] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_weekly_affordability_is_the_monthly_figure_times_12_over_52_rounded_down() -> None:
    assert affordable_per_period(D("100.00"), Frequency.WEEKLY, "GBP") == D("23.07")
    assert affordable_per_period(D("100.00"), Frequency.FORTNIGHTLY, "GBP") == D("46.15")


def test_an_instalment_over_the_disposable_income_is_refused_with_the_reason() -> None:
    with pytest.raises(ProposalRefusedError) as refused:
        plan_propose(
            total=D("1000.00"),
            currency="GBP",
            disposable_monthly=D("120.00"),
            frequency=Frequency.MONTHLY,
            first_due_on=FIRST,
            instalment=D("150.00"),
        )
    assert refused.value.field == "instalment"
    assert "more than the disposable income allows (120.00 GBP monthly)" in refused.value.message


def test_no_disposable_income_is_no_plan_and_says_debt_advice() -> None:
    with pytest.raises(ProposalRefusedError) as refused:
        plan_propose(
            total=D("10.00"),
            currency="GBP",
            disposable_monthly=D("-40.00"),
            frequency=Frequency.WEEKLY,
            first_due_on=FIRST,
        )
    assert refused.value.code == "plan_unaffordable"
    assert "debt advice" in refused.value.message


def test_a_plan_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(ProposalRefusedError) as refused:
        plan_propose(
            total=D("10000.00"),
            currency="GBP",
            disposable_monthly=D("50.00"),
            frequency=Frequency.MONTHLY,
            first_due_on=FIRST,
        )
    assert refused.value.code == "plan_too_long"


@given(
    total=st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2),
    disposable=st.decimals(min_value=D("1"), max_value=D("5000"), places=2),
    frequency=st.sampled_from([Frequency.WEEKLY, Frequency.FORTNIGHTLY, Frequency.MONTHLY]),
    share=st.decimals(min_value=D("0.01"), max_value=D("1"), places=2),
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
)
def test_instalments_sum_to_the_total_and_never_exceed_what_is_affordable(
    total, disposable, frequency, share, first
) -> None:
    affordable = affordable_per_period(disposable, frequency, "GBP")
    asked = (affordable * share).quantize(D("0.01"))
    try:
        proposal = plan_propose(
            total=total,
            currency="GBP",
            disposable_monthly=disposable,
            frequency=frequency,
            first_due_on=first,
            instalment=asked,
        )
    except FieldError as refusal:
        assert refusal.code in {"plan_too_long", "invalid_instalment", "plan_unaffordable"}
        return
    amounts = [i.amount for i in proposal.instalments]
    assert sum(amounts, D(0)) == total
    assert all(D(0) < amount <= affordable for amount in amounts)
    assert all(amount == proposal.instalment for amount in amounts[:-1])
    assert 1 <= proposal.count <= MAX_INSTALMENTS
    dates = [i.due_on for i in proposal.instalments]
    assert dates[0] == first and dates == sorted(set(dates))
    assert [i.number for i in proposal.instalments] == list(range(1, proposal.count + 1))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 400))
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months) -> None:
    moved = add_months(start, months)
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months
    assert moved.day == start.day or (moved + timedelta(days=1)).day == 1


# --- kept or broken --------------------------------------------------------------------------

DUE = date(2027, 3, 10)


@pytest.mark.parametrize(
    ("payments", "today", "expected"),
    [
        ([], date(2027, 3, 13), PromiseStatus.PENDING),  # within the 3 days' grace
        ([], date(2027, 3, 14), PromiseStatus.BROKEN),
        ([Payment(date(2027, 3, 12), D("100"))], date(2027, 3, 12), PromiseStatus.KEPT),
        ([Payment(date(2027, 3, 9), D("40"))], date(2027, 3, 11), PromiseStatus.PENDING),
        ([Payment(date(2027, 3, 9), D("40"))], date(2027, 3, 20), PromiseStatus.PARTLY_KEPT),
        ([Payment(date(2027, 3, 20), D("100"))], date(2027, 3, 21), PromiseStatus.BROKEN),
    ],
)
def test_promise_status(payments, today, expected) -> None:
    assert promise_status(amount=D("100"), due_on=DUE, payments=payments, today=today) == expected


def test_payments_fill_instalments_in_order_and_a_late_one_does_not_rescue_a_missed_one() -> None:
    proposal = plan_propose(
        total=D("300"),
        currency="GBP",
        disposable_monthly=D("100"),
        frequency=Frequency.MONTHLY,
        first_due_on=DUE,
    )
    payments = [Payment(date(2027, 3, 10), D("100")), Payment(date(2027, 4, 30), D("200"))]
    statuses = instalment_statuses(proposal.instalments, payments, today=date(2027, 5, 1))
    # The 200 paid on 30 April came after the second's deadline: it pays the third, early.
    assert statuses == [InstalmentStatus.PAID, InstalmentStatus.MISSED, InstalmentStatus.PAID]
    assert plan_outcome(statuses) == PlanOutcome.BROKEN
    done = instalment_statuses(
        proposal.instalments,
        [Payment(DUE, D("300"))],
        today=date(2027, 3, 11),
    )
    assert plan_outcome(done) == PlanOutcome.COMPLETED


@given(
    st.lists(
        st.tuples(
            st.integers(0, 120), st.decimals(min_value=D("0.01"), max_value=D("500"), places=2)
        ),
        max_size=8,
    ),
    st.integers(0, 150),
)
def test_paid_instalments_never_take_more_than_was_paid_by_their_deadline(raw, day) -> None:
    proposal = plan_propose(
        total=D("900"),
        currency="GBP",
        disposable_monthly=D("300"),
        frequency=Frequency.MONTHLY,
        first_due_on=DUE,
    )
    payments = [Payment(DUE + timedelta(days=offset), amount) for offset, amount in raw]
    today = DUE + timedelta(days=day)
    statuses = instalment_statuses(proposal.instalments, payments, today=today)
    paid_through = D(0)
    for instalment, status in zip(proposal.instalments, statuses, strict=True):
        paid_through += instalment.amount
        deadline = instalment.due_on + timedelta(days=3)
        by_deadline = sum((p.amount for p in payments if p.paid_on <= deadline), D(0))
        assert (status is InstalmentStatus.PAID) == (by_deadline >= paid_through)
        if status is InstalmentStatus.PENDING:
            assert today <= deadline


def test_debt_advice_by_country() -> None:
    assert advice_providers("GB")[0].name == "MoneyHelper"
    assert [p.code for p in advice_providers("im")] == [p.code for p in advice_providers("GB")]
    assert advice_providers("US")[0].code == "nfcc"
    assert advice_providers("ZZ") == ()
