"""Reading a placement file, CSV or XLSX, as a stream of raw rows: never the whole file in memory.

Rows are numbered as a spreadsheet numbers them: the header is row 1, the first account row 2, so
the error report points at the row a person sees when they open the file. Problems that make the
whole file unreadable raise `PlacementFileError`; problems with one row travel with that row.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
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
_UTF8_BOM = b"\xef\xbb\xbf"
_BLOCK = 1024 * 1024
# The lines the delimiter is guessed from: a title above the header, the header, some rows.
_SNIFF_LINES = 20


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Windows-1252 leaves five bytes undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d): read as Latin-1."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("solvent-latin1", _latin1_fallback)
_ERRORS = {"utf-8": "surrogateescape", "windows-1252": "solvent-latin1"}


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
    """An opened placement file: its header, and its rows as often as they are asked for.

    `header` is the first row with a value until `layout_for` finds the header row (a title may
    sit above it) and sets `header` and `header_row`. `encoding` is the one encoding the whole
    file is read in ("" for an XLSX workbook, which has none)."""

    path: Path
    kind: str  # "csv" or "xlsx"
    header: list[str]
    delimiter: str = ","
    sheet: str = ""
    size_bytes: int = 0
    encoding: str = ""
    header_row: int = 1

    def rows(self) -> Iterator[RawRow]:
        if self.kind == "xlsx":
            return _xlsx_rows(self.path, self.sheet)
        return _csv_rows(self.path, self.delimiter, self.encoding)


def placement_source_open(path: Path, *, encoding: str = "auto") -> PlacementSource:
    """Open and check the file's shape; raises PlacementFileError when nothing can be imported.

    `encoding` is the profile's: "auto" reads the whole file as UTF-8 when every byte of it is
    UTF-8, else as Windows-1252 (a file is one encoding: never decided row by row); UTF-16 is read
    when the file starts with its byte-order mark. An explicit encoding the file does not fit
    refuses the file, naming the first row and byte that do not fit."""
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
        sheet, header_row, header = _xlsx_header(path)
        return PlacementSource(
            path, "xlsx", header, sheet=sheet, size_bytes=size, header_row=header_row
        )
    if start.startswith(_OLE_MAGIC):
        raise PlacementFileError(
            "this is an old Excel .xls workbook: save it as .xlsx or as 'CSV UTF-8'"
        )
    return _csv_source(path, size, file_encoding(path, wanted=encoding))


def file_encoding(path: Path, *, wanted: str = "auto") -> str:
    """The one encoding the whole file is read in; PlacementFileError if `wanted` does not fit.

    One pass over the bytes (ASCII blocks are skipped at memory speed): the decision is made once
    for the file, never row by row, so a file is never half one encoding and half another."""
    with path.open("rb") as handle:
        start = handle.read(2)
    if start in _UTF16_BOMS:
        if wanted not in {"auto", "utf-16"}:
            raise PlacementFileError(
                f"the file is UTF-16 text but the profile says {wanted}: set the profile's "
                "encoding to auto (or utf-16), or save the file as 'CSV UTF-8'"
            )
        _utf16_check(path)
        return "utf-16"
    if wanted == "utf-16":
        raise PlacementFileError(
            "the profile says utf-16 but the file has no UTF-16 byte-order mark: set the "
            "profile's encoding to auto"
        )
    bad = _first_non_utf8(path)
    if wanted in {"auto", "utf-8"}:
        if bad is None:
            return "utf-8"
        if wanted == "auto":
            return "windows-1252"
        offset, byte = bad
        row, column = _row_of(path, offset)
        raise PlacementFileError(
            f"the file is not UTF-8 text: byte 0x{byte:02x} on row {row} (character {column}) "
            "is not UTF-8; set the profile's encoding to auto or windows-1252, or save the file "
            "as 'CSV UTF-8'",
            errors=[RowError(row, "", f"0x{byte:02x}", "not UTF-8 text")],
        )
    # windows-1252 or latin-1 (read as Windows-1252, like every browser: in real files bytes
    # 0x80-0x9f are curly quotes and dashes, never control characters). Every byte decodes; but a
    # file of accented UTF-8 read this way would be stored as mojibake ("RenÃ©e"), so it is refused.
    if bad is None and not _is_ascii(path):
        raise PlacementFileError(
            f"the file is UTF-8 text but the profile says {wanted}: its accents would be stored "
            "wrongly; set the profile's encoding to auto or utf-8"
        )
    return "windows-1252"


def _is_ascii(path: Path) -> bool:
    with path.open("rb") as handle:
        return all(block.isascii() for block in iter(lambda: handle.read(_BLOCK), b""))


def _first_non_utf8(path: Path) -> tuple[int, int] | None:
    """(offset, byte) of the first byte that is not UTF-8, or None when the whole file is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        if handle.read(3) != _UTF8_BOM:
            handle.seek(0)
        else:
            offset = 3
        while block := handle.read(_BLOCK):
            if block.isascii() and not decoder.getstate()[0]:
                offset += len(block)
                continue
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                # The decoder reads what it held back from the last block, then this one.
                return offset - pending + error.start, error.object[error.start]
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return offset - len(error.object) + error.start, error.object[error.start]
    return None


def _row_of(path: Path, offset: int) -> tuple[int, int]:
    """The row (line) and the character position in it of the byte at `offset`."""
    with path.open("rb") as handle:
        before = handle.read(offset)
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, offset - line_start + 1


def _utf16_check(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-16")()
    with path.open("rb") as handle:
        try:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            raise PlacementFileError(
                f"the file starts as UTF-16 text but is not UTF-16 throughout ({error.reason}): "
                "save it as 'CSV UTF-8'"
            ) from None


def _csv_source(path: Path, size: int, encoding: str) -> PlacementSource:
    lines: list[str] = []
    with _text_lines(path, encoding) as reader:
        for text in reader:
            if text.startswith(_OVERSIZED):
                if not lines:
                    raise PlacementFileError(f"the first row is longer than {MAX_LINE_BYTES} bytes")
                break
            if text.strip():
                lines.append(text)
            if len(lines) >= _SNIFF_LINES:
                break
    # NULs in the first line: UTF-16 without its mark, or a binary file (a NUL in a later row
    # is that row's error).
    if lines and "\x00" in lines[0]:
        raise PlacementFileError(
            f"the file contains NUL bytes, it is not CSV text: {_SAVE_AS_UTF8}"
        )
    # Spreadsheets in many locales export with ';' or a tab: take the one the file uses most on
    # a line (a title above the header may have none; amounts like 1.234,56 hold commas).
    delimiter = max((",", ";", "\t"), key=lambda d: max((t.count(d) for t in lines), default=0))
    source = PlacementSource(
        path, "csv", [], delimiter=delimiter, size_bytes=size, encoding=encoding
    )
    for row in source.rows():
        if row.problem is None and any(value.strip() for value in row.values):
            source.header, source.header_row = row.values, row.number
            break
    return source


@contextmanager
def _text_lines(path: Path, encoding: str) -> Iterator[Iterator[str]]:
    """The file's lines as text in `encoding`, with a marker in place of any line too long."""
    with path.open("rb") as handle:
        if encoding == "utf-16":  # a newline is two bytes: a text reader splits the lines
            yield _wide_lines(io.TextIOWrapper(handle, encoding="utf-16", newline=""))
            return
        if handle.read(3) != _UTF8_BOM:
            handle.seek(0)
        yield _lines(handle, encoding)


def _wide_lines(handle: io.TextIOWrapper) -> Iterator[str]:
    """UTF-16 lines (a text reader: a newline is two bytes), the long-line limit in characters."""
    while True:
        line = handle.readline(MAX_LINE_BYTES)
        if not line:
            return
        if len(line) >= MAX_LINE_BYTES and not line.endswith("\n"):
            size = len(line)
            while True:
                chunk = handle.readline(MAX_LINE_BYTES)
                size += len(chunk)
                if not chunk or chunk.endswith("\n"):
                    break
            yield f"{_OVERSIZED}{size}\n"
            continue
        yield line


def _lines(handle: BinaryIO, encoding: str) -> Iterator[str]:
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
        # The whole file was checked against its encoding when opened; should it have changed
        # since, undecodable bytes are kept as surrogates so the row check can name the column.
        yield line.decode(encoding, _ERRORS[encoding])


def _csv_rows(path: Path, delimiter: str, encoding: str) -> Iterator[RawRow]:
    with _text_lines(path, encoding) as lines:
        reader = csv.reader(lines, delimiter=delimiter)
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


def _xlsx_header(path: Path) -> tuple[str, int, list[str]]:
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
        rows = workbook[sheet].iter_rows(values_only=True, max_row=_SNIFF_LINES)
        for number, values in enumerate(rows, start=1):
            header = [_cell_text(value) for value in values]
            while header and header[-1] == "":
                header.pop()
            if header:
                return sheet, number, header
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
        if value.is_integer():
            return str(int(value))
        # Excel shows (and means) 15 significant digits: 316.4600000000002 is 316.46.
        text = f"{value:.15g}"
        return format(Decimal(text), "f") if "e" in text else text
    return str(value)
