"""A placement profile: how one client's files are read (ADR 0035). Pure: no Django.

A profile maps the file's column names to our placement fields (domain.placement_columns), gives
constant values for fields the file lacks, and says how the file writes dates, amounts and text:
date formats, decimal and thousands separators, currency signs, the encoding (or detected), the
header row (or found), which rows to skip (a totals row), and the phones' default region.
`ProfileSpec.default()` is Solvent's own format: every column under its own name.

A spec is stored as JSON (PlacementProfileVersion.spec); `spec_from_json` checks it and raises
`ProfileError` naming every problem.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from solvent.portfolio.domain.placement_columns import COLUMN_NAMES

ENCODINGS = ("auto", "utf-8", "windows-1252", "latin-1")


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
    # strftime patterns tried in order; a value must match one of them.
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


def spec_from_json(data: dict[str, Any]) -> ProfileSpec:
    """The spec of a stored or submitted profile; ProfileError lists every problem found."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ProfileError(["the profile must be a JSON object"])
    known = set(ProfileSpec.__dataclass_fields__)
    problems.extend(f"{key!r} is not a profile setting" for key in data if key not in known)
    values: dict[str, Any] = {}
    for key in known & data.keys():
        value = data[key]
        values[key] = tuple(value) if isinstance(value, list) else value
    try:
        spec = ProfileSpec(**values)
    except TypeError as error:  # pragma: no cover - keys are filtered above
        raise ProfileError([str(error)]) from None
    problems.extend(
        f"{name!r} is not a placement field"
        for name in (*spec.columns, *spec.constants)
        if name not in COLUMN_NAMES
    )
    if spec.encoding not in ENCODINGS:
        problems.append(f"encoding {spec.encoding!r} is not one of {', '.join(ENCODINGS)}")
    if problems:
        raise ProfileError(problems)
    return spec
