"""What a file's header and first rows suggest for a new placement profile (ADR 0035). Pure.

`profile_suggest` maps each column of a creditor's file to one of our fields: by name (a synonym
list per field, names compared after spelling out the usual abbreviations: "Acct #" is "account
number"), then by a close spelling; and it reads the sample's values to find the date formats
(month/day or day/month, decided by a day above 12, else by the client's country), the decimal and
thousands separators and the currency signs. Columns it cannot place go to `unmapped` (and the
spec's `ignore`) with a note saying why; a person checks the suggestion before saving it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from solvent.portfolio.domain.placement_columns import REQUIRED_COLUMNS

if TYPE_CHECKING:
    from solvent.portfolio.domain.placement_profile import ProfileSpec

# Our field -> what creditors call it, best first. Compared after `name_words`, so "Acct No",
# "acct_num" and "Account #" are all "account number".
SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_number": (
        "account number", "account", "account id", "client account number",
        "creditor account number", "loan number", "reference number", "customer account number",
    ),
    "original_creditor": ("original creditor", "original creditor name", "creditor", "creditor name"),
    "original_account_number": (
        "original account number", "original creditor account number", "original account",
    ),
    "product": ("product", "product type", "account type", "debt type", "portfolio type", "type"),
    "currency": ("currency", "currency code", "ccy"),
    "principal": (
        "principal", "balance", "current balance", "amount due", "balance due", "principal balance",
        "outstanding balance", "amount owed", "placed balance", "placement balance", "total due",
        "total balance", "debt amount",
    ),
    "interest": ("interest", "accrued interest", "interest due", "interest balance"),
    "fees": ("fees", "fee", "late fees", "fees due", "fee balance", "charges"),
    "open_date": ("open date", "date opened", "opened", "account open date", "origination date"),
    "delinquency_date": (
        "delinquency date", "date of delinquency", "dofd", "date of first delinquency",
        "first delinquency date", "default date", "delinquent date",
    ),
    "charge_off_date": ("charge off date", "chargeoff date", "co date", "charged off date"),
    "last_payment_date": (
        "last payment date", "date of last payment", "last pay date", "dolp", "lpd",
    ),
    "last_payment_amount": (
        "last payment amount", "last payment", "last pay amount", "amount of last payment", "lpa",
    ),
    "first_name": ("first name", "first", "given name", "forename", "debtor first name", "fname"),
    "middle_name": ("middle name", "middle", "middle initial", "mi"),
    "last_name": (
        "last name", "last", "surname", "family name", "debtor last name", "lname",
    ),
    "date_of_birth": ("date of birth", "dob", "birth date", "birthdate", "birthday", "born"),
    "national_id": (
        "national id", "ssn", "social", "social security", "social security number", "ss number",
        "sin", "social insurance number", "national insurance number", "nino", "tax id",
    ),
    "language": ("language", "preferred language", "lang"),
    "address_line1": (
        "address line1", "address", "address 1", "address line 1", "address1", "addr1", "street", "street address", "address line",
        "mailing address",
    ),
    "address_line2": ("address line2", "address 2", "address line 2", "address2", "addr2", "apt", "suite", "unit", "apartment"),
    "city": ("city", "town", "city town"),
    "region": ("region", "state", "province", "st", "state province", "state code"),
    "postal_code": (
        "postal code", "zip", "zip code", "zipcode", "postcode", "post code", "zip5", "zip 5",
    ),
    "country": ("country", "country code"),
    "phone_home": (
        "phone home", "home phone", "phone", "phone number", "primary phone", "home",
        "residence phone",
    ),
    "phone_mobile": (
        "phone mobile", "mobile phone", "mobile", "cell phone", "cell", "cellular",
        "mobile number", "cell number",
    ),
    "phone_work": (
        "phone work", "work phone", "business phone", "office phone", "employer phone", "work",
    ),
    "email": ("email", "email address", "e mail", "e mail address"),
    "deceased": ("deceased", "deceased flag", "is deceased", "deceased indicator"),
    "bankruptcy": ("bankruptcy", "bankrupt", "bankruptcy flag", "bk", "bk flag"),
    "cease_communication": (
        "cease communication", "cease and desist", "c and d", "cease", "do not contact",
    ),
    "attorney_name": ("attorney name", "attorney", "lawyer", "attorney firm"),
    "attorney_phone": ("attorney phone", "lawyer phone"),
    "cosigner_first_name": (
        "cosigner first name", "co signer first name", "co borrower first name",
        "joint first name",
    ),
    "cosigner_last_name": (
        "cosigner last name", "co signer last name", "co borrower last name", "joint last name",
    ),
    "cosigner_date_of_birth": (
        "cosigner date of birth", "co signer date of birth", "cosigner dob", "co borrower dob",
    ),
    "cosigner_national_id": (
        "cosigner national id", "cosigner ssn", "co signer ssn", "co borrower ssn",
    ),
    "cosigner_phone": ("cosigner phone", "co signer phone", "co borrower phone"),
}  # fmt: skip
# Words creditors shorten; spelled out before names are compared.
_WORDS = {
    "acct": "account", "acc": "account", "no": "number", "num": "number", "nbr": "number",
    "nr": "number", "#": "number", "addr": "address", "dt": "date", "amt": "amount",
    "bal": "balance", "curr": "current", "cur": "current", "orig": "original", "tel": "phone",
    "telephone": "phone", "ph": "phone", "zipcode": "zip code", "postcode": "postal code",
    "pmt": "payment", "pymt": "payment", "chgoff": "charge off", "chargeoff": "charge off",
    "dlq": "delinquency", "cosign": "cosigner",
}  # fmt: skip
_FUZZY_AT_LEAST = 0.86
_DATE_FIELDS = frozenset(
    {"open_date", "delinquency_date", "charge_off_date", "last_payment_date", "date_of_birth",
     "cosigner_date_of_birth"}
)  # fmt: skip
_MONEY_FIELDS = frozenset({"principal", "interest", "fees", "last_payment_amount"})
# Candidate date formats, the unambiguous ones first. Month/day and day/month are told apart by
# a first or second number above 12; when none is, the client's country decides.
_DATE_CANDIDATES = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y", "%d/%m/%Y", "%m-%d-%Y", "%d-%m-%Y", "%d.%m.%Y",
    "%m/%d/%y", "%d/%m/%y", "%d.%m.%y", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%d-%b-%y",
    "%d %B %Y", "%B %d, %Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S",
)  # fmt: skip
_MONTH_FIRST_COUNTRIES = frozenset({"US", "PR", "PH", "FM", "MH", "PW"})
_COMMA_DECIMAL_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "BR",
        "CH",
        "CL",
        "CO",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "ID",
        "IS",
        "IT",
        "LT",
        "LU",
        "LV",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "RS",
        "RU",
        "SE",
        "SI",
        "SK",
        "TR",
        "UA",
        "VN",
        "AR",
    ]
)
_SIGNS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "$": ""}
_ISO_AROUND = re.compile(r"^([A-Z]{3})\s*[\d.,\s]+$|^[\d.,\s]+\s*([A-Z]{3})$")
_BOOLEAN = frozenset({"true", "false", "yes", "no", "y", "n", "1", "0", "t", "f"})
# The values a coded field takes (rows.py reads the same; "Credit Card" is credit_card).
_CODES = {
    "product": frozenset(
        [
            "credit_card",
            "personal_loan",
            "auto_loan",
            "student_loan",
            "medical",
            "utility",
            "telecom",
            "mortgage",
            "other",
        ]
    ),
    "language": frozenset({"en", "es", "fr"}),
    "deceased": _BOOLEAN,
    "bankruptcy": _BOOLEAN,
    "cease_communication": _BOOLEAN,
}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A profile to review: the spec, why each file column was mapped or left out, and what is
    left out. `missing` names required fields no column was found for (the file cannot import
    until a person maps them)."""

    spec: ProfileSpec
    notes: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def name_words(name: str) -> str:
    """A column name as plain lower-case words, abbreviations spelled out: "Acct_No" -> "account
    number", "DateOfBirth" -> "date of birth"."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name.replace("\ufeff", ""))
    spaced = spaced.replace("#", " # ").replace("&", " and ")
    words = re.findall(r"[a-z0-9#]+", spaced.casefold())
    return " ".join(_WORDS.get(word, word) for word in words)


_EXACT: dict[str, tuple[str, int]] = {}
for _field, _names in SYNONYMS.items():
    for _rank, _name in enumerate((_field.replace("_", " "), *_names)):
        _EXACT.setdefault(name_words(_name), (_field, _rank))


def field_for_name(name: str) -> str | None:
    """Our field a column of this name is, by name alone (no spelling guess); None if none."""
    words = name_words(name)
    hit = _EXACT.get(words) or _EXACT.get(words.replace(" ", ""))
    return hit[0] if hit else None


def profile_suggest(
    header: list[str], sample: list[list[str]], *, client_country: str
) -> Suggestion:
    """A profile for a file with this header and these first rows; nothing is decided for good."""
    from solvent.portfolio.domain.placement_profile import ProfileSpec

    notes: dict[str, str] = {}
    columns = [(index, name) for index, name in enumerate(header) if name.strip()]
    values = {
        index: [row[index].strip() for row in sample if index < len(row)] for index, _ in columns
    }
    mapping = _by_name(columns, notes)
    _check_values(mapping, header, values, notes)
    mapped_columns = set(mapping.values())
    unmapped = [name for index, name in columns if index not in mapped_columns]
    for name in unmapped:
        notes.setdefault(name, "no field of ours matches this name: ignored")
    date_formats = _date_formats(mapping, values, client_country, header, notes)
    money = [value for f in _MONEY_FIELDS if f in mapping for value in values[mapping[f]]]
    decimal, thousands = _separators(money, client_country)
    signs, currency = _currency_signs(money)
    constants = {"currency": currency} if currency and "currency" not in mapping else {}
    if constants and "principal" in mapping:
        name = header[mapping["principal"]]
        notes[name] += f"; the amounts carry {currency}: currency {currency} on every row"
    spec = ProfileSpec(
        columns={
            f: header[index].strip() for f, index in sorted(mapping.items(), key=lambda i: i[1])
        },
        constants=constants,
        ignore=tuple(name.strip() for name in unmapped),
        date_formats=date_formats,
        decimal_separator=decimal,
        thousands_separator=thousands,
        currency_symbols=signs,
    )
    missing = sorted(REQUIRED_COLUMNS - mapping.keys() - constants.keys())
    return Suggestion(spec=spec, notes=notes, unmapped=unmapped, missing=missing)


def _by_name(columns: list[tuple[int, str]], notes: dict[str, str]) -> dict[str, int]:
    """Our field -> the column's index: exact synonyms first (best-ranked wins), then spelling."""
    mapping: dict[str, int] = {}
    exact: list[tuple[int, int, str, str]] = []
    for index, name in columns:
        words = name_words(name)
        hit = _EXACT.get(words) or _EXACT.get(words.replace(" ", ""))
        if hit is not None:
            exact.append((hit[1], index, hit[0], name))
    for rank, index, field_name, name in sorted(exact):
        if field_name in mapping:
            taken = columns_name(columns, mapping[field_name])
            notes[name] = f"looks like {field_name}, but {taken!r} is read for it: ignored"
            continue
        mapping[field_name] = index
        notes[name] = f"read as {field_name}" + (
            " (its name)" if rank == 0 else f" ({name_words(name)!r} is a name for it)"
        )
    placed = set(mapping.values())
    fuzzy: list[tuple[float, int, str, str, str]] = []
    for index, name in columns:
        if index in placed:
            continue
        words = name_words(name)
        for known, (field_name, _) in _EXACT.items():
            if len(known) < 4:  # "st", "mi": too short to judge by spelling
                continue
            score = SequenceMatcher(None, words, known).ratio()
            if score >= _FUZZY_AT_LEAST:
                fuzzy.append((-score, index, field_name, name, known))
    for negative, index, field_name, name, known in sorted(fuzzy):
        if index in placed:
            continue
        if field_name in mapping:
            taken = columns_name(columns, mapping[field_name])
            notes.setdefault(
                name, f"spelt like {known!r} ({field_name}), but {taken!r} is read for it: ignored"
            )
            continue
        mapping[field_name] = index
        placed.add(index)
        notes[name] = (
            f"read as {field_name}: spelt like {known!r} ({-negative:.0%} alike), check it"
        )
    return mapping


def columns_name(columns: list[tuple[int, str]], index: int) -> str:
    return next(name for position, name in columns if position == index)


def _check_values(
    mapping: dict[str, int], header: list[str], values: dict[int, list[str]], notes: dict[str, str]
) -> None:
    """Unmap a coded column whose values are not our codes (a "Type" of free text): mapped, every
    row of it would be rejected."""
    for field_name, allowed in _CODES.items():
        index = mapping.get(field_name)
        if index is None:
            continue
        seen = {v.casefold().replace(" ", "_").replace("-", "_") for v in values[index] if v}
        strange = sorted(seen - allowed)
        if strange:
            del mapping[field_name]
            notes[header[index]] = (
                f"named like {field_name}, but its values (e.g. {strange[0]!r}) are not "
                f"{', '.join(sorted(allowed))}: ignored"
            )


def _date_formats(
    mapping: dict[str, int],
    values: dict[int, list[str]],
    country: str,
    header: list[str],
    notes: dict[str, str],
) -> tuple[str, ...]:
    """The formats the date columns' values are written in.

    A file writes all its dates one way: a column whose days go above 12 settles month/day or
    day/month for the columns that cannot tell; with no such column the client's country does."""
    fitting: dict[int, list[str]] = {}
    for field_name in sorted(_DATE_FIELDS & mapping.keys()):
        index = mapping[field_name]
        texts = [text for text in values[index] if text]
        if not texts:
            continue
        fitting[index] = [f for f in _DATE_CANDIDATES if all(_reads(text, f) for text in texts)]
        if not fitting[index]:
            notes[header[index]] += (
                f"; no date format reads all its values (e.g. {texts[0]!r}): add one"
            )
    settled = [
        _month_first(formats[0])
        for formats in fitting.values()
        if formats and _swapped(formats[0]) not in formats and _month_first(formats[0]) is not None
    ]
    if settled:
        month_first, why = Counter(settled).most_common(1)[0][0], "as the file's other dates"
    else:
        month_first, why = country in _MONTH_FIRST_COUNTRIES, f"for a client in {country}"
    found: list[str] = []
    for index, formats in fitting.items():
        if not formats:
            continue
        choice = formats[0]
        if _swapped(choice) in formats:
            choice = next(f for f in formats if _month_first(f) in {month_first, None})
            order = "month/day" if month_first else "day/month"
            notes[header[index]] += f"; no day above 12 in the sample: read as {order} {why}"
        if choice not in found:
            found.append(choice)
    return tuple(found) or ("%Y-%m-%d",)


def _month_first(pattern: str) -> bool | None:
    """True for month/day, False for day/month, None when the month is not a number."""
    if "%m" not in pattern or "%d" not in pattern:
        return None
    return pattern.index("%m") < pattern.index("%d")


def _swapped(pattern: str) -> str:
    return (
        pattern.replace("%m", "\0").replace("%d", "%m").replace("\0", "%d")
        if "%m" in pattern
        else ""
    )


def _reads(text: str, pattern: str) -> bool:
    try:
        datetime.strptime(text, pattern)  # noqa: DTZ007 - a format check, no time zone
    except ValueError:
        return False
    return True


def _separators(money: list[str], country: str) -> tuple[str, str]:
    """(decimal, thousands) as the sample's amounts write them; the country decides a tie."""
    votes: Counter[str] = Counter()
    for text in money:
        digits = re.sub(r"[^\d.,' \u00a0]", "", text).strip()
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?|\d+,\d{1,2}", digits):
            votes[","] += 1
        elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d{1,2})?|\d+\.\d{1,2}", digits):
            votes["."] += 1
    comma = votes[","] > votes["."] or (not votes and country in _COMMA_DECIMAL_COUNTRIES)
    if not comma:
        return ".", ","
    spaced = any(re.search(r"\d[ \u00a0]\d{3}", text) for text in money)
    return ",", " " if spaced else "."


def _currency_signs(money: list[str]) -> tuple[tuple[str, ...], str]:
    """The signs to strip (ours and any the sample shows), and the currency when all agree."""
    signs = ["$", "£", "€"]
    currencies: set[str] = set()
    for text in money:
        for sign, code in _SIGNS.items():
            if sign in text:
                if sign not in signs:
                    signs.append(sign)
                currencies.add(code)
        match = _ISO_AROUND.match(text.strip())
        if match:
            currencies.add(match[1] or match[2])
    known = currencies - {""}
    currency = next(iter(known)) if len(known) == 1 and "" not in currencies else ""
    return tuple(signs), currency


__all__ = ["SYNONYMS", "Suggestion", "field_for_name", "name_words", "profile_suggest"]
