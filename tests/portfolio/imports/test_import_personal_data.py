"""Personal data and bad input in a placement import: masked reports, NUL bytes, formula cells.

Runs on SQLite (the ORM writer) and, in the PostgreSQL pass, on PostgreSQL (the COPY writer), where
a NUL byte used to fail the whole file.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from solvent.portfolio.imports.report import report_text_masked
from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.models import Account, Client, Placement
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db
PLACED_ON = date(2026, 11, 1)


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank", country="US", currency="USD")


def _report(placement: Placement) -> list[list[str]]:
    return list(csv.reader(io.StringIO(placement.error_report)))


def test_rejected_dates_of_birth_and_national_ids_are_masked_in_the_report_and_its_file(
    acme: Client, tmp_path: Path
) -> None:
    secrets = ("1850-02-03", "123-45-67XY", "17/05/1980", "000-12-3456")
    path = write_rows(
        tmp_path / "p.csv",
        [
            good_row(1, date_of_birth=secrets[0], national_id=secrets[1]),
            good_row(
                2,
                cosigner_first_name="Ann",
                cosigner_last_name="Lee",
                cosigner_date_of_birth=secrets[2],
                cosigner_national_id=secrets[3],
            ),
        ],
    )
    errors_file = tmp_path / "errors.csv"
    placement = placement_import(
        client=acme, path=path, placed_on=PLACED_ON, errors_path=errors_file
    )
    assert placement.rows_rejected == 2
    rows = _report(placement)
    located = {(row[0], row[1]) for row in rows[1:]}
    assert located == {
        ("2", "date_of_birth"),
        ("2", "national_id"),
        ("3", "cosigner_date_of_birth"),
        ("3", "cosigner_national_id"),
    }
    assert all(row[3] for row in rows[1:]), "every masked line keeps its reason"
    assert report_text_masked(placement.error_report) == placement.error_report  # served as stored
    for text in (placement.error_report, errors_file.read_text(encoding="utf-8")):
        for secret in secrets:
            assert secret not in text
            assert "".join(ch for ch in secret if ch.isalnum()) not in text


def test_other_rejected_values_are_still_shown(acme: Client, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1, principal="abc")])
    placement = placement_import(client=acme, path=path, placed_on=PLACED_ON)
    assert _report(placement)[1][:3] == ["2", "principal", "abc"]


def test_a_nul_byte_in_one_row_rejects_that_row_and_imports_the_others(
    acme: Client, tmp_path: Path
) -> None:
    path = write_rows(
        tmp_path / "p.csv",
        [good_row(1), good_row(2, city="New\x00York"), good_row(3, original_creditor="\x00")],
    )
    placement = placement_import(client=acme, path=path, placed_on=PLACED_ON)
    assert placement.status == Placement.Status.DONE, placement.failure
    assert (placement.rows_imported, placement.rows_rejected) == (1, 2)
    assert list(Account.objects.values_list("account_number", flat=True)) == ["A-0001"]
    report = _report(placement)
    assert [row[:2] for row in report[1:]] == [["3", "city"], ["4", "original_creditor"]]
    assert "NUL" in report[1][3]
    assert "\x00" not in placement.error_report


def test_report_cells_that_would_start_a_formula_are_escaped(acme: Client, tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil.example","x")'
    path = write_rows(tmp_path / "p.csv", [good_row(1, principal=formula)])
    placement = placement_import(client=acme, path=path, placed_on=PLACED_ON)
    report = _report(placement)
    assert report[1][2] == "'" + formula
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in report for cell in row)
