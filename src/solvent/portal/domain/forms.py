"""Reading what the debtor typed: amounts, dates and times, each refused with the key of the words
that say why (domain.texts), so the page can show the reason beside the field in the page's
language. Pure: ``today`` and the balance come in as arguments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation

from solvent.portal.domain.texts import money


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    key: str  # a key of domain.texts
    values: tuple[tuple[str, str], ...] = ()  # what the words' placeholders are filled with


class FormProblemsError(Exception):
    """One or more fields refused; ``problems`` in the order of the form."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(f"{p.field}: {p.key}" for p in problems))
        self.problems = problems


def amount_read(
    text: str, *, field: str, balance: Decimal | None = None, currency: str = "USD"
) -> Decimal:
    """An amount above zero, to the cent, not above ``balance`` when one is given."""
    cleaned = text.strip().replace(",", "").lstrip("$")
    try:
        amount = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        raise FormProblemsError([Problem(field, "err_amount")]) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise FormProblemsError([Problem(field, "err_amount")])
    if balance is not None and amount > balance:
        shown = (("balance", money(balance, currency)),)
        raise FormProblemsError([Problem(field, "err_amount_over", shown)])
    return amount.quantize(Decimal("0.01"))


def figure_read(text: str, *, field: str) -> Decimal:
    """A statement figure: empty is zero; otherwise zero or more, to the cent."""
    cleaned = text.strip().replace(",", "").lstrip("$")
    if not cleaned:
        return Decimal(0)
    try:
        amount = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        raise FormProblemsError([Problem(field, "err_figure")]) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise FormProblemsError([Problem(field, "err_figure")])
    return amount.quantize(Decimal("0.01"))


def date_read(text: str, *, field: str, today: date) -> date:
    """A date today or later (``YYYY-MM-DD``, what a date input sends)."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise FormProblemsError([Problem(field, "err_date")]) from None
    if value < today:
        raise FormProblemsError([Problem(field, "err_date_past")])
    return value


def time_read(text: str, *, field: str) -> time | None:
    """A time of day (``HH:MM``), or None when left empty."""
    value = text.strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise FormProblemsError([Problem(field, "err_time")]) from None


def choice_read(text: str, *, field: str, allowed: tuple[str, ...]) -> str:
    if text not in allowed:
        raise FormProblemsError([Problem(field, "err_choice")])
    return text


def gather(problems: list[Problem]) -> None:
    """Raise every problem found at once, so the person fixes them all in one go."""
    if problems:
        raise FormProblemsError(problems)
