"""The check a link asks before it opens the page, and the limits on guessing it.

Pure: the stored facts (date of birth as ``YYYY-MM-DD``, the last four digits of the Social
Security number) and the answers come in as text; nothing here reads a clock or a database.
Comparisons are constant-time (``hmac.compare_digest``) and both facts are always compared, so the
time an answer takes says nothing about which part was right.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

# A link locks after this many wrong answers in a row, for LOCK_FOR.
FAILURES_BEFORE_LOCK = 5
LOCK_FOR = timedelta(minutes=15)
# One network address may give this many wrong answers in ADDRESS_WINDOW, across every link.
ADDRESS_FAILURES_ALLOWED = 20
ADDRESS_WINDOW = timedelta(hours=1)

_DIGITS4 = re.compile(r"^\d{4}$")
_US_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


class LinkState(StrEnum):
    OPEN = "open"  # may be checked now
    EXPIRED = "expired"
    USED = "used"  # it opened the page once already
    LOCKED = "locked"  # too many wrong answers: wait until locked_until


@dataclass(frozen=True, slots=True)
class Failure:
    """What a wrong answer does to the link: its new count of failures and whether it locks."""

    failed_checks: int
    locks: bool


def link_state(
    *, now: datetime, expires_at: datetime, used_at: datetime | None, locked_until: datetime | None
) -> LinkState:
    """Used beats expired beats locked: the most useful thing to tell the person first."""
    if used_at is not None:
        return LinkState.USED
    if now >= expires_at:
        return LinkState.EXPIRED
    if locked_until is not None and now < locked_until:
        return LinkState.LOCKED
    return LinkState.OPEN


def failure_after(failed_checks: int) -> Failure:
    """The link's count after one more wrong answer; the FAILURES_BEFORE_LOCK-th locks it (and the
    count starts again for when the lock ends)."""
    count = failed_checks + 1
    if count >= FAILURES_BEFORE_LOCK:
        return Failure(0, True)
    return Failure(count, False)


def address_refused(recent_failures: int) -> bool:
    """True when this address has used up its wrong answers for the window."""
    return recent_failures >= ADDRESS_FAILURES_ALLOWED


def date_answer(text: str) -> str:
    """The date as ``YYYY-MM-DD`` from what a person types (2026-04-02, 4/2/1980, 04-02-1980: a
    US month-first date), or "" when it is not a date."""
    value = text.strip()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    found = _US_DATE.match(value)
    if found is None:
        return ""
    month, day, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def last4_answer(text: str) -> str:
    value = re.sub(r"[\s-]", "", text)
    return value if _DIGITS4.match(value) else ""


def _same(answer: str, fact: str) -> bool:
    # Compared even when one side is empty (constant time), but an empty fact never matches.
    equal = hmac.compare_digest(answer.encode(), fact.encode())
    return equal and bool(fact) and bool(answer)


def answer_matches(
    *, date_of_birth: str, last4: str, known_date_of_birth: str, known_last4: str
) -> bool:
    """True when the date of birth or the last four digits given match what we hold."""
    by_date = _same(date_answer(date_of_birth), date_answer(known_date_of_birth))
    by_digits = _same(last4_answer(last4), last4_answer(known_last4))
    return by_date | by_digits
