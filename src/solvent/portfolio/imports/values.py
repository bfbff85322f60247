"""Parsing and normalising single values of a placement row: dates, money, codes, e-mails, ids.

Each parser takes the raw text (already stripped) and returns the normalised value or raises
`InvalidValue` with a reason a person at the creditor can act on. No Django here.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import phonenumbers


class InvalidValue(ValueError):  # noqa: N818 - reads as "raise InvalidValue(reason)"
    """A value that cannot be accepted; the message is the reason shown in the error report."""


def codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 4217 codes in use. Kept here rather than fetched: the list changes about once a decade.
CURRENCIES = codes(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
    GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
    KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN
    NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK
    SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS
    VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL"""
)

# Every region phonenumbers knows is an ISO 3166 alpha-2 country (plus a few territories).
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)

REGIONS: dict[str, frozenset[str]] = {
    "US": codes("""AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
        NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP"""),
    "CA": codes("AB BC MB NB NL NS NT NU ON PE QC SK YT"),
    "GB": codes("ENG SCT WLS NIR"),
}

_POSTAL_CODES: dict[str, re.Pattern[str]] = {
    "US": re.compile(r"\d{5}(?:-?\d{4})?"),
    "CA": re.compile(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"),
    # The Royal Mail's shapes: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA (and GIR 0AA).
    "GB": re.compile(
        r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?) ?[0-9][ABD-HJLNP-UW-Z]{2}|GIR ?0AA"
    ),
}
_POSTAL_EXAMPLES = {"US": "12345 or 12345-6789", "CA": "K1A 0B1", "GB": "SW1A 1AA"}

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_AMOUNT = re.compile(r"-?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?|-?\.\d+")
# Pragmatic, not RFC 5322: what a mail provider would deliver to, checked without a DNS look-up.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_NINO = re.compile(r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]")
_TRUE = frozenset({"true", "yes", "y", "1", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f", ""})
MAX_AMOUNT = Decimal("999999999999.99")  # the money columns hold 12 digits before the point
CENT = Decimal("0.01")


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD (what every spreadsheet can export); blank is None."""
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise InvalidValue(f"not a date in the form YYYY-MM-DD: {text!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidValue(f"no such date: {text!r}") from None


def parse_amount(text: str, *, default: Decimal | None = None) -> Decimal | None:
    """A non-negative amount with at most two decimal places; blank gives `default`."""
    if not text:
        return default
    if _AMOUNT.fullmatch(text) is None:
        raise InvalidValue(
            f"not an amount: {text!r} (digits with a decimal point, e.g. 1234.56; no currency sign)"
        )
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise InvalidValue(f"not an amount: {text!r}") from None
    if value < 0:
        raise InvalidValue(f"negative amount: {text}; amounts owed are zero or more")
    if value != value.quantize(CENT):
        raise InvalidValue(f"more than two decimal places: {text}")
    if value > MAX_AMOUNT:
        raise InvalidValue(f"amount too large: {text}")
    return value.quantize(CENT)


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidValue(f"not true or false: {text!r}")


def parse_choice(text: str, choices: frozenset[str], *, default: str) -> str:
    if not text:
        return default
    lowered = text.lower()
    if lowered not in choices:
        raise InvalidValue(f"{text!r} is not one of {', '.join(sorted(choices))}")
    return lowered


def parse_currency(text: str, *, default: str) -> str:
    if not text:
        return default
    code = text.upper()
    if code not in CURRENCIES:
        raise InvalidValue(f"not an ISO 4217 currency code: {text!r}")
    return code


def parse_country(text: str, *, default: str) -> str:
    if not text:
        return default
    code = text.upper()
    if code == "UK":  # what people write; ISO says GB
        return "GB"
    if code not in COUNTRIES:
        raise InvalidValue(f"not an ISO 3166 two-letter country code: {text!r}")
    return code


def parse_region(text: str, *, country: str) -> str:
    code = text.upper()
    known = REGIONS.get(country)
    if code and known is not None and code not in known:
        raise InvalidValue(f"{text!r} is not a region of {country}")
    if len(code) > 10:
        raise InvalidValue(f"region code too long: {text!r}")
    return code


def parse_postal_code(text: str, *, country: str) -> str:
    """Checked against the country's format and written the way the post office writes it."""
    code = " ".join(text.upper().split())
    pattern = _POSTAL_CODES.get(country)
    if pattern is None:
        if len(code) > 12:
            raise InvalidValue(f"postal code too long: {text!r}")
        return code
    if pattern.fullmatch(code) is None:
        raise InvalidValue(
            f"not a {country} postal code: {text!r} (expected e.g. {_POSTAL_EXAMPLES[country]})"
        )
    if country == "US" and len(code) == 9:
        return f"{code[:5]}-{code[5:]}"
    if country in {"CA", "GB"} and " " not in code:
        return f"{code[:-3]} {code[-3:]}"
    return code


def parse_email(text: str) -> str:
    """Lower-cased domain, local part kept as written (it may be case-sensitive)."""
    if len(text) > 254 or _EMAIL.fullmatch(text) is None:
        raise InvalidValue(f"not an e-mail address: {text!r}")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_national_id(text: str, *, country: str) -> str:
    """SSN (US), SIN (CA) or National Insurance number (GB), without separators."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if country == "US":
        if not (len(compact) == 9 and compact.isdigit()):
            raise InvalidValue(f"not a US SSN (9 digits): {text!r}")
        area, group, serial = compact[:3], compact[3:5], compact[5:]
        if area in {"000", "666"} or area[0] == "9" or group == "00" or serial == "0000":
            raise InvalidValue(f"not a valid US SSN: {text!r}")
        return compact
    if country == "CA":
        if not (len(compact) == 9 and compact.isdigit()) or not _luhn(compact):
            raise InvalidValue(f"not a valid Canadian SIN: {text!r}")
        return compact
    if country == "GB":
        if _NINO.fullmatch(compact) is None:
            raise InvalidValue(f"not a valid UK National Insurance number: {text!r}")
        return compact
    if not 4 <= len(compact) <= 20:
        raise InvalidValue(f"national id must have 4 to 20 letters or digits: {text!r}")
    return compact


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def parse_text(text: str, *, max_length: int) -> str:
    if len(text) > max_length:
        raise InvalidValue(f"longer than {max_length} characters ({len(text)})")
    return text
