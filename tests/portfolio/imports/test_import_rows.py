"""Header and row validation: every problem names the row, the column, the value and the reason."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from solvent.portfolio.domain.placement_columns import COLUMN_NAMES
from solvent.portfolio.imports.layout import Layout
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.rows import header_check, name_key, row_validate
from solvent.portfolio.imports.source import PlacementFileError, RawRow, RowError
from tests.portfolio.imports.placement_files import good_row

CONTEXT = ImportContext(
    client_id=7,
    client_country="US",
    client_currency="USD",
    placed_on=date(2026, 11, 1),
    hasher=lambda text: hashlib.sha256(text.encode()).hexdigest(),
    today=date(2026, 11, 24),
)
LAYOUT = Layout(
    header_row=1,
    positions={name: index for index, name in enumerate(COLUMN_NAMES)},
    width=len(COLUMN_NAMES),
)


def _validate(number: int = 2, context: ImportContext = CONTEXT, **overrides: str):
    row = good_row(**overrides)
    return row_validate(
        RawRow(number, [row[name] for name in COLUMN_NAMES]), layout=LAYOUT, context=context
    )


def _errors(**overrides: str) -> list[tuple[str, str]]:
    result = _validate(**overrides)
    assert isinstance(result, list), "expected the row to be rejected"
    assert all(isinstance(e, RowError) and e.row == 2 for e in result)
    return [(e.column, e.reason) for e in result]


def test_a_good_row_gives_account_debtor_and_contact_points() -> None:
    result = _validate()
    assert isinstance(result, PlacementRow)
    assert result.account.principal == Decimal("1234.56")
    assert [p.e164 for p in result.debtor.phones] == ["+17182345678", "+19172345678"]
    assert result.debtor.emails == ["maria1@example.com"]
    assert result.debtor.address is not None and result.debtor.address.postal_code == "10001"
    assert result.debtor.national_id == "123456001"
    assert result.cosigner is None


def test_header_with_missing_and_unknown_columns_is_fatal() -> None:
    header = [n for n in COLUMN_NAMES if n not in {"principal", "last_name"}] + ["princpal", ""]
    with pytest.raises(PlacementFileError) as caught:
        header_check(header)
    reasons = {(e.column, e.reason) for e in caught.value.errors}
    assert ("princpal", "unknown column (did you mean 'principal'?)") in reasons
    assert ("principal", "required column is missing") in reasons
    assert ("last_name", "required column is missing") in reasons
    assert ("column 39", "the column has no name") in reasons
    assert all(e.row == 1 for e in caught.value.errors)


def test_header_names_ignore_case_spaces_and_order() -> None:
    positions = header_check([" Principal", "ACCOUNT_NUMBER", "last_name ", "first_name"])
    assert positions == {"principal": 0, "account_number": 1, "last_name": 2, "first_name": 3}


def test_bad_dates_are_named() -> None:
    assert ("open_date", "not a date in the form YYYY-MM-DD: '15/01/2020'") in _errors(
        open_date="15/01/2020"
    )
    assert ("delinquency_date", "after the placement date (2026-11-01)") in _errors(
        delinquency_date="2026-11-10"
    )
    assert ("date_of_birth", "not a plausible date of birth") in _errors(date_of_birth="1890-01-01")


def test_negative_and_non_numeric_amounts() -> None:
    errors = _errors(principal="-10.00", fees="ten")
    assert ("principal", "negative amount: -10.00; amounts owed are zero or more") in errors
    assert any(column == "fees" and "not an amount" in reason for column, reason in errors)


def test_missing_required_values() -> None:
    errors = _errors(account_number="", principal="", last_name="")
    assert {c for c, _ in errors} >= {"account_number", "principal", "last_name"}


def test_invalid_phones_and_emails_reject_the_row() -> None:
    errors = _errors(phone_mobile="555-0100", email="maria@", attorney_phone="12")
    columns = {c for c, _ in errors}
    assert columns == {"phone_mobile", "email", "attorney_phone"}


def test_postal_code_and_region_follow_the_country() -> None:
    errors = _errors(country="CA", postal_code="10001", region="NY", national_id="")
    assert {c for c, _ in errors} == {"postal_code", "region"}


def test_duplicate_account_numbers_are_all_refused() -> None:
    context = dataclasses.replace(CONTEXT, duplicates={"A-0001": 2})
    result = _validate(context=context)
    assert isinstance(result, list)
    assert result[0].column == "account_number"
    assert "appears 2 times in this file" in result[0].reason


def test_a_row_longer_than_the_header_is_refused() -> None:
    row = good_row()
    raw = RawRow(5, [row[name] for name in COLUMN_NAMES] + ["surplus"])
    result = row_validate(raw, layout=LAYOUT, context=CONTEXT)
    assert isinstance(result, list)
    assert "has 40 values but the header has 39 columns" in result[0].reason


def test_undecodable_bytes_name_their_column() -> None:
    latin1 = "Ren\xe9".encode("latin-1").decode("utf-8", "surrogateescape")
    errors = _errors(first_name=latin1)
    assert errors == [
        (
            "first_name",
            "not UTF-8 text (is the file saved as Latin-1 or Windows-1252?); save it as 'CSV UTF-8'",
        )
    ]


def test_match_keys() -> None:
    one = _validate(national_id="")
    two = _validate(national_id="", first_name="MARÍA", last_name="lopez-1", account_number="B-1")
    assert isinstance(one, PlacementRow) and isinstance(two, PlacementRow)
    # Without a national id the identity is name + birth date + postal code, spelled loosely.
    assert one.debtor.national_id_hash == ""
    assert one.debtor.identity_hash == two.debtor.identity_hash
    assert name_key("O'Brien-Smith") == "obriensmith"
    # Without a birth date the debtor is tied to the account: never merged with a namesake.
    three = _validate(national_id="", date_of_birth="")
    four = _validate(national_id="", date_of_birth="", account_number="B-2")
    assert isinstance(three, PlacementRow) and isinstance(four, PlacementRow)
    assert three.debtor.identity_hash != four.debtor.identity_hash


def test_cosigner_needs_a_name() -> None:
    assert ("cosigner_last_name", "required, but empty") in _errors(cosigner_first_name="Ann")
    result = _validate(
        cosigner_first_name="Ann", cosigner_last_name="Lee", cosigner_phone="212-234-9876"
    )
    assert isinstance(result, PlacementRow) and result.cosigner is not None
    assert result.cosigner.phones[0].e164 == "+12122349876"


def test_pure_import_modules_do_not_import_django() -> None:
    folder = Path(__file__).resolve().parents[3] / "src/solvent/portfolio/imports"
    for name in (
        "values.py",
        "phones.py",
        "source.py",
        "records.py",
        "rows.py",
        "report.py",
        "pipeline.py",
    ):
        text = (folder / name).read_text()
        assert "import django" not in text and "from django" not in text, name


def test_parallel_validation_gives_the_same_results_in_order() -> None:
    from solvent.portfolio.imports.pipeline import CHUNK_ROWS, rows_validated

    raws = []
    for n in range(1, CHUNK_ROWS * 2 + 50):
        row = good_row(n, principal="-1" if n % 7 == 0 else "10.00")
        raws.append(RawRow(n + 1, [row[name] for name in COLUMN_NAMES]))
    inline = list(rows_validated(raws, layout=LAYOUT, context=CONTEXT, workers=1))
    parallel = list(rows_validated(raws, layout=LAYOUT, context=CONTEXT, workers=2))
    assert parallel == inline
    assert sum(isinstance(r, list) for r in parallel) == len(raws) // 7
