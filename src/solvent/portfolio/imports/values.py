"""Parsing and normalising single values of a placement row: dates, money, codes, e-mails, ids.

Each parser takes the raw text (already stripped) and returns the normalised value or raises
`InvalidValue` with a reason a person at the creditor can act on. No Django here.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def parse_date(text: str, *, formats: DateFormats | None = None) -> date | None:
    """YYYY-MM-DD (what every spreadsheet can export), or one of a profile's `formats`; blank is
    None."""
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        if formats is not None:
            return formats.read(text)
        raise InvalidValue(f"not a date in the form YYYY-MM-DD: {text!r}")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidValue(f"no such date: {text!r}") from None


def parse_amount(
    text: str,
    *,
    default: Decimal | None = None,
    formats: AmountFormat | None = None,
    places: int = 2,
    round_excess: bool = False,
    currency: str = "",
) -> Decimal | None:
    """A non-negative amount with at most `places` decimal places; blank gives `default`.

    Without `formats` only digits with a decimal point (and ',' between thousands) are read; a
    profile's `formats` also read its separators and currency signs ("$1,234.56", "1.234,56 €",
    "USD 12.00"); a sign that names another currency than `currency` (€ on a USD account) is
    refused rather than read as dollars. `round_excess` rounds extra places half up instead of refusing them: a
    spreadsheet's number cell is a binary float (316.4600000000002), not what a person typed."""
    if not text:
        return default
    if (
        _PLAIN_AMOUNT.fullmatch(text) is not None
        if formats is None or formats.decimal == "."
        else text.isdigit()  # 1.234 is a thousand and more where ',' is the decimal separator
    ):
        plain = text  # the common case: digits and a point
    elif formats is not None:
        plain = formats.plain(text, currency=currency)
    elif _AMOUNT.fullmatch(text) is not None:
        plain = text.replace(",", "")
    else:
        raise InvalidValue(
            f"not an amount: {text!r} (digits with a decimal point, e.g. 1234.56; no currency sign)"
        )
    try:
        value = Decimal(plain)
    except InvalidOperation:  # pragma: no cover - the patterns already exclude it
        raise InvalidValue(f"not an amount: {text!r}") from None
    if value < 0:
        raise InvalidValue(f"negative amount: {text}; amounts owed are zero or more")
    unit = _UNITS[places]
    rounded = value.quantize(unit, ROUND_HALF_UP)
    if value != rounded and not round_excess:
        raise InvalidValue(f"more than {_PLACES_WORDS[places]} decimal places: {text}")
    if rounded > MAX_AMOUNT:
        raise InvalidValue(f"amount too large: {text}")
    return rounded.quantize(CENT)


# ISO 4217 minor units that are not 2. The money columns hold cents, so a currency with three
# (BHD, KWD, ...) is kept to two places like the others: its amounts are refused (CSV) or rounded
# (XLSX) past the second place.
_NO_MINOR_UNIT = codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF")
_UNITS = {0: Decimal("1"), 1: Decimal("0.1"), 2: CENT}
_PLACES_WORDS = {0: "zero", 1: "one", 2: "two"}


def currency_places(currency: str) -> int:
    """How many decimal places an amount in `currency` has (JPY 0, most 2): its minor unit."""
    return 0 if currency in _NO_MINOR_UNIT else 2


_PLAIN_AMOUNT = re.compile(r"\d+(?:\.\d*)?")
_SPACES = " \u00a0\u202f"


class AmountFormat:
    """How one file writes amounts: separators and the currency signs around the number.

    Compiled once per file (a profile's settings); `plain` is called only for amounts that are
    not already plain digits."""

    __slots__ = ("_number", "_signs", "decimal", "thousands")

    def __init__(
        self, *, decimal: str = ".", thousands: str = ",", signs: tuple[str, ...] = ("$", "£", "€")
    ) -> None:
        self.decimal = decimal
        self.thousands = thousands
        group = re.escape(thousands) if thousands.strip() else f"[{_SPACES}]"
        point = re.escape(decimal)
        grouped = rf"|\d{{1,3}}(?:{group}\d{{3}})+" if thousands else ""
        self._number = re.compile(rf"(?:\d+{grouped})(?:{point}\d*)?|{point}\d+")
        # Longest first: "US$" before "$". ISO codes ("USD 12.00") are read whatever the profile.
        self._signs = tuple(sorted(set(signs), key=len, reverse=True))

    def plain(self, text: str, *, currency: str = "") -> str:
        """The amount as digits and a '.', without signs and separators; InvalidValue if none."""
        core = text.strip(_SPACES)
        negative = False
        if core.startswith("(") and core.endswith(")"):  # accounting's negative
            core, negative = core[1:-1].strip(_SPACES), True
        if core.startswith("-"):
            core, negative = core[1:].strip(_SPACES), True
        core, named = self._strip_sign(core)
        if named and currency and named != currency:
            raise InvalidValue(f"the amount is in {named}, the account in {currency}: {text!r}")
        if core.startswith("-"):  # "$-12.00"
            core, negative = core[1:].strip(_SPACES), True
        if core.endswith("-"):  # some mainframe exports put the sign last
            core, negative = core[:-1].strip(_SPACES), True
        if not core or self._number.fullmatch(core) is None:
            example = f"1{self.thousands}234{self.decimal}56"
            raise InvalidValue(f"not an amount: {text!r} (expected e.g. {example})")
        if self.thousands:
            for space in self.thousands if self.thousands.strip() else _SPACES:
                core = core.replace(space, "")
        if self.decimal != ".":
            core = core.replace(self.decimal, ".")
        return f"-{core}" if negative else core

    def _strip_sign(self, core: str) -> tuple[str, str]:
        """The number without its currency sign, and the currency the sign names ("" if none
        or ambiguous, like $)."""
        if not core or (core[0].isdigit() and core[-1].isdigit()):
            return core, ""
        for sign in self._signs:
            if core.startswith(sign):
                return core[len(sign) :].strip(_SPACES), _SIGN_CURRENCIES.get(sign, "")
            if core.endswith(sign):
                return core[: -len(sign)].strip(_SPACES), _SIGN_CURRENCIES.get(sign, "")
        if core[:3].upper() in CURRENCIES:
            return core[3:].strip(_SPACES), core[:3].upper()
        if core[-3:].upper() in CURRENCIES:
            return core[:-3].strip(_SPACES), core[-3:].upper()
        return core, ""


# Signs that name one currency; "$", "kr" and the like are shared by several and say nothing.
_SIGN_CURRENCIES = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₺": "TRY", "₽": "RUB"}


_DATE_PARTS = {
    "d": r"(?P<d>\d{1,2})",
    "m": r"(?P<m>\d{1,2})",
    "Y": r"(?P<Y>\d{4})",
    "y": r"(?P<y>\d{2})",
    "b": r"(?P<b>[A-Za-z]{3})\.?",
    "B": r"(?P<B>[A-Za-z]+)",
    "H": r"\d{1,2}",
    "I": r"\d{1,2}",
    "M": r"\d{2}",
    "S": r"\d{2}",
    "f": r"\d{1,6}",
    "p": r"(?:[AaPp][Mm])",
    "%": "%",
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


class DateFormats:
    """A profile's date formats compiled once per file: a regular expression per strftime format.

    strptime costs microseconds a call and a row has up to five dates. A two-digit year (%y) is put
    in the latest century that does not make the date later than `today`: no placement date (birth,
    opening, delinquency, charge-off, last payment) lies in the future."""

    __slots__ = ("_patterns", "_shown", "_today")

    def __init__(self, formats: tuple[str, ...], *, today: date) -> None:
        self._today = today
        self._patterns = tuple(
            _date_pattern(pattern) for pattern in formats if pattern != "%Y-%m-%d"
        )
        shown = [_date_shown(pattern) for pattern in formats if pattern != "%Y-%m-%d"]
        self._shown = " or ".join([*shown, "YYYY-MM-DD"])

    def read(self, text: str) -> date:
        impossible = False  # a format's shape fits but the day does not exist (02/30)
        for pattern in self._patterns:
            match = pattern.fullmatch(text)
            if match is None:
                continue
            parts = match.groupdict()
            month_text = parts.get("m")
            if month_text:
                month = int(month_text)
            else:
                month = _MONTHS.get((parts.get("b") or parts.get("B") or "").lower(), 0)
            if not 1 <= month <= 12:  # 15/03/2024 is not month/day: try the next format
                continue
            day = int(parts["d"])
            try:
                if parts.get("Y"):
                    return date(int(parts["Y"]), month, day)
                year = self._today.year // 100 * 100 + int(parts["y"])
                found = date(year, month, day)
                return found if found <= self._today else date(year - 100, month, day)
            except ValueError:
                impossible = True
        if impossible:
            raise InvalidValue(f"no such date: {text!r}")
        raise InvalidValue(f"not a date in the form {self._shown}: {text!r}")


def _date_pattern(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "%" and index + 1 < len(pattern):
            parts.append(_DATE_PARTS[pattern[index + 1]])
            index += 2
            continue
        parts.append(r"\s+" if char.isspace() else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE)


def _date_shown(pattern: str) -> str:
    """A format as people write it: %m/%d/%Y -> MM/DD/YYYY."""
    words = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%b": "Mon", "%B": "Month"}
    for directive, word in words.items():
        pattern = pattern.replace(directive, word)
    return pattern


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


def parse_postal_code(text: str, *, country: str, pad_lost_zeros: bool = False) -> str:
    """Checked against the country's format and written the way the post office writes it.

    With `pad_lost_zeros` a US ZIP of 3-4 digits (or 7-8 for ZIP+4) gets its leading zeros back:
    a spreadsheet that read 02134 as a number wrote 2134, and no US ZIP is that short."""
    code = " ".join(text.upper().split())
    if pad_lost_zeros and country == "US" and code.isdigit():
        if 3 <= len(code) <= 4:
            code = code.zfill(5)
        elif 7 <= len(code) <= 8:
            code = code.zfill(9)
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
