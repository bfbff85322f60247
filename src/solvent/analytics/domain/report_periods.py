"""The months a report covers: read from "YYYY-MM" inputs, with each report's default.

Reports are by whole months (how collections are reported to clients); a period is
[first day of the first month, first day of the month after the last), the end exclusive as the
KPI selectors take it. Pure: today comes in as an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from solvent.core.domain.errors import ValidationError

_MONTH = re.compile(r"(\d{4})-(\d{2})")
# A page over more months than this is too slow to be useful and too wide to read.
MAX_MONTHS = 36


@dataclass(frozen=True, slots=True)
class MonthPeriod:
    first: str  # "2026-10"
    last: str  # "2026-11"
    start: date  # 2026-10-01
    end: date  # 2026-12-01, exclusive

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    def as_of(self, today: date) -> date:
        """The day figures are taken at: the period's last day, or today while it runs."""
        return min(today, self.end - timedelta(days=1))

    def label(self) -> str:
        return self.first if self.first == self.last else f"{self.first} to {self.last}"


def month_first_day(text: str, field: str = "month") -> date:
    """The first day of ``YYYY-MM``; else a ValidationError naming the field and the form."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValidationError(
            f"{field}: {text!r} is not a month, write it as YYYY-MM (e.g. 2026-11)",
            code="bad_month",
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_shift(day: date, months: int) -> date:
    """The first day of the month ``months`` after (negative: before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_period(first: str, last: str) -> MonthPeriod:
    """The months from ``first`` to ``last``, both included."""
    start = month_first_day(first, "from")
    final = month_first_day(last, "to")
    if final < start:
        raise ValidationError(f"to: {last} is before from: {first}", code="bad_period")
    end = month_shift(final, 1)
    period = MonthPeriod(f"{start:%Y-%m}", f"{final:%Y-%m}", start, end)
    if period.months > MAX_MONTHS:
        raise ValidationError(
            f"from {first} to {last} is {period.months} months: at most {MAX_MONTHS}",
            code="bad_period",
        )
    return period


def default_period(today: date, months: int) -> MonthPeriod:
    """The last ``months`` months, this month included (2: this month and last)."""
    first = month_shift(today, -(months - 1))
    return month_period(f"{first:%Y-%m}", f"{today:%Y-%m}")


def month_or_default(first: str, last: str, *, today: date, months: int) -> MonthPeriod:
    """The period asked for; a side left empty takes the default's."""
    if not first.strip() and not last.strip():
        return default_period(today, months)
    default = default_period(today, months)
    return month_period(first.strip() or default.first, last.strip() or default.last)
