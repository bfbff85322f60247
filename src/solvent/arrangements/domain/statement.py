"""Income and expenditure after the UK Standard Financial Statement (SFS), and disposable income.

The SFS (Money Advice Trust, used by UK creditors and debt advisers) groups a household's money into
income (earnings, benefits, pensions, other) and spending (home and contents, travel, food and
housekeeping, personal costs, communications and leisure, priority debts, other). Each line here has
a stable code (``<group>.<line>``; Solvent's own keys, the SFS publishes names, not codes) and the
SFS's label. Amounts are entered at the frequency the debtor knows them and compared monthly:
weekly x 52 / 12, fortnightly x 26 / 12, four-weekly x 13 / 12, yearly / 12.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from solvent.arrangements.domain.errors import FieldError
from solvent.core.domain.money import minor_units


class Side(StrEnum):
    INCOME = "income"
    EXPENDITURE = "expenditure"


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    FOUR_WEEKLY = "four_weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


# Periods per year: a monthly amount is amount x periods / 12.
PERIODS_PER_YEAR: dict[Frequency, int] = {
    Frequency.WEEKLY: 52,
    Frequency.FORTNIGHTLY: 26,
    Frequency.FOUR_WEEKLY: 13,
    Frequency.MONTHLY: 12,
    Frequency.YEARLY: 1,
}


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    label: str
    side: Side


@dataclass(frozen=True, slots=True)
class LineKind:
    code: str
    label: str
    category: Category


def _category(code: str, label: str, side: Side, lines: Sequence[tuple[str, str]]) -> None:
    category = Category(code, label, side)
    CATEGORIES.append(category)
    for line_code, line_label in lines:
        LINES[f"{code}.{line_code}"] = LineKind(f"{code}.{line_code}", line_label, category)


CATEGORIES: list[Category] = []
LINES: dict[str, LineKind] = {}

_category(
    "earnings",
    "Earnings",
    Side.INCOME,
    [("wages", "Wages or salary (after tax)"), ("partner_wages", "Partner's wages or salary"),
     ("self_employed", "Self-employed income"), ("other_earnings", "Other earnings")],
)  # fmt: skip
_category(
    "benefits",
    "Benefits and tax credits",
    Side.INCOME,
    [("universal_credit", "Universal Credit"), ("housing", "Housing benefit"),
     ("disability", "Disability benefits (PIP, DLA, ESA)"), ("child_benefit", "Child Benefit"),
     ("other_benefits", "Other benefits")],
)  # fmt: skip
_category(
    "pensions",
    "Pensions",
    Side.INCOME,
    [("state", "State pension"), ("private", "Private or work pension"),
     ("pension_credit", "Pension Credit")],
)  # fmt: skip
_category(
    "other_income",
    "Other income",
    Side.INCOME,
    [("maintenance", "Maintenance or child support received"),
     ("lodgers", "Board or lodger payments"), ("other", "Any other income")],
)  # fmt: skip
_category(
    "home",
    "Home and contents",
    Side.EXPENDITURE,
    [("rent", "Rent"), ("mortgage", "Mortgage"), ("council_tax", "Council tax"),
     ("energy", "Gas and electricity"), ("water", "Water"), ("insurance", "Home insurance"),
     ("tv_licence", "TV licence"), ("other_home", "Other home costs")],
)  # fmt: skip
_category(
    "travel",
    "Travel",
    Side.EXPENDITURE,
    [("public_transport", "Public transport"), ("fuel", "Fuel and parking"),
     ("vehicle", "Car insurance, tax and upkeep")],
)  # fmt: skip
_category(
    "food",
    "Food and housekeeping",
    Side.EXPENDITURE,
    [("groceries", "Groceries"), ("school_meals", "School meals and meals at work"),
     ("household", "Laundry, toiletries and household items"), ("pets", "Pets")],
)  # fmt: skip
_category(
    "personal",
    "Personal costs",
    Side.EXPENDITURE,
    [("clothing", "Clothing and footwear"), ("medical", "Prescriptions and health costs"),
     ("childcare", "Childcare"), ("other_personal", "Other personal costs")],
)  # fmt: skip
_category(
    "communications",
    "Communications and leisure",
    Side.EXPENDITURE,
    [("phone", "Phone, internet and TV"), ("leisure", "Hobbies, leisure and sport"),
     ("gifts", "Gifts and celebrations")],
)  # fmt: skip
_category(
    "priority_debts",
    "Priority debts",
    Side.EXPENDITURE,
    [("housing_arrears", "Rent or mortgage arrears"),
     ("council_tax_arrears", "Council tax arrears"), ("energy_arrears", "Energy arrears"),
     ("fines", "Court fines"), ("child_maintenance_arrears", "Child maintenance arrears"),
     ("tax_arrears", "Income tax or VAT arrears")],
)  # fmt: skip
_category(
    "other_expenditure",
    "Other spending",
    Side.EXPENDITURE,
    [("savings", "Savings"), ("other", "Any other spending")],
)  # fmt: skip


def cents(amount: Decimal, currency: str) -> Decimal:
    """Rounded to the currency's minor unit, half up (as a person rounds a statement)."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def monthly(amount: Decimal, frequency: Frequency) -> Decimal:
    """The exact monthly amount (not rounded): weekly x 52 / 12 and so on."""
    return amount * PERIODS_PER_YEAR[frequency] / 12


@dataclass(frozen=True, slots=True)
class LineInput:
    """One amount as the debtor gave it."""

    code: str
    amount: Decimal
    frequency: Frequency = Frequency.MONTHLY


@dataclass(frozen=True, slots=True)
class Line:
    kind: LineKind
    amount: Decimal
    frequency: Frequency
    monthly: Decimal  # rounded to the minor unit: the statement's totals are sums of these


@dataclass(frozen=True, slots=True)
class Statement:
    currency: str
    lines: tuple[Line, ...]
    income: Decimal
    expenditure: Decimal

    @property
    def disposable(self) -> Decimal:
        """Monthly income less monthly spending; negative is a shortfall."""
        return self.income - self.expenditure

    def by_category(self) -> list[tuple[Category, Decimal]]:
        totals = {category.code: Decimal(0) for category in CATEGORIES}
        for line in self.lines:
            totals[line.kind.category.code] += line.monthly
        return [(category, totals[category.code]) for category in CATEGORIES]


def statement_build(currency: str, entries: Iterable[LineInput]) -> Statement:
    """Lines with their monthly amounts and the totals; an unknown code or a negative amount is
    refused naming the line. Zero lines are left out; a code given twice is added up."""
    lines: list[Line] = []
    for entry in entries:
        kind = LINES.get(entry.code)
        if kind is None:
            raise FieldError(entry.code, "not a Standard Financial Statement line", code="sfs_line")
        if not entry.amount.is_finite() or entry.amount < 0:
            raise FieldError(entry.code, "enter an amount of zero or more", code="sfs_amount")
        if entry.amount == 0:
            continue
        frequency = Frequency(entry.frequency)
        lines.append(
            Line(kind, entry.amount, frequency, cents(monthly(entry.amount, frequency), currency))
        )
    income = sum(
        (line.monthly for line in lines if line.kind.category.side is Side.INCOME), Decimal(0)
    )
    spending = sum(
        (line.monthly for line in lines if line.kind.category.side is Side.EXPENDITURE), Decimal(0)
    )
    return Statement(currency, tuple(lines), cents(income, currency), cents(spending, currency))
