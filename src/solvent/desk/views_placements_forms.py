"""The profile mapping form of the placement pages: a spec to form fields, and back.

One row per file column (the file's name, and our field it fills, or none: ignored), then the
settings: date formats, separators, currency signs, encoding, header row, rows to skip, the
phones' region and constants. `spec_from_form` reads what was posted into the spec's JSON and
names each field it cannot read; the spec's own checks (`spec_from_json`) come after, in the
service, and name theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from solvent.portfolio.domain.placement_columns import COLUMN_NAMES, COLUMNS
from solvent.portfolio.domain.placement_profile import ENCODINGS, ProfileSpec

# Blank rows the edit form offers for columns the file gained.
MAPPING_ROWS_EXTRA = 3
# No file has more columns than this; a bigger number in the form is not ours.
MAPPING_ROWS_MAX = 300
DECIMAL_SEPARATORS = ((".", "point: 1234.56"), (",", "comma: 1234,56"))
THOUSANDS_SEPARATORS = (
    (",", "comma: 1,234"),
    (".", "point: 1.234"),
    (" ", "space: 1 234"),
    ("'", "apostrophe: 1'234"),
    ("", "none: 1234"),
)
# Masked fields: a note about the sample's values of these columns is not shown.
_PRIVATE_FIELDS = frozenset(
    {"date_of_birth", "national_id", "cosigner_date_of_birth", "cosigner_national_id"}
)


def mapping_context(
    spec: ProfileSpec,
    *,
    file_columns: list[str] | None = None,
    notes: Mapping[str, str] | None = None,
    extra: int = 0,
    posted: Mapping[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the form template shows: from a spec, or (after a refusal) as it was posted."""
    by_column = {column: field for field, column in spec.columns.items()}
    notes = notes or {}
    if posted is not None:
        rows = [
            {
                "column": str(posted.get(f"column_{i}", "")),
                "field": str(posted.get(f"field_{i}", "")),
                "note": "",
            }
            for i in range(_row_count(posted))
        ]
        values = {name: str(posted.get(name, "")) for name in _SETTINGS}
        values["full_refresh"] = ""
    else:
        columns = file_columns if file_columns is not None else list(by_column)
        rows = [
            {
                "column": column,
                "field": by_column.get(column, ""),
                "note": _note_shown(by_column.get(column, ""), notes.get(column, "")),
            }
            for column in columns
        ]
        rows.extend({"column": "", "field": "", "note": ""} for _ in range(extra))
        values = _settings_of(spec)
    return {
        "rows": [{"index": index, **row} for index, row in enumerate(rows)],
        "row_count": len(rows),
        "fields": COLUMNS,
        "encodings": ENCODINGS,
        "decimal_separators": DECIMAL_SEPARATORS,
        "thousands_separators": THOUSANDS_SEPARATORS,
        "values": values,
        "errors": errors or {},
    }


_SETTINGS = (
    "date_formats",
    "decimal_separator",
    "thousands_separator",
    "currency_symbols",
    "encoding",
    "header_row",
    "skip_rows",
    "phone_region",
    "constants",
)


def _settings_of(spec: ProfileSpec) -> dict[str, str]:
    return {
        "date_formats": "\n".join(spec.date_formats),
        "decimal_separator": spec.decimal_separator,
        "thousands_separator": spec.thousands_separator,
        "currency_symbols": " ".join(spec.currency_symbols),
        "encoding": spec.encoding,
        "header_row": "" if spec.header_row is None else str(spec.header_row),
        "skip_rows": "\n".join(spec.skip_rows),
        "phone_region": spec.phone_region,
        "constants": "\n".join(f"{name} = {value}" for name, value in spec.constants.items()),
    }


def _note_shown(field: str, note: str) -> str:
    # A note may quote the sample's values: never those of a date of birth or national id.
    return f"read as {field}" if field in _PRIVATE_FIELDS else note


def _row_count(posted: Mapping[str, Any]) -> int:
    try:
        return max(0, min(int(str(posted.get("rows", "0"))), MAPPING_ROWS_MAX))
    except ValueError:
        return 0


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def spec_from_form(posted: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The spec's JSON from the posted form, and the fields that could not be read (by name)."""
    errors: dict[str, str] = {}
    columns: dict[str, str] = {}
    ignore: list[str] = []
    for index in range(_row_count(posted)):
        column = str(posted.get(f"column_{index}", "")).strip()
        field = str(posted.get(f"field_{index}", "")).strip()
        if not column:
            if field:
                errors[f"column_{index}"] = f"the file's column name that holds {field}"
            continue
        if not field:
            ignore.append(column)
        elif field not in COLUMN_NAMES:
            errors[f"field_{index}"] = f"{field!r} is not one of our fields"
        elif field in columns:
            errors[f"field_{index}"] = f"{field} is already read from the column {columns[field]!r}"
        else:
            columns[field] = column
    constants: dict[str, str] = {}
    for line in _lines(str(posted.get("constants", ""))):
        name, sign, value = line.partition("=")
        name = name.strip()
        if not sign or name not in COLUMN_NAMES:
            errors["constants"] = f"{line!r}: write one 'field = value' per line, with our field"
            continue
        constants[name] = value.strip()
    header_text = str(posted.get("header_row", "")).strip()
    header_row: int | None = None
    if header_text:
        if header_text.isdigit() and int(header_text) >= 1:
            header_row = int(header_text)
        else:
            errors["header_row"] = "the spreadsheet row number of the header (1 or more), or blank"
    date_formats = _lines(str(posted.get("date_formats", "")))
    if not date_formats:
        errors["date_formats"] = "at least one date format, e.g. %m/%d/%Y"
    phone_region = str(posted.get("phone_region", "")).strip().upper()
    if phone_region and not (len(phone_region) == 2 and phone_region.isalpha()):
        errors["phone_region"] = "a two-letter country code (US, CA, GB), or blank"
    data: dict[str, Any] = {
        "columns": columns,
        "constants": constants,
        "ignore": ignore,
        "date_formats": date_formats,
        "decimal_separator": str(posted.get("decimal_separator", ".")),
        "thousands_separator": str(posted.get("thousands_separator", ",")),
        "currency_symbols": str(posted.get("currency_symbols", "")).split(),
        "encoding": str(posted.get("encoding", "auto")),
        "header_row": header_row,
        "skip_rows": _lines(str(posted.get("skip_rows", ""))),
        "phone_region": phone_region,
        "strict_columns": False,
    }
    return data, errors
