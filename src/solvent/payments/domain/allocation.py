"""How a payment is split across an account's balance components, and how a reversal undoes it.

Pure: no Django, no clock. A payment pays the components in the client's order (fees, interest,
principal by default), each up to what it owes; whatever is left once every component is paid is
an overpayment (a credit the agency refunds or applies by hand). A reversal is the exact negation
of what the payment allocated, so posting then reversing leaves every component where it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from solvent.arrangements.domain.errors import FieldError

COMPONENTS = ("fees", "interest", "principal")
DEFAULT_ORDER: tuple[str, ...] = ("fees", "interest", "principal")
OVERPAYMENT = "overpayment"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def allocation_order_validate(
    order: Iterable[str], field: str = "allocation_order"
) -> tuple[str, ...]:
    """The order as a tuple, or a FieldError unless it names fees, interest and principal once each."""
    try:
        names = tuple(str(name).strip().lower() for name in order)
    except TypeError:
        raise FieldError(field, "give a list such as fees, interest, principal") from None
    if sorted(names) != sorted(COMPONENTS):
        raise FieldError(
            field,
            f"{', '.join(names) or 'nothing'} is not an order of fees, interest and principal "
            "(each named once)",
        )
    return names


def amount_parse(value: Decimal | str | int, field: str = "amount") -> Decimal:
    """A positive amount to the cent; a FieldError naming ``field`` otherwise."""
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise FieldError(field, f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0:
        raise FieldError(field, "enter an amount above zero")
    if amount != amount.quantize(CENT):
        raise FieldError(field, "enter the amount to the cent (two decimal places at most)")
    return amount.quantize(CENT)


@dataclass(frozen=True, slots=True)
class Allocation:
    """What one payment (or its reversal) does to each component, overpayment included."""

    parts: Mapping[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.parts.values(), ZERO)

    @property
    def overpayment(self) -> Decimal:
        return self.parts.get(OVERPAYMENT, ZERO)

    def nonzero(self) -> list[tuple[str, Decimal]]:
        """The (component, amount) pairs worth a ledger row, in the order they were paid."""
        return [(name, amount) for name, amount in self.parts.items() if amount != 0]


def allocate(
    amount: Decimal, balances: Mapping[str, Decimal], order: Sequence[str] = DEFAULT_ORDER
) -> Allocation:
    """Split ``amount`` over the components in ``order``, each up to its balance (a negative or
    missing balance counts as nothing owed); the rest is the overpayment."""
    if amount <= 0:
        raise FieldError("amount", "enter an amount above zero")
    order = allocation_order_validate(order)
    left = amount
    parts: dict[str, Decimal] = {}
    for component in order:
        owed = max(balances.get(component, ZERO), ZERO)
        part = min(left, owed)
        parts[component] = part
        left -= part
    parts[OVERPAYMENT] = left
    return Allocation(parts=MappingProxyType(parts))


def reverse(allocation: Allocation) -> Allocation:
    """The exact negation of an allocation: applied, it restores every component."""
    return Allocation(
        parts=MappingProxyType({name: -amount for name, amount in allocation.parts.items()})
    )


def apply(balances: Mapping[str, Decimal], allocation: Allocation) -> dict[str, Decimal]:
    """The components after an allocation: each owes less by what it was paid (an overpayment
    moves no component)."""
    return {
        component: balances.get(component, ZERO) - allocation.parts.get(component, ZERO)
        for component in COMPONENTS
    }
