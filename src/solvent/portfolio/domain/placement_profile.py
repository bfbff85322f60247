"""A placement profile: how one client's files are read (ADR 0035). Pure: no Django.

A profile maps the file's column names to our placement fields (domain.placement_columns), gives
constant values for fields the file lacks, and says how the file writes dates, amounts and text:
date formats, decimal and thousands separators, currency signs, the encoding (or detected), the
header row (or found), which rows to skip (a totals row), and the phones' default region.
`ProfileSpec.default()` is Solvent's own format: every column under its own name.

A spec is stored as JSON (PlacementProfileVersion.spec); `spec_from_json` checks it and raises
`ProfileError` naming every problem. What a file's columns suggest for a new profile is in
`domain.placement_suggest` (re-exported here: `profile_suggest`, `Suggestion`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import phonenumbers

from solvent.portfolio.domain.placement_columns import COLUMN_NAMES

# "utf-16" is read only with its byte-order mark (what Excel's "Unicode Text" export writes).
ENCODINGS = ("auto", "utf-8", "windows-1252", "latin-1", "utf-16")
# A thousands separator may be nothing at all (amounts written 1234.56).
DECIMAL_SEPARATORS = (".", ",")
THOUSANDS_SEPARATORS = (",", ".", " ", "\u00a0", "\u202f", "'", "")
# strftime directives a placement date may use: day, month, year, month names. Times are not
# placement data; a file that adds one ("03/15/2024 00:00") names it in its format.
_DATE_DIRECTIVES = frozenset("dmyYbBHMSIpf%")
_DIRECTIVE = re.compile(r"%(.)")
MAX_LIST = 20  # date formats, skip patterns, currency signs: a profile is read by people


class ProfileError(ValueError):
    """The spec cannot be used; `problems` names each field that is wrong and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    # Our field -> the file's column name (matched case-insensitively, spaces ignored).
    columns: dict[str, str] = field(default_factory=dict)
    # Our field -> a value used on every row (e.g. {"currency": "USD", "product": "medical"}).
    constants: dict[str, str] = field(default_factory=dict)
    # The file's columns read by no field, on purpose (not warned about).
    ignore: tuple[str, ...] = ()
    # strftime patterns tried in order; a value must match one of them (YYYY-MM-DD always works).
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    decimal_separator: str = "."
    thousands_separator: str = ","
    currency_symbols: tuple[str, ...] = ("$", "£", "€")
    encoding: str = "auto"
    # The spreadsheet row number of the header (1-based); None: found in the first rows.
    header_row: int | None = None
    # Regular expressions (case-insensitive, searched in the row's first non-empty cell): a
    # matching row is skipped and counted, not rejected (totals, subtotals, a footer).
    skip_rows: tuple[str, ...] = (r"^\s*(grand\s+|sub)?totals?\b",)
    # Phones without a country code are read in this region; "" = the row's country.
    phone_region: str = ""
    # Solvent's own format: unknown columns are an error (a typo would drop data). A client
    # profile warns about unmapped columns instead.
    strict_columns: bool = False

    @classmethod
    def default(cls) -> ProfileSpec:
        """Solvent's own placement format (docs/placement-format.md)."""
        return cls(columns={name: name for name in COLUMN_NAMES}, strict_columns=True)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data


def column_key(name: str) -> str:
    """How a column name is compared: case and spaces do not matter ("Acct No " = "acctno")."""
    return "".join(name.replace("\ufeff", "").casefold().split())


_TYPES: dict[str, tuple[type, ...]] = {
    "columns": (dict,),
    "constants": (dict,),
    "ignore": (tuple,),
    "date_formats": (tuple,),
    "decimal_separator": (str,),
    "thousands_separator": (str,),
    "currency_symbols": (tuple,),
    "encoding": (str,),
    "header_row": (int, type(None)),
    "skip_rows": (tuple,),
    "phone_region": (str,),
    "strict_columns": (bool,),
}


def spec_from_json(data: dict[str, Any]) -> ProfileSpec:
    """The spec of a stored or submitted profile; ProfileError lists every problem found."""
    if not isinstance(data, dict):
        raise ProfileError(["the profile must be a JSON object"])
    problems: list[str] = []
    known = set(ProfileSpec.__dataclass_fields__)
    problems.extend(f"{key!r} is not a profile setting" for key in data if key not in known)
    values: dict[str, Any] = {}
    for key in sorted(known & data.keys()):
        value = data[key]
        value = tuple(value) if isinstance(value, list) else value
        wanted = _TYPES[key]
        # bool is an int in Python; a header row of `true` is still a mistake.
        if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
            kind = {dict: "an object", tuple: "a list", str: "a text", int: "a number"}
            problems.append(f"{key!r} must be {kind.get(wanted[0], wanted[0].__name__)}")
            continue
        values[key] = value
    if problems:
        raise ProfileError(problems)
    spec = ProfileSpec(**values)
    problems.extend(spec_problems(spec))
    if problems:
        raise ProfileError(problems)
    return spec


def spec_problems(spec: ProfileSpec) -> list[str]:
    """Everything wrong with a spec, each as a sentence naming the setting; [] when usable."""
    problems: list[str] = []
    for setting, mapping in (("columns", spec.columns), ("constants", spec.constants)):
        for name, value in mapping.items():
            if name not in COLUMN_NAMES:
                problems.append(f"{setting}: {name!r} is not a placement field")
            elif not isinstance(value, str) or (setting == "columns" and not value.strip()):
                problems.append(f"{setting}: {name!r} needs a column name (a text)")
    if "account_number" in spec.constants:
        problems.append("constants: account_number identifies each account: it must be a column")
    seen: dict[str, str] = {}
    for name, column in spec.columns.items():
        if not isinstance(column, str):
            continue
        key = column_key(column)
        if key in seen and seen[key] != name:
            problems.append(f"columns: {seen[key]!r} and {name!r} both read the column {column!r}")
        seen.setdefault(key, name)
    problems.extend(_list_problems(spec))
    problems.extend(_format_problems(spec))
    if spec.encoding not in ENCODINGS:
        problems.append(f"encoding {spec.encoding!r} is not one of {', '.join(ENCODINGS)}")
    if spec.header_row is not None and spec.header_row < 1:
        problems.append(
            f"header_row must be 1 or more (the spreadsheet's row), not {spec.header_row}"
        )
    for pattern in spec.skip_rows:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as error:
            problems.append(f"skip_rows: {pattern!r} is not a regular expression ({error})")
    if spec.phone_region and spec.phone_region not in phonenumbers.SUPPORTED_REGIONS:
        problems.append(
            f"phone_region {spec.phone_region!r} is not a known region (ISO 3166 code, e.g. US)"
        )
    return problems


def _list_problems(spec: ProfileSpec) -> list[str]:
    problems: list[str] = []
    for setting in ("ignore", "date_formats", "currency_symbols", "skip_rows"):
        items = getattr(spec, setting)
        if any(not isinstance(item, str) or not item.strip() for item in items):
            problems.append(f"{setting}: every entry must be a non-empty text")
        if len(items) > MAX_LIST:
            problems.append(f"{setting}: at most {MAX_LIST} entries")
    return problems


def _format_problems(spec: ProfileSpec) -> list[str]:
    problems: list[str] = []
    for pattern in spec.date_formats:
        if isinstance(pattern, str) and pattern.strip():
            reason = date_format_problem(pattern)
            if reason:
                problems.append(f"date_formats: {pattern!r} {reason}")
    decimal, thousands = spec.decimal_separator, spec.thousands_separator
    if decimal not in DECIMAL_SEPARATORS:
        problems.append(f"decimal_separator must be '.' or ',', not {decimal!r}")
    if thousands not in THOUSANDS_SEPARATORS:
        shown = ", ".join(repr(s) for s in THOUSANDS_SEPARATORS)
        problems.append(f"thousands_separator must be one of {shown}, not {thousands!r}")
    if decimal == thousands:
        problems.append(
            f"decimal_separator and thousands_separator are both {decimal!r}: 1{decimal}234 "
            "could be either"
        )
    problems.extend(
        f"currency_symbols: {sign!r} would be read as part of a number"
        for sign in spec.currency_symbols
        if isinstance(sign, str)
        and (any(ch.isdigit() for ch in sign) or sign.strip() in {decimal, thousands, "-"})
    )
    return problems


def date_format_problem(pattern: str) -> str:
    """Why `pattern` cannot read placement dates ("" when it can)."""
    directives = set(_DIRECTIVE.findall(pattern))
    if pattern.replace("%%", "").count("%") != len(_DIRECTIVE.findall(pattern.replace("%%", ""))):
        return "has a lone '%'"
    unknown = directives - _DATE_DIRECTIVES
    if unknown:
        shown = ", ".join(f"%{d}" for d in sorted(unknown))
        return f"uses {shown}: a date format uses %d, %m (or %b, %B), %Y (or %y)"
    if not directives & {"Y", "y"} or not directives & {"m", "b", "B"} or "d" not in directives:
        return "needs a day (%d), a month (%m, %b or %B) and a year (%Y or %y)"
    # The round trip proves the pattern reads what it writes (no ambiguous run of digits).
    sample = datetime(2024, 11, 28, 13, 45, 30)  # noqa: DTZ001 - a pattern check, no time zone
    try:
        read = datetime.strptime(sample.strftime(pattern), pattern)  # noqa: DTZ007
    except ValueError:
        return "cannot read back a date it writes"
    if read.date() != date(2024, 11, 28):
        return "cannot read back a date it writes"
    return ""


# The suggestion lives in its own module (it is most of the code) and builds on ProfileSpec, so it
# is imported once the names above exist; `profile_suggest` is part of this module's interface.
from solvent.portfolio.domain.placement_suggest import Suggestion, profile_suggest  # noqa: E402

__all__ = [
    "ENCODINGS",
    "ProfileError",
    "ProfileSpec",
    "Suggestion",
    "column_key",
    "date_format_problem",
    "profile_suggest",
    "spec_from_json",
    "spec_problems",
]
