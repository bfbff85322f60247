"""Phone numbers from a placement file: parsed with `phonenumbers`, normalised to E.164.

Parsing is the costliest check of a row (tens of microseconds a number), so results are cached by
the number's digits and the country it is read in, and what a number's prefix decides (region,
line type, time zones) is learned once per prefix.

An extension ("ext 212", "x212", "#212") is dialled after the call connects: it is kept apart
(`PhoneInfo.extension`), never glued onto the number. Text that is more than digits and separators
is parsed whole by `phonenumbers`, which knows the markers; only plain text takes the digit-keyed
caches, so no cached answer is ever built from an extension's digits (ADR 0036).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType, is_number_type_geographical
from phonenumbers import timezone as phone_timezone
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from solvent.portfolio.imports.values import InvalidValue

_LINE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.VOIP: "voip",
}
# phonenumbers answers "unknown" time zone with this placeholder.
_UNKNOWN_ZONE = "Etc/Unknown"
# Digits and the separators people type between them: nothing here can start an extension.
_PLAIN = re.compile(r"[\d\s()\-./+]*")
_EXTENSION_MAX = 10  # Phone.extension


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    e164: str
    line_type: str
    region_code: str
    time_zones: tuple[str, ...]
    extension: str = ""


@dataclass(frozen=True, slots=True)
class _Prefix:
    """What all numbers sharing a prefix have in common, and the pattern that proves it."""

    e164_head: str
    national_head: str
    pattern: re.Pattern[str]
    line_type: str
    region_code: str
    time_zones: tuple[str, ...]
    geographic: bool  # time zones by the number's own prefix, else the country's


# Keyed by (country, the digits before the last seven (four for short numbers), length): the
# region and type of a number are decided by its leading digits (for +1, the area code), and each
# hit is still checked against the type's own pattern from the metadata, so the shortcut can only
# fall back to a full parse, never accept a bad number. Time zones are looked up per number.
_PREFIXES: dict[tuple[str, str, int], _Prefix] = {}
_PREFIXES_MAX = 200_000


def parse_phone(text: str, *, country: str) -> PhoneInfo:
    """A valid, dialable number, read as a national number of `country` unless it starts with +."""
    if not _PLAIN.fullmatch(text):
        # A letter, "#", "," or ";": maybe an extension (or a vanity number), so phonenumbers
        # reads the original text; the digit-keyed caches never see it.
        found = _parse_text(text.strip(), country)
        if isinstance(found, str):
            raise InvalidValue(found.replace("{}", repr(text)))
        return found
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.lstrip().startswith("+"):
        digits = "+" + digits
    size = _tail_size(digits)
    key = (country, digits[:-size], len(digits))
    prefix = _PREFIXES.get(key)
    if prefix is not None:
        tail = digits[-size:]
        if prefix.pattern.fullmatch(prefix.national_head + tail):
            e164 = prefix.e164_head + tail
            zones = _zones(e164) if prefix.geographic else prefix.time_zones
            return PhoneInfo(e164, prefix.line_type, prefix.region_code, zones)
    result = _parse_exact(digits, country)
    if isinstance(result, str):
        raise InvalidValue(result.replace("{}", repr(text)))
    info, learned = result
    if learned is not None and len(digits) > size + 2:
        if len(_PREFIXES) >= _PREFIXES_MAX:
            _PREFIXES.clear()
        _PREFIXES[key] = learned
    return info


@lru_cache(maxsize=65_536)
def _parse_exact(digits: str, country: str) -> tuple[PhoneInfo, _Prefix | None] | str:
    if not 4 <= len(digits.lstrip("+")) <= 17:
        return "not a phone number: {}"
    try:
        number = phonenumbers.parse(digits, country)
    except phonenumbers.NumberParseException:
        return "not a phone number: {}"
    if not phonenumbers.is_valid_number(number):
        return f"not a valid phone number in {country}: {{}}"
    zones = tuple(z for z in phone_timezone.time_zones_for_number(number) if z != _UNKNOWN_ZONE)
    number_type = phonenumbers.number_type(number)
    info = PhoneInfo(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        line_type=_LINE_TYPES.get(number_type, "unknown"),
        region_code=phonenumbers.region_code_for_number(number) or "",
        time_zones=zones,
    )
    return info, _prefix_of(info, number, number_type, digits)


@lru_cache(maxsize=16_384)
def _parse_text(text: str, country: str) -> PhoneInfo | str:
    """A number written with more than digits: each distinct text is parsed once."""
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return "not a phone number: {}"
    extension = number.extension or ""
    if len(extension) > _EXTENSION_MAX:
        return f"an extension of at most {_EXTENSION_MAX} digits: {{}}"
    number.extension = None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # The number without its extension goes through the same checks as a plain one.
    result = _parse_exact(e164, country)
    if isinstance(result, str):
        return result
    info = result[0]
    return PhoneInfo(info.e164, info.line_type, info.region_code, info.time_zones, extension)


def _tail_size(digits: str) -> int:
    return 7 if len(digits) >= 10 else 4


def _zones(e164: str) -> tuple[str, ...]:
    """What phonenumbers' time_zones_for_geographical_number answers, without a parsed number."""
    for length in range(TIMEZONE_LONGEST_PREFIX, 0, -1):
        zones = TIMEZONE_DATA.get(e164[1 : 1 + length])
        if zones is not None:
            return tuple(z for z in zones if z != _UNKNOWN_ZONE)
    return ()


def _prefix_of(
    info: PhoneInfo, number: phonenumbers.PhoneNumber, number_type: int, digits: str
) -> _Prefix | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(info.region_code)
    national = phonenumbers.national_significant_number(number)
    size = _tail_size(digits)
    description = getattr(metadata, _DESCRIPTIONS.get(number_type, ""), None) if metadata else None
    pattern = getattr(description, "national_number_pattern", None)
    # Only plans whose national form keeps the dialled digits in order at the end qualify.
    if (
        metadata is None
        or metadata.national_prefix_transform_rule
        or pattern is None
        or len(national) <= size
        or not national.endswith(digits[-size:])
        or number.italian_leading_zero
    ):
        return None
    return _Prefix(
        e164_head=info.e164[:-size],
        national_head=national[:-size],
        pattern=re.compile(pattern),
        line_type=info.line_type,
        region_code=info.region_code,
        time_zones=info.time_zones,
        geographic=is_number_type_geographical(number_type, number.country_code or 0),
    )


_DESCRIPTIONS = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
