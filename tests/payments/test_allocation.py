"""The pure allocation rule: examples at its edges and its invariants under Hypothesis."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.arrangements.domain.errors import FieldError
from solvent.payments.domain.allocation import (
    COMPONENTS,
    DEFAULT_ORDER,
    OVERPAYMENT,
    Allocation,
    allocate,
    allocation_order_validate,
    amount_parse,
    apply,
    reverse,
)

D = Decimal

cents = st.integers(min_value=0, max_value=5_000_000).map(lambda n: D(n) / 100)
positive_cents = st.integers(min_value=1, max_value=5_000_000).map(lambda n: D(n) / 100)
balances = st.fixed_dictionaries(dict.fromkeys(COMPONENTS, cents))
orders = st.permutations(list(COMPONENTS))


def test_the_default_order_pays_fees_then_interest_then_principal() -> None:
    parts = allocate(D("70.00"), {"fees": D("25"), "interest": D("30"), "principal": D("500")})
    assert dict(parts.parts) == {
        "fees": D("25"),
        "interest": D("30"),
        "principal": D("15.00"),
        OVERPAYMENT: D("0"),
    }


def test_a_client_order_principal_first_leaves_fees_unpaid() -> None:
    parts = allocate(
        D("100.00"),
        {"fees": D("25"), "interest": D("30"), "principal": D("80")},
        ("principal", "interest", "fees"),
    )
    assert parts.parts["principal"] == D("80")
    assert parts.parts["interest"] == D("20.00")
    assert parts.parts["fees"] == 0


def test_what_exceeds_the_balance_is_an_overpayment() -> None:
    parts = allocate(D("120.00"), {"fees": D("0"), "interest": D("0"), "principal": D("100")})
    assert parts.overpayment == D("20.00")
    assert parts.nonzero() == [("principal", D("100")), (OVERPAYMENT, D("20.00"))]


def test_an_order_must_name_each_component_once() -> None:
    assert allocation_order_validate(["Principal", "fees", "interest"]) == (
        "principal",
        "fees",
        "interest",
    )
    for bad in (["fees", "fees", "principal"], ["fees", "interest"], [], ["fees", "x", "y"]):
        with pytest.raises(FieldError) as refused:
            allocation_order_validate(bad)
        assert refused.value.field == "allocation_order"


@pytest.mark.parametrize(
    ("value", "reason"),
    [("0", "above zero"), ("-5", "above zero"), ("1.005", "to the cent"), ("abc", "not an amount")],
)
def test_an_amount_is_refused_naming_the_field(value: str, reason: str) -> None:
    with pytest.raises(FieldError) as refused:
        amount_parse(value)
    assert refused.value.field == "amount"
    assert reason in refused.value.reason


def test_an_amount_is_kept_to_the_cent() -> None:
    assert amount_parse("12.5") == D("12.50")
    assert str(amount_parse(" 7 ")) == "7.00"


@given(amount=positive_cents, owed=balances, order=orders)
def test_allocations_always_sum_to_the_payment(amount, owed, order) -> None:
    assert allocate(amount, owed, order).total == amount


@given(amount=positive_cents, owed=balances, order=orders)
def test_no_component_goes_below_zero(amount, owed, order) -> None:
    after = apply(owed, allocate(amount, owed, order))
    assert all(after[name] >= 0 for name in COMPONENTS)


@given(amount=positive_cents, owed=balances, order=orders)
def test_a_later_component_gets_nothing_while_an_earlier_one_is_unpaid(amount, owed, order) -> None:
    allocation = allocate(amount, owed, order)
    after = apply(owed, allocation)
    for position, component in enumerate(order):
        if after[component] > 0:
            assert all(allocation.parts[later] == 0 for later in order[position + 1 :])
            assert allocation.overpayment == 0


@given(amount=positive_cents, owed=balances, order=orders)
def test_allocate_then_reverse_restores_every_component_exactly(amount, owed, order) -> None:
    allocation = allocate(amount, owed, order)
    undone = reverse(allocation)
    assert undone.total == -amount
    assert apply(apply(owed, allocation), undone) == owed


@given(amounts=st.lists(positive_cents, min_size=1, max_size=6), owed=balances, order=orders)
def test_partial_payments_in_sequence_equal_one_payment_of_their_sum(amounts, owed, order) -> None:
    running = dict(owed)
    overpaid = D(0)
    for amount in amounts:
        allocation = allocate(amount, running, order)
        running = apply(running, allocation)
        overpaid += allocation.overpayment
    once = allocate(sum(amounts, D(0)), owed, order)
    assert running == apply(owed, once)
    assert overpaid == once.overpayment


def test_reverse_is_the_exact_negation() -> None:
    allocation = Allocation(parts={"fees": D("1.10"), "principal": D("2.00")})
    assert dict(reverse(allocation).parts) == {"fees": D("-1.10"), "principal": D("-2.00")}
    assert DEFAULT_ORDER == ("fees", "interest", "principal")
