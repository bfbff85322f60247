"""Reading placement files: encodings, empty files, enormous lines, delimiters, XLSX sheets."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from solvent.portfolio.domain.placement_columns import COLUMN_NAMES
from solvent.portfolio.imports.source import (
    MAX_LINE_BYTES,
    PlacementFileError,
    placement_source_open,
)
from tests.portfolio.imports.placement_files import good_row, write_rows


def _values(path: Path) -> list[tuple[int, list[str], str]]:
    source = placement_source_open(path)
    return [(r.number, r.values, r.problem.reason if r.problem else "") for r in source.rows()]


def test_csv_rows_are_numbered_like_a_spreadsheet(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1), good_row(2)])
    source = placement_source_open(path)
    assert source.header == list(COLUMN_NAMES)
    numbers = [(r.number, r.values[0]) for r in source.rows()]
    assert numbers == [(1, "account_number"), (2, "A-0001"), (3, "A-0002")]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(PlacementFileError, match="the file is empty"):
        placement_source_open(path)
    path.write_bytes(b"\n\n  \n")
    with pytest.raises(PlacementFileError, match="the file is empty"):
        placement_source_open(path)


def test_utf16_with_its_mark_is_read_and_legacy_excel_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    # Excel's "Unicode Text" export: UTF-16 with a byte-order mark, tab separated.
    path.write_bytes("account_number\tfirst_name\nA-1\tRen\u00e9e\n".encode("utf-16"))
    source = placement_source_open(path)
    assert (source.encoding, source.header) == ("utf-16", ["account_number", "first_name"])
    assert [r.values for r in source.rows()][1] == ["A-1", "Ren\u00e9e"]
    with pytest.raises(PlacementFileError, match="UTF-16 text but the profile says utf-8"):
        placement_source_open(path, encoding="utf-8")
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(PlacementFileError, match=r"old Excel \.xls"):
        placement_source_open(path)


def test_a_latin1_file_is_read_whole_as_windows_1252(tmp_path: Path) -> None:
    """Issue 15: a file is one encoding. It used to be read as UTF-8 row by row (its accented
    rows rejected); now the whole file is UTF-8 or, if any byte is not, Windows-1252."""
    path = tmp_path / "p.csv"
    path.write_bytes(b"account_number,pr\xe9nom\nA-1,\x93Ren\xe9e\x94\n")
    source = placement_source_open(path)
    assert source.encoding == "windows-1252"
    assert source.header == ["account_number", "pr\xe9nom"]
    assert [r.values for r in source.rows()][1] == ["A-1", "\u201cRen\xe9e\u201d"]


def test_an_explicit_encoding_that_does_not_fit_names_the_row_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    text = "account_number,first_name\nA-1,Ren\u00e9e\nA-2,Zo\u00eb\n"
    path.write_bytes(text.encode("utf-8") + "A-3,Andr\xe9\n".encode("latin-1"))
    with pytest.raises(PlacementFileError, match="byte 0xe9 on row 4 \\(character 9\\)"):
        placement_source_open(path, encoding="utf-8")
    # The one byte that is not UTF-8 makes the whole file Windows-1252 under "auto": the UTF-8
    # rows above it are read in the same encoding (never half and half).
    assert placement_source_open(path).encoding == "windows-1252"
    path.write_bytes(text.encode("utf-8"))
    assert placement_source_open(path).encoding == "utf-8"
    with pytest.raises(PlacementFileError, match="UTF-8 text but the profile says windows-1252"):
        placement_source_open(path, encoding="windows-1252")


def test_undefined_windows_1252_bytes_are_read_as_latin1(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"account_number,first_name\nA-1,x\x81y\x80\n")
    rows = [r.values for r in placement_source_open(path).rows()]
    assert rows[1] == ["A-1", "x\x81y\u20ac"]


def test_bom_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes("\ufeffaccount_number;principal\nA-1;10.00\n".encode())
    source = placement_source_open(path)
    assert source.header == ["account_number", "principal"]
    assert [r.values for r in source.rows()][1] == ["A-1", "10.00"]


def test_enormous_line_is_one_row_error_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    huge = "x" * (MAX_LINE_BYTES * 3)
    path.write_text(f"account_number,principal\nA-1,1.00\nA-2,{huge}\nA-3,3.00\n")
    rows = _values(path)
    assert rows[1] == (2, ["A-1", "1.00"], "")
    assert rows[2][0] == 3 and rows[2][1] == []
    assert f"line of {len(huge) + 5} bytes is longer than the limit" in rows[2][2]
    assert rows[3] == (4, ["A-3", "3.00"], "")


def test_xlsx_cells_become_csv_text(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["account_number", "principal", "open_date", "phone_home", None])
    sheet.append([12345, 99.5, datetime(2020, 1, 2), 2122345678.0, None])
    sheet.append([date(2021, 3, 4), True, None, "x", None])
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    source = placement_source_open(path)
    assert source.kind == "xlsx"
    assert source.header == ["account_number", "principal", "open_date", "phone_home"]
    rows = [r.values for r in source.rows()]
    assert rows[1] == ["12345", "99.5", "2020-01-02", "2122345678"]
    assert rows[2] == ["2021-03-04", "true", "", "x"]


def test_xlsx_money_cells_lose_their_float_noise(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["principal", "postal_code", "tiny", "big"])
    sheet.append([316.4600000000002, 2134, 0.1 + 0.2, 12345678901234.5])
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    rows = [r.values for r in placement_source_open(path).rows()]
    # Excel shows 15 significant digits: what the creditor saw is what is read.
    assert rows[1] == ["316.46", "2134", "0.3", "12345678901234.5"]


def test_xlsx_with_several_sheets(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.title = "Accounts"
    workbook.active.append(["account_number"])
    workbook.create_sheet("Notes").append(["whatever"])
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    with pytest.raises(PlacementFileError, match=r"the workbook has 2 sheets \(Accounts, Notes\)"):
        placement_source_open(path)
    workbook.create_sheet("Placements").append(["account_number", "principal"])
    workbook.save(path)
    assert placement_source_open(path).header == ["account_number", "principal"]
