"""The settlement rule, without a database: the floor's boundary, the refusals, the stages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.payments.domain.settlement import (
    SettlementError,
    floor_for,
    percent_of,
    settlement_amount_for_percent,
    settlement_quote,
    settlement_stage,
)

D = Decimal
TODAY = date(2026, 12, 2)
FLOORS = {"early": "95", "middle": "85", "late": "70"}


def _quote(amount: str, *, balance: str = "1000.00", stage: str = "middle", **kwargs):
    arguments: dict[str, Any] = {
        "balance": D(balance),
        "stage": stage,
        "floors": FLOORS,
        "expiry_days": 30,
        "amount": D(amount),
        "due_on": TODAY + timedelta(days=10),
        "today": TODAY,
    }
    arguments.update(kwargs)
    return settlement_quote(**arguments)


def test_exactly_at_the_floor_is_within_authority_and_one_cent_below_needs_approval() -> None:
    at = _quote("850.00")
    below = _quote("849.99")
    assert (at.percent, at.floor_percent, at.within_authority) == (D("85.00"), D("85"), True)
    assert (below.percent, below.within_authority, below.needs_approval) == (
        D("84.99"),
        False,
        True,
    )


def test_the_offer_expires_after_the_clients_days_and_says_its_stage() -> None:
    quote = _quote("900.00", stage="late", expiry_days=14, due_on=TODAY + timedelta(days=14))
    assert quote.expires_on == date(2026, 12, 16)
    assert (quote.stage, quote.floor_percent, quote.within_authority) == ("late", D("70"), True)


@pytest.mark.parametrize(
    ("amount", "balance", "due_on", "field", "code"),
    [
        ("0", "1000.00", TODAY, "amount", "amount_not_positive"),
        ("-1", "1000.00", TODAY, "amount", "amount_not_positive"),
        ("1000.00", "1000.00", TODAY, "amount", "amount_not_below_balance"),
        ("1200.00", "1000.00", TODAY, "amount", "amount_not_below_balance"),
        ("500.005", "1000.00", TODAY, "amount", "amount_cents"),
        ("10", "0.00", TODAY, "amount", "nothing_owed"),
        ("900", "1000.00", TODAY - timedelta(days=1), "due_on", "due_past"),
        ("900", "1000.00", TODAY + timedelta(days=31), "due_on", "due_after_expiry"),
    ],
)
def test_what_is_no_settlement_is_refused_naming_the_field(
    amount: str, balance: str, due_on: date, field: str, code: str
) -> None:
    with pytest.raises(SettlementError) as refused:
        _quote(amount, balance=balance, due_on=due_on)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_the_due_date_may_be_today_or_the_last_day_of_the_offer() -> None:
    assert _quote("900", due_on=TODAY).due_on == TODAY
    assert _quote("900", due_on=TODAY + timedelta(days=30)).expires_on == TODAY + timedelta(days=30)


@pytest.mark.parametrize(
    "floors",
    [
        {},
        {"middle": None},
        {"middle": "lots"},
        {"middle": "0"},
        {"middle": "120"},
        {"middle": True},
        ["85"],
        None,
    ],
)
def test_a_stage_without_a_usable_floor_needs_approval_whatever_the_amount(
    floors: object,
) -> None:
    quote = _quote("999.99", floors=floors)
    assert quote.floor_percent is None
    assert quote.needs_approval


@pytest.mark.parametrize(
    ("days", "stage"),
    [(0, "early"), (1, "early"), (30, "early"), (31, "middle"), (90, "middle"), (91, "late")],
)
def test_the_stage_of_the_floors(days: int, stage: str) -> None:
    assert settlement_stage(days) == stage


def test_the_percent_is_rounded_down() -> None:
    assert percent_of(D("2.00"), D("3.00")) == D("66.66")
    assert floor_for({"early": 95}, "early") == D("95")


balances = st.decimals(min_value=D("0.02"), max_value=D("1000000"), places=2)
floors = st.decimals(min_value=D("0.01"), max_value=D("99.99"), places=2)


@given(balance=balances, floor=floors)
def test_the_lowest_amount_within_authority_is_within_and_a_cent_less_is_not(
    balance: Decimal, floor: Decimal
) -> None:
    lowest = settlement_amount_for_percent(floor, balance)
    if lowest <= 0 or lowest >= balance:
        return  # no settlement at that floor on so small a balance
    floors_given = {"middle": str(floor)}
    assert _quote(str(lowest), balance=str(balance), floors=floors_given).within_authority
    less = lowest - D("0.01")
    if less > 0:
        assert _quote(str(less), balance=str(balance), floors=floors_given).needs_approval


@given(balance=balances, amount=balances, floor=floors)
def test_within_authority_exactly_when_the_share_reaches_the_floor(
    balance: Decimal, amount: Decimal, floor: Decimal
) -> None:
    if amount >= balance:
        return
    quote = _quote(str(amount), balance=str(balance), floors={"middle": str(floor)})
    share = Fraction(amount) / Fraction(balance) * 100
    assert quote.within_authority == (share >= Fraction(floor))
    assert Fraction(quote.percent) <= share < Fraction(quote.percent + D("0.01"))
    # The rounded percent never puts an offer on the wrong side of the floor.
    assert quote.within_authority == (quote.percent >= floor)
