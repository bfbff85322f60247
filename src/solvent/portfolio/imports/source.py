"""Reading a placement file, CSV or XLSX, as a stream of raw rows: never the whole file in memory.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first account row 2, so
the error report points at the row a person sees when they open the file. Problems that make the
whole file unreadable raise `PlacementFileError`; problems with one row travel with that row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from solvent.core.domain.errors import ValidationError

# A placement row is well under a kilobyte; a longer line is a broken file (a missing quote, a
# binary pasted in) and must not be read into memory whole.
MAX_LINE_BYTES = 128 * 1024
csv.field_size_limit(MAX_LINE_BYTES)

_OVERSIZED = "\ufffesolvent:oversized-line\ufffe"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SAVE_AS_UTF8 = "save the file as 'CSV UTF-8' and send it again"


@dataclass(frozen=True, slots=True)
class RowError:
    """One line of the error report: which row, which column, what value, and why."""

    row: int
    column: str
    value: str
    reason: str


class PlacementFileError(ValidationError):
    """The file as a whole cannot be imported (empty, wrong format, wrong columns)."""

    code = "placement_file_invalid"

    def __init__(self, message: str, *, errors: list[RowError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or [RowError(1, "", "", message)]


@dataclass(slots=True)
class RawRow:
    number: int
    values: list[str]
    problem: RowError | None = None


@dataclass(slots=True)
class PlacementSource:
    """An opened placement file: its header, and its rows as often as they are asked for."""

    path: Path
    kind: str  # "csv" or "xlsx"
    header: list[str]
    delimiter: str = ","
    sheet: str = ""
    size_bytes: int = 0

    def rows(self) -> Iterator[RawRow]:
        if self.kind == "xlsx":
            return _xlsx_rows(self.path, self.sheet)
        return _csv_rows(self.path, self.delimiter)


def placement_source_open(path: Path, *, encoding: str = "auto") -> PlacementSource:
    """Open and check the file's shape; raises PlacementFileError when nothing can be imported.

    `encoding` is the profile's ("auto": detected, the whole file in one encoding)."""
    if not path.exists():
        # An uploaded file is deleted once imported (ADR 0018): running it again needs the file.
        raise PlacementFileError(
            f"the file {path.name} is no longer here (uploads are deleted once imported): "
            "upload it again"
        )
    with path.open("rb") as handle:
        start = handle.read(8)
    size = path.stat().st_size
    if size == 0 or not start.strip():
        raise PlacementFileError("the file is empty: expected a header row and one row per account")
    if start.startswith(_ZIP_MAGIC):
        sheet, header = _xlsx_header(path)
        return PlacementSource(path, "xlsx", header, sheet=sheet, size_bytes=size)
    if start.startswith(_OLE_MAGIC):
        raise PlacementFileError(
            "this is an old Excel .xls workbook: save it as .xlsx or as 'CSV UTF-8'"
        )
    if start.startswith(_UTF16_BOMS):
        raise PlacementFileError(f"the file is in UTF-16, not UTF-8: {_SAVE_AS_UTF8}")
    return _csv_source(path, size)


def _csv_source(path: Path, size: int) -> PlacementSource:
    with path.open("rb") as handle:
        first = handle.readline(MAX_LINE_BYTES)
    if len(first) >= MAX_LINE_BYTES and not first.endswith(b"\n"):
        raise PlacementFileError(f"the header row is longer than {MAX_LINE_BYTES} bytes")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlacementFileError(
            f"the header row is not UTF-8 text (byte 0x{first[error.start]:02x} at position "
            f"{error.start + 1}): {_SAVE_AS_UTF8}"
        ) from None
    if "\x00" in text:
        raise PlacementFileError(
            f"the file contains NUL bytes, it is not CSV text: {_SAVE_AS_UTF8}"
        )
    # Spreadsheets in many locales export with ';' or a tab: take whichever the header uses.
    delimiter = max((",", ";", "\t"), key=text.count)
    source = PlacementSource(path, "csv", [], delimiter=delimiter, size_bytes=size)
    for row in source.rows():
        source.header = row.values
        break
    return source


def _lines(handle: BinaryIO) -> Iterator[str]:
    """The file's lines as text, with a marker in place of any line too long to read."""
    while True:
        line = handle.readline(MAX_LINE_BYTES)
        if not line:
            return
        if len(line) >= MAX_LINE_BYTES and not line.endswith(b"\n"):
            size = len(line)
            while True:  # skip the rest of the line without holding it
                chunk = handle.readline(MAX_LINE_BYTES)
                size += len(chunk)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield f"{_OVERSIZED}{size}\n"
            continue
        # Undecodable bytes are kept as surrogates so the row check can name the column.
        yield line.decode("utf-8", "surrogateescape")


def _csv_rows(path: Path, delimiter: str) -> Iterator[RawRow]:
    with path.open("rb") as handle:
        if handle.read(3) != b"\xef\xbb\xbf":
            handle.seek(0)
        reader = csv.reader(_lines(handle), delimiter=delimiter)
        number = 0
        while True:
            number += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield RawRow(number, [], RowError(number, "", "", f"unreadable CSV row: {error}"))
                continue
            if len(values) == 1 and values[0].startswith(_OVERSIZED):
                size = values[0][len(_OVERSIZED) :]
                reason = (
                    f"line of {size} bytes is longer than the limit of {MAX_LINE_BYTES} bytes "
                    "(a missing quote or pasted binary data?)"
                )
                yield RawRow(number, [], RowError(number, "", "", reason))
                continue
            yield RawRow(number, values)


def _xlsx_header(path: Path) -> tuple[str, list[str]]:
    from openpyxl import load_workbook  # imported here: only XLSX files pay for it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged zip
        raise PlacementFileError(f"not a readable XLSX workbook: {error}") from None
    try:
        names = workbook.sheetnames
        if len(names) > 1:
            wanted = [name for name in names if name.strip().lower() == "placements"]
            if not wanted:
                raise PlacementFileError(
                    f"the workbook has {len(names)} sheets ({', '.join(names)}): keep the accounts "
                    "on one sheet, or name the sheet to import 'placements'"
                )
            names = wanted
        sheet = names[0]
        for values in workbook[sheet].iter_rows(values_only=True, max_row=1):
            header = [_cell_text(value) for value in values]
            while header and header[-1] == "":
                header.pop()
            if header:
                return sheet, header
    finally:
        workbook.close()
    raise PlacementFileError(f"the sheet {sheet!r} is empty: expected a header row")


def _xlsx_rows(path: Path, sheet: str) -> Iterator[RawRow]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for number, values in enumerate(workbook[sheet].iter_rows(values_only=True), start=1):
            texts = [_cell_text(value) for value in values]
            while texts and texts[-1] == "":  # styled but empty cells to the right
                texts.pop()
            yield RawRow(number, texts)
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """Cells as the text a CSV export would hold: dates as YYYY-MM-DD, whole numbers without .0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
