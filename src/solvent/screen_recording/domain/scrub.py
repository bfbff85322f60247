"""The server's own masking of a recorded desk session: personal data out of stored rrweb events.

The recorder masks in the browser (every input, and the elements the templates mark with
``data-pii``); this is the second line, for what a template forgot to mark. Every string in the
events (text nodes, attribute values, typed text, mutations) is searched for

- the debtor's known personal data: names, phone numbers (whatever the separators between the
  digits), e-mail addresses, postal lines and codes, the date of birth (ISO, US and day-first
  forms), the national id (any separators), and
- patterns that are personal data whoever they belong to: national ids written 123-45-6789, card
  numbers (13 to 19 digits passing the Luhn check), e-mail addresses, phone numbers (North
  American forms and any ``+`` international number), IBANs.

A match is replaced by as many ``*`` as it has characters, spaces kept, so the replay keeps its
layout (rrweb's own masking does the same). Stylesheet text and inlined images are left alone:
they hold no one's data and digits in them are not numbers of people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MASK = "*"
# Keys whose string values are not page text: an inlined stylesheet, an inlined image.
_NOT_TEXT = frozenset({"_cssText", "rr_dataURL"})
_SEPARATORS = r"[\s().\-/]*"
_NAME_MIN = 2  # a one-letter initial would mask every "a" on the page
_DIGITS_MIN = 4  # fewer known digits than this match too much (a national id's last four: kept)

# Each pattern starts only where a run of its characters starts and cannot backtrack into it:
# a long token (a base64 image in an attribute) is scanned once, not once per character.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]++@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_SSN = re.compile(r"(?<!\d)\d{3}[- ]\d{2}[- ]\d{4}(?!\d)")
_NANP_PHONE = re.compile(r"(?<![\d+])(?:\+?1[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]\d{4}(?!\d)")
_INTERNATIONAL_PHONE = re.compile(r"(?<![\d+])\+\d[\d\s().\-]{6,}\d")
_CARD_CANDIDATE = re.compile(r"(?<!\d)(?:\d[ \-]?){12,18}\d(?!\d)")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}\b")
_PATTERNS = (_EMAIL, _SSN, _NANP_PHONE, _INTERNATIONAL_PHONE, _IBAN)


@dataclass(frozen=True)
class PersonalData:
    """What is known about the people an account is about, as the page could show it."""

    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()  # any form: the digits are what is matched
    emails: tuple[str, ...] = ()
    address_lines: tuple[str, ...] = ()  # street lines and postal codes
    dates_of_birth: tuple[str, ...] = ()  # ISO dates (YYYY-MM-DD)
    national_ids: tuple[str, ...] = ()
    bank_details: tuple[str, ...] = ()  # account numbers, IBANs, sort codes as known


def _digits_pattern(digits: str) -> str | None:
    """The digits with any separators between them (a ``+`` before), or None when too few."""
    if len(digits) < _DIGITS_MIN:
        return None
    return r"(?<![\d+])(?:\+\s*|\()?" + _SEPARATORS.join(re.escape(d) for d in digits) + r"(?!\d)"


def _phone_forms(value: str) -> set[str]:
    """A phone's digits as written with or without its country code (the last ten digits) and
    with a national trunk 0 (``020 7946 0958`` for ``+44 20 7946 0958``)."""
    digits = re.sub(r"\D", "", value)
    forms = {digits}
    if len(digits) > 10:
        forms |= {digits[-10:], "0" + digits[-10:]}
    if len(digits) > 9 and not digits.startswith("1"):
        forms.add("0" + digits[2:])
    return forms


def _phrase_pattern(value: str) -> str | None:
    """A name or a postal line as words: any run of spaces between them, whole words only."""
    words = value.split()
    if not words or len("".join(words)) < _NAME_MIN:
        return None
    return r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"


def _date_forms(iso: str) -> list[str]:
    """The forms a date of birth is written in on a page (ISO, US, day-first, unpadded)."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", iso)
    if match is None:
        return [iso] if iso.strip() else []
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    forms = {
        f"{year}-{month:02d}-{day:02d}",
        f"{month:02d}/{day:02d}/{year}",
        f"{day:02d}/{month:02d}/{year}",
        f"{month}/{day}/{year}",
        f"{day}/{month}/{year}",
        f"{day:02d}.{month:02d}.{year}",
    }
    return sorted(forms)


@dataclass(frozen=True)
class KnownPattern:
    """The known personal data as one pattern, with cheap needles that every match contains (a
    text none of them is in cannot match: most of a page's texts are skipped without the regex)."""

    pattern: re.Pattern[str]
    words: tuple[str, ...]  # lower-cased: a phrase's longest word, an e-mail, a value as written
    digit_runs: tuple[str, ...]  # digits a number-like value has, separators dropped

    def may_match(self, text: str) -> bool:
        lowered = text.lower()
        if any(word in lowered for word in self.words):
            return True
        if self.digit_runs:
            digits = _NON_DIGIT.sub("", text)
            return any(run in digits for run in self.digit_runs)
        return False

    def sub(self, text: str) -> str:
        return self.pattern.sub(_masked, text) if self.may_match(text) else text


_NON_DIGIT = re.compile(r"\D")


def personal_data_pattern(data: PersonalData) -> KnownPattern | None:
    """One case-insensitive pattern for everything known (longest first), or None if nothing."""
    parts: set[str] = set()
    words: set[str] = set()
    runs: set[str] = set()
    for value in (*data.names, *data.address_lines):
        phrase = _phrase_pattern(value)
        if phrase:
            parts.add(phrase)
            words.add(max(value.split(), key=len).lower())
    digit_forms = {_NON_DIGIT.sub("", value) for value in (*data.national_ids, *data.bank_details)}
    for value in data.phones:
        digit_forms |= _phone_forms(value)
    for digits in digit_forms:
        pattern = _digits_pattern(digits)
        if pattern:
            parts.add(pattern)
            runs.add(digits)
    for value in (*data.national_ids, *data.bank_details):
        # An IBAN or an id with letters in it: also as written.
        if re.search(r"[A-Za-z]", value) and len(value.strip()) >= _DIGITS_MIN:
            parts.add(re.escape(value.strip()))
            words.add(value.strip().lower())
    for value in data.emails:
        if value.strip():
            parts.add(re.escape(value.strip()))
            words.add(value.strip().lower())
    for iso in data.dates_of_birth:
        for form in _date_forms(iso):
            parts.add(r"(?<!\d)" + re.escape(form) + r"(?!\d)")
            run = _NON_DIGIT.sub("", form)
            if run:
                runs.add(run)
            else:
                words.add(form.lower())
    if not parts:
        return None
    ordered = sorted(parts, key=lambda part: (-len(part), part))
    return KnownPattern(
        pattern=re.compile("|".join(f"(?:{part})" for part in ordered), re.IGNORECASE),
        words=tuple(sorted(words)),
        digit_runs=tuple(sorted(runs)),
    )


def _masked(match: re.Match[str]) -> str:
    return "".join(char if char.isspace() else MASK for char in match.group(0))


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card_masked(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return _masked(match) if _luhn_valid(digits) else match.group(0)


def text_scrub(text: str, known: KnownPattern | None) -> str:
    """``text`` with the known personal data and the personal-data patterns masked."""
    if not text or text.isspace():
        return text
    if known is not None:
        text = known.sub(text)
    text = _CARD_CANDIDATE.sub(_card_masked, text)
    for pattern in _PATTERNS:
        text = pattern.sub(_masked, text)
    return text


@dataclass(frozen=True)
class ScrubResult:
    events: list[Any]
    strings_changed: int


def events_scrub(events: Iterable[Any], data: PersonalData) -> ScrubResult:
    """A copy of rrweb ``events`` with every string value scrubbed (keys, numbers and the
    structure untouched), and how many strings changed."""
    known = personal_data_pattern(data)
    changed = 0

    def walk(value: Any, key: str | None) -> Any:
        nonlocal changed
        if isinstance(value, str):
            if key in _NOT_TEXT:
                return value
            scrubbed = text_scrub(value, known)
            if scrubbed != value:
                changed += 1
            return scrubbed
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(item, key) for item in value]
        return value

    result = [walk(event, None) for event in events]
    return ScrubResult(events=result, strings_changed=changed)
