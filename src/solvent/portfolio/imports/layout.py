"""Where a file's fields are: the header row, each field's column, constants, rows to skip.

`layout_for` reads the header of an opened file through a profile spec and says which column
holds each of our fields (and under which name the file calls it, for the error report);
`data_rows` yields the rows after the header that hold data. Solvent's own format is the default
spec (ADR 0035).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.source import PlacementSource, RawRow


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

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def layout_for(source: PlacementSource, spec: ProfileSpec) -> Layout:
    """The layout of the file under `spec`; PlacementFileError when no row can be read."""
    from solvent.portfolio.imports.rows import header_check

    positions = header_check(source.header)
    return Layout(
        header_row=1,
        positions=positions,
        labels={name: source.header[index].strip() for name, index in positions.items()},
        constants=dict(spec.constants),
        width=len(positions),
    )


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
    """Every row after the header, without blank rows (a spreadsheet's trailing rows)."""
    for raw in source.rows():
        if raw.number <= layout.header_row:
            continue
        if raw.problem is None and not any(value.strip() for value in raw.values):
            continue
        yield raw
