"""How the report pages show a report's tables: each cell's text (a ratio as "rate (numerator /
denominator)", no data as a dash), numbers right-aligned, a roll-rate matrix's counts heat-coloured
by their share of the bucket, and each metric's header with its definition as a tooltip and a link
to the definitions under the table. Presentation only: the figures are the tables'."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from solvent.analytics.domain.report_tables import (
    RATIO,
    TEXT,
    Cell,
    Table,
    cell_text,
    ratio_percent,
    roll_heat,
)
from solvent.analytics.domain.reports import Ratio


@dataclass(frozen=True, slots=True)
class ShownCell:
    text: str
    numeric: bool = False
    # A ratio's rate and its "(numerator / denominator)", shown on two lines.
    rate: str = ""
    figures: str = ""
    style: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class ShownHeader:
    key: str
    label: str
    help: str
    numeric: bool


@dataclass(frozen=True, slots=True)
class ShownTable:
    key: str
    title: str
    headers: tuple[ShownHeader, ...]
    rows: tuple[tuple[ShownCell, ...], ...]


@dataclass(frozen=True, slots=True)
class ShownDefinition:
    key: str
    name: str
    definition: str


def _cell(cell: Cell, kind: str) -> ShownCell:
    if isinstance(cell, Ratio):
        text = cell_text(cell)
        return ShownCell(text, True, ratio_percent(cell), text[len(ratio_percent(cell)) :].strip())
    return ShownCell(cell_text(cell), kind != TEXT)


def _heat(table: Table, row: Sequence[Cell], index: int) -> tuple[str, str]:
    """A roll matrix's count cell: its colour and "x% of the bucket"."""
    start, count = row[1], row[index]
    if not isinstance(start, int) or not isinstance(count, int) or start <= 0:
        return "", ""
    heat = roll_heat(count, start)
    return (
        f"background-color: rgba(15, 118, 110, {0.08 + 0.6 * heat:.2f})" if count else "",
        f"{heat * 100:.1f}% of the accounts in {row[0]} at the start",
    )


def shown_table(table: Table) -> ShownTable:
    roll = table.key.startswith("roll-")
    rows = []
    for row in table.rows:
        cells = []
        for index, (column, cell) in enumerate(zip(table.columns, row, strict=True)):
            shown = _cell(cell, column.kind)
            if roll and column.key.startswith("to:"):
                style, title = _heat(table, row, index)
                shown = ShownCell(shown.text, True, style=style, title=title)
            cells.append(shown)
        rows.append(tuple(cells))
    headers = tuple(
        ShownHeader(column.key, column.label, column.help, column.kind != TEXT)
        for column in table.columns
    )
    return ShownTable(table.key, table.title, headers, tuple(rows))


def shown_tables(tables: Sequence[Table]) -> list[ShownTable]:
    return [shown_table(table) for table in tables]


def shown_definitions(table: Table) -> list[ShownDefinition]:
    """The metrics' definitions, for the list under the KPI table its headers link to."""
    return [
        ShownDefinition(column.key, column.label, column.help)
        for column in table.columns
        if column.kind == RATIO
    ]
