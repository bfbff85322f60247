"""Creditor files as they really arrive, written for the tests (every person in them is fictional).

Three shapes from issue 15, each with the values an import must store (`Expected`):

* `us_medical_csv`: Windows-1252 (accents and a curly apostrophe), an Excel title on rows 1-2,
  "Account Number, Balance, DOB, SSN, Zip", "$1,234.56", 03/15/2024, a phone with "ext 212",
  Excel's trailing ",,," on every row, a ZIP typed as a number (2134) and a totals row.
* `bank_xlsx`: a workbook whose money cells carry float noise (316.4600000000002), ZIP codes and
  SSNs stored as numbers, dates as date cells, a title row above the header.
* `european_csv`: UTF-8 with a byte-order mark, ';' between columns, "1.234,56 €", 15.03.1980.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class Expected:
    """What one account row must become once imported."""

    account_number: str
    first_name: str
    last_name: str
    principal: Decimal
    postal_code: str
    date_of_birth: str
    open_date: date | None = None
    interest: Decimal = Decimal("0.00")
    phone: str = ""  # E.164 of the row's first phone
    extension: str = ""


US_ROWS = (
    # Account Number, Last Name, First Name, DOB, SSN, Address, City, State, Zip, Home Phone,
    # Balance, Open Date
    ("HMG-1001", "Dupont", "Renée", "03/15/1980", "123-45-6001", "12 Elm St", "Boston", "MA",
     "2134", "617-234-5678 ext 212", "$1,234.56", "01/02/2019"),
    ("HMG-1002", "O\u2019Brien", "Zoë", "11/30/1975", "123-45-6002", "4 Oak Ave", "Newark", "NJ",
     "7102", "(973) 234-0199", "$89.10", "06/07/2020"),
    ("HMG-1003", "Peña", "José", "07/04/1990", "", "88 Pine Rd", "Austin", "TX",
     "78701", "512.234.7788", "$12,000.00", "12/31/2021"),
    ("HMG-1004", "Smith", "Ann", "01/09/1969", "123-45-6004", "1 Bay Ct", "Portland", "ME",
     "41011234", "207-234-4455", "$0.99", "02/03/2018"),
)  # fmt: skip
US_HEADER = (
    "Account Number", "Last Name", "First Name", "DOB", "SSN", "Address", "City", "State", "Zip",
    "Home Phone", "Balance", "Open Date",
)  # fmt: skip


def us_medical_csv(path: Path) -> tuple[Path, list[Expected]]:
    """The hard CSV: Windows-1252, a title, trailing empty columns, a totals row."""
    width = len(US_HEADER) + 3  # Excel's ,,, after the last column
    lines = [
        _csv_line(["Harbor Medical Group - accounts placed for collection"], width),
        _csv_line(["Run date: 11/20/2026", "", "Confidential"], width),
        _csv_line(list(US_HEADER), width),
    ]
    lines.extend(_csv_line(list(row), width) for row in US_ROWS)
    lines.append(_csv_line(["", ""], width))  # a blank spreadsheet row
    total = sum(Decimal(row[10].strip("$").replace(",", "")) for row in US_ROWS)
    lines.append(_csv_line(["Total", "", "", "", "", "", "", "", "", "", f"${total:,}"], width))
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    expected = [
        Expected("HMG-1001", "Renée", "Dupont", Decimal("1234.56"), "02134", "1980-03-15",
                 date(2019, 1, 2), phone="+16172345678", extension="212"),
        Expected("HMG-1002", "Zoë", "O\u2019Brien", Decimal("89.10"), "07102", "1975-11-30",
                 date(2020, 6, 7), phone="+19732340199"),
        Expected("HMG-1003", "José", "Peña", Decimal("12000.00"), "78701", "1990-07-04",
                 date(2021, 12, 31), phone="+15122347788"),
        Expected("HMG-1004", "Ann", "Smith", Decimal("0.99"), "04101-1234", "1969-01-09",
                 date(2018, 2, 3), phone="+12072344455"),
    ]  # fmt: skip
    return path, expected


def _csv_line(values: list[str], width: int) -> str:
    cells = [f'"{value}"' if "," in value else value for value in values]
    return ",".join(cells + [""] * (width - len(cells)))


def bank_xlsx(path: Path) -> tuple[Path, list[Expected]]:
    """The XLSX: float-noise money, numeric ZIPs and SSNs, date cells, a title row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Placements"
    sheet.append(["Granite State Bank - charged-off cards"])
    sheet.append(["Acct No", "First Name", "Last Name", "Birth Date", "Social", "Street",
                  "City", "State", "Zip Code", "Cell", "Principal", "Interest", "Date Opened"])  # fmt: skip
    rows = [
        ("GSB-77", "Léa", "Martin", datetime(1985, 2, 28), 123456011, "3 Main St", "Nashua",
         "NH", 3060, 6032345678, 316.4600000000002, 12.339999999999998, datetime(2015, 5, 1)),
        ("GSB-78", "Omar", "Haddad", datetime(1979, 12, 1), 123456012, "9 Hill Rd", "Keene",
         "NH", 3431, 6032349876, 1999.9999999999998, 0.1 + 0.2, datetime(2016, 8, 15)),
        ("GSB-79", "Ines", "Kowalski", datetime(1992, 6, 6), 123456013, "5 Lake Dr", "Concord",
         "NH", 3301, 6032341111, 250.0, 0.0, datetime(2019, 3, 9)),
    ]  # fmt: skip
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    expected = [
        Expected("GSB-77", "Léa", "Martin", Decimal("316.46"), "03060", "1985-02-28",
                 date(2015, 5, 1), Decimal("12.34"), phone="+16032345678"),
        Expected("GSB-78", "Omar", "Haddad", Decimal("2000.00"), "03431", "1979-12-01",
                 date(2016, 8, 15), Decimal("0.30"), phone="+16032349876"),
        Expected("GSB-79", "Ines", "Kowalski", Decimal("250.00"), "03301", "1992-06-06",
                 date(2019, 3, 9), phone="+16032341111"),
    ]  # fmt: skip
    return path, expected


def european_csv(path: Path) -> tuple[Path, list[Expected]]:
    """UTF-8 with a BOM, ';' separated, comma decimals with '.' thousands, day.month.year."""
    header = (
        "Account No;Surname;First Name;Date of Birth;Street;Town;Postcode;Mobile;Amount Due;Fees"
    )
    rows = [
        "DE-501;Müller;Jürgen;15.03.1980;Hauptstr. 5;Berlin;10115;0151 23456789;1.234,56 €;12,50 €",
        "DE-502;Łukasiewicz;Zoé;02.11.1972;Ring 12;München;80331;0171 2345678;89,10 €;0,00 €",
        "DE-503;Ødegård;Åsa;28.02.1964;Weg 1;Köln;50667;+49 160 2345678;EUR 12.000,00;",
    ]
    path.write_bytes(("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8"))
    expected = [
        Expected("DE-501", "Jürgen", "Müller", Decimal("1234.56"), "10115", "1980-03-15",
                 phone="+4915123456789"),
        Expected("DE-502", "Zoé", "Łukasiewicz", Decimal("89.10"), "80331", "1972-11-02",
                 phone="+491712345678"),
        Expected("DE-503", "Åsa", "Ødegård", Decimal("12000.00"), "50667", "1964-02-28",
                 phone="+491602345678"),
    ]  # fmt: skip
    return path, expected
