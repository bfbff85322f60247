"""Phone numbers from a placement file: parsed with `phonenumbers`, normalised to E.164.

Parsing is the costliest check of a row (tens of microseconds a number), so results are cached by
the number's digits and the country it is read in, and what a number's prefix decides (region,
line type, time zones) is learned once per prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_timezone

from solvent.portfolio.imports.values import InvalidValue

_LINE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.VOIP: "voip",
}
# phonenumbers answers "unknown" time zone with this placeholder.
_UNKNOWN_ZONE = "Etc/Unknown"


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    e164: str
    line_type: str
    region_code: str
    time_zones: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Prefix:
    """What all numbers sharing a prefix have in common, and the pattern that proves it."""

    e164_head: str
    national_head: str
    pattern: re.Pattern[str]
    line_type: str
    region_code: str
    time_zones: tuple[str, ...]


# Keyed by (country, all digits but the last four, length): within a numbering plan the last
# four digits never change a number's region, type or time zone, but each hit is still checked
# against the type's own pattern, so the shortcut can only fall back, never accept a bad number.
_PREFIXES: dict[tuple[str, str, int], _Prefix] = {}
_PREFIXES_MAX = 200_000
_TAIL = 4


def parse_phone(text: str, *, country: str) -> PhoneInfo:
    """A valid, dialable number, read as a national number of `country` unless it starts with +."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.lstrip().startswith("+"):
        digits = "+" + digits
    elif digits.startswith("00"):
        digits = "+" + digits[2:]
    key = (country, digits[:-_TAIL], len(digits))
    prefix = _PREFIXES.get(key)
    if prefix is not None:
        tail = digits[-_TAIL:]
        if prefix.pattern.fullmatch(prefix.national_head + tail):
            return PhoneInfo(
                prefix.e164_head + tail, prefix.line_type, prefix.region_code, prefix.time_zones
            )
    result = _parse_exact(digits, country)
    if isinstance(result, str):
        raise InvalidValue(result.replace("{}", repr(text)))
    info, learned = result
    if learned is not None and len(digits) > 2 * _TAIL:
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


def _prefix_of(
    info: PhoneInfo, number: phonenumbers.PhoneNumber, number_type: int, digits: str
) -> _Prefix | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(info.region_code)
    national = phonenumbers.national_significant_number(number)
    description = getattr(metadata, _DESCRIPTIONS.get(number_type, ""), None) if metadata else None
    pattern = getattr(description, "national_number_pattern", None)
    # Only plans whose national form keeps the dialled digits in order at the end qualify.
    if (
        metadata is None
        or metadata.national_prefix_transform_rule
        or pattern is None
        or not national.endswith(digits[-_TAIL:])
        or number.italian_leading_zero
    ):
        return None
    return _Prefix(
        e164_head=info.e164[:-_TAIL],
        national_head=national[:-_TAIL],
        pattern=re.compile(pattern),
        line_type=info.line_type,
        region_code=info.region_code,
        time_zones=info.time_zones,
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
