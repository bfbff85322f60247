"""CSV and XLSX of every report: the same tables the page shows (``domain.report_tables``).

A ratio is three columns: the numerator, the denominator and the rate (a fraction, 0.42; empty
when the denominator is 0, which is "no data", never 0). Amounts are plain decimals with two
places, counts integers: a spreadsheet can sum them. Several tables (the roll-rate matrices, one
per month) are sections of one CSV, each under its title and parted by an empty line, and sheets
of one workbook. Every text cell is made formula-safe (core.domain.csv_safety, ADR 0018): a
cohort, rule or agent name is data that came from outside.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from solvent.analytics.domain.report_tables import AMOUNT, HOURS, RATIO, Cell, Column, Table
from solvent.analytics.domain.reports import Ratio
from solvent.core.domain.csv_safety import csv_cell, csv_row

# Excel refuses sheet names over 31 characters and with any of these.
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))
_RATE_PLACES = Decimal("0.000001")


def export_header(columns: Sequence[Column]) -> list[str]:
    """Column labels, a ratio column as its three columns."""
    header: list[str] = []
    for column in columns:
        if column.kind == RATIO:
            header += [
                f"{column.label} numerator",
                f"{column.label} denominator",
                column.label,
            ]
        else:
            header.append(column.label)
    return header


def export_values(table: Table, row: Sequence[Cell]) -> list[str | int | Decimal | None]:
    """A row's cells as typed values, a ratio as its three figures."""
    values: list[str | int | Decimal | None] = []
    for column, cell in zip(table.columns, row, strict=True):
        if column.kind == RATIO:
            values += _ratio_values(cell)
        elif isinstance(cell, Decimal):
            places = Decimal("0.01") if column.kind in (AMOUNT, HOURS) else None
            values.append(cell.quantize(places) if places is not None else cell)
        elif isinstance(cell, Ratio):  # pragma: no cover - a ratio outside a ratio column
            values += _ratio_values(cell)
        else:
            values.append(cell)
    return values


def _ratio_values(cell: Cell) -> list[str | int | Decimal | None]:
    if not isinstance(cell, Ratio):
        return [None, None, None]
    value = None if cell.denominator == 0 else (cell.numerator / cell.denominator)
    rate = None if value is None else value.quantize(_RATE_PLACES)
    return [_plain(cell.numerator), _plain(cell.denominator), rate]


def _plain(value: Decimal) -> int | Decimal:
    """21 rather than 21.000: a count stays a count."""
    return int(value) if value == value.to_integral_value() else value


def report_csv(tables: Sequence[Table]) -> str:
    """The tables as CSV; several as titled sections parted by an empty line."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    sections = len(tables) > 1
    for index, table in enumerate(tables):
        if sections:
            if index:
                writer.writerow([])
            writer.writerow([csv_cell(table.title)])
        writer.writerow(csv_row(export_header(table.columns)))
        for row in table.rows:
            writer.writerow(
                csv_row("" if value is None else value for value in export_values(table, row))
            )
    return stream.getvalue()


def report_xlsx(tables: Sequence[Table]) -> bytes:
    """The tables as a workbook: one sheet each, a bold header, numbers typed and formatted.

    Written in openpyxl's write-only mode: a row is streamed once, so a sheet costs time in
    proportion to its cells."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.key, used))
        header = export_header(table.columns)
        for letter, width in zip(_letters(len(header)), _widths(table), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, label, font=bold) for label in header])
        formats = _formats(table.columns)
        for row in table.rows:
            values = export_values(table, row)
            sheet.append(
                [
                    _cell(sheet, csv_cell(value), number_format=number_format)
                    for value, number_format in zip(values, formats, strict=True)
                ]
            )
    if not tables:
        workbook.create_sheet("report")
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _cell(
    sheet: Any, value: object, *, font: Font | None = None, number_format: str = ""
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def _formats(columns: Sequence[Column]) -> list[str]:
    formats: list[str] = []
    for column in columns:
        if column.kind == RATIO:
            formats += ["#,##0.##", "#,##0.##", "0.0%"]
        elif column.kind in (AMOUNT, HOURS):
            formats.append("#,##0.00")
        else:
            formats.append("")
    return formats


def _widths(table: Table) -> list[int]:
    return [min(40, max(10, len(label) + 2)) for label in export_header(table.columns)]


def _letters(count: int) -> list[str]:
    return [get_column_letter(index + 1) for index in range(count)]


def _sheet_name(key: str, used: set[str]) -> str:
    base = key.translate(_SHEET_FORBIDDEN)[:31] or "report"
    name, number = base, 2
    while name.lower() in used:
        suffix = f"-{number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.lower())
    return name
