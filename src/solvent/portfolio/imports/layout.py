"""Where a file's fields are: the header row, each field's column, constants, rows to skip.

`layout_for` reads the header of an opened file through a profile spec and says which column
holds each of our fields (and under which name the file calls it, for the error report);
`data_rows` yields the rows after the header that hold data. Solvent's own format is the default
spec (ADR 0035). Every decision about the file's shape is made here, once per file, so that the
per-row work stays a lookup.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from solvent.portfolio.domain.placement_columns import REQUIRED_COLUMNS
from solvent.portfolio.domain.placement_profile import ProfileSpec, column_key
from solvent.portfolio.imports.source import PlacementFileError, PlacementSource, RawRow, RowError

# A title, a date line, a blank line or two sit above a real header; twenty rows is plenty.
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True, slots=True)
class Layout:
    # The spreadsheet row number of the header row (1-based).
    header_row: int
    # Our field -> index of its column in a raw row.
    positions: dict[str, int]
    # Our field -> the column's name as the file writes it (for the error report).
    labels: dict[str, str] = field(default_factory=dict)
    # Our field -> a constant value from the profile (used when the file has no such column).
    constants: dict[str, str] = field(default_factory=dict)
    # How many columns the header has: values beyond it are an error.
    width: int = 0
    # Not errors, but worth saying (an unmapped column of a client profile).
    warnings: tuple[str, ...] = ()
    # The file's number cells are binary floats (XLSX): money is rounded to the currency's minor
    # unit instead of refused for its extra places.
    rounds_money: bool = False

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def layout_for(source: PlacementSource, spec: ProfileSpec) -> Layout:
    """The layout of the file under `spec`; PlacementFileError when no row can be read.

    Sets `source.header` and `source.header_row` to the header row found (or the profile's)."""
    number, header = _header_row(source, spec)
    while header and not header[-1].strip():  # Excel's trailing ",,,": no column there
        header.pop()
    source.header, source.header_row = header, number
    positions, warnings = columns_read(header, spec, row=number)
    return Layout(
        header_row=number,
        positions=positions,
        labels={name: header[index].strip() for name, index in positions.items()},
        constants={name: value for name, value in spec.constants.items() if name not in positions},
        width=len(header),
        warnings=tuple(warnings),
        rounds_money=source.kind == "xlsx",
    )


def header_candidates(source: PlacementSource, *, limit: int = HEADER_SEARCH_ROWS) -> list[RawRow]:
    """The first `limit` rows that hold a value: where a header row may be."""
    found: list[RawRow] = []
    for raw in source.rows():
        if raw.problem is None and any(value.strip() for value in raw.values):
            found.append(raw)
            if len(found) >= limit:
                break
    return found


def _header_row(source: PlacementSource, spec: ProfileSpec) -> tuple[int, list[str]]:
    if spec.header_row is not None:
        for raw in source.rows():
            if raw.number == spec.header_row:
                if raw.problem is not None or not any(v.strip() for v in raw.values):
                    break
                return raw.number, list(raw.values)
            if raw.number > spec.header_row:
                break
        raise PlacementFileError(
            f"the profile says the header is on row {spec.header_row}, but that row is empty "
            "or past the end of the file"
        )
    candidates = header_candidates(source)
    if not candidates:
        raise PlacementFileError("the file is empty: expected a header row and one row per account")
    names = {column_key(name) for name in (*spec.columns.values(), *spec.ignore)}
    best, best_score = candidates[0], 0
    for raw in candidates:
        score = len({column_key(value) for value in raw.values} & names)
        if score > best_score:
            best, best_score = raw, score
    if best_score == 0 and not spec.strict_columns:
        expected = ", ".join(sorted(spec.columns.values())[:5])
        raise PlacementFileError(
            f"no row among the first {len(candidates)} names the profile's columns "
            f"(expected e.g. {expected}): is this the client's file, and the right profile?"
        )
    # Our own format with no known name anywhere: the first row is the header, and the header
    # check says what is wrong with it.
    return best.number, list(best.values)


def columns_read(
    header: list[str], spec: ProfileSpec, *, row: int = 1
) -> tuple[dict[str, int], list[str]]:
    """Each mapped field's column index, and the warnings; PlacementFileError on a bad header.

    Our own format (strict) refuses unknown, unnamed and repeated columns and missing required
    ones. A client profile refuses a mapped column the file lacks (required or not: the profile
    says the file has it, so its absence is a changed layout, ADR 0035) and a repeated mapped
    column, and warns about columns it neither maps nor ignores."""
    errors: list[RowError] = []
    warnings: list[str] = []
    wanted: dict[str, str] = {column_key(column): name for name, column in spec.columns.items()}
    ignored = {column_key(column) for column in spec.ignore}
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        key = column_key(raw)
        name = wanted.get(key)
        if not key:
            if spec.strict_columns:
                errors.append(RowError(row, f"column {index + 1}", raw, "the column has no name"))
            else:
                warnings.append(f"column {index + 1} has no name: its values are not imported")
        elif name is None:
            if key in ignored:
                continue
            if spec.strict_columns:
                guess = difflib.get_close_matches(
                    raw.strip().lower(), list(spec.columns.values()), n=1
                )
                hint = f" (did you mean {guess[0]!r}?)" if guess else ""
                errors.append(RowError(row, raw, raw, f"unknown column{hint}"))
            else:
                warnings.append(
                    f"column {raw.strip()!r} is not mapped: its values are not imported"
                )
        elif name in positions:
            errors.append(RowError(row, raw, raw, "the column appears twice"))
        else:
            positions[name] = index
    needed = REQUIRED_COLUMNS - spec.constants.keys()
    errors.extend(
        RowError(row, name, "", "required, but the profile maps no column to it")
        for name in sorted(needed - spec.columns.keys())
    )
    for name, column in spec.columns.items():
        if name in positions:
            continue
        if name in needed:
            reason = "required column is missing"
            if column_key(column) != column_key(name):
                reason += f" (the profile reads {name} from it)"
            errors.append(RowError(row, column, "", reason))
        elif not spec.strict_columns:
            errors.append(
                RowError(
                    row,
                    column,
                    "",
                    f"the profile reads {name} from this column, but the file has no such column",
                )
            )
    if errors:
        problems = "; ".join(f"{e.column or e.value}: {e.reason}" for e in errors)
        raise PlacementFileError(f"the header row has problems: {problems}", errors=errors)
    return positions, warnings


@dataclass(slots=True)
class RowCounter:
    """Rows `data_rows` left out on purpose (totals, titles): counted, not rejected."""

    skipped: int = 0


def data_rows(
    source: PlacementSource,
    layout: Layout,
    spec: ProfileSpec,
    counter: RowCounter | None = None,
) -> Iterator[RawRow]:
    """Every row after the header, without blank rows and the rows the profile skips (counted)."""
    skip = _skip_pattern(spec.skip_rows)
    header_row = layout.header_row
    for raw in source.rows():
        if raw.number <= header_row:
            continue
        if raw.problem is None:
            first = next((value for value in raw.values if value.strip()), None)
            if first is None:
                continue
            if skip is not None and skip.search(first):
                if counter is not None:
                    counter.skipped += 1
                continue
        yield raw


@lru_cache(maxsize=64)
def _skip_pattern(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """The profile's skip patterns as one compiled expression: one search a row."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)
