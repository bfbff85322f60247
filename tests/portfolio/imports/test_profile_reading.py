"""Reading creditor files through a profile: the layout (header found, columns, warnings, skipped
rows), values in the profile's formats, and real file shapes imported end to end."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports import values as v
from solvent.portfolio.imports.layout import RowCounter, data_rows, layout_for
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.rows import row_validate
from solvent.portfolio.imports.source import PlacementFileError, RowError, placement_source_open
from tests.portfolio.imports import creditor_files
from tests.portfolio.imports.creditor_files import Expected

SPEC = ProfileSpec(
    columns={
        "account_number": "Acct #",
        "principal": "Balance",
        "first_name": "First",
        "last_name": "Last",
        "date_of_birth": "DOB",
        "phone_home": "Phone",
    },
    date_formats=("%m/%d/%Y",),
)
TODAY = date(2026, 11, 24)


def _context(spec: ProfileSpec = SPEC) -> ImportContext:
    return ImportContext(
        client_id=1,
        client_country="US",
        client_currency="USD",
        placed_on=date(2026, 11, 1),
        hasher=lambda text: hashlib.sha256(text.encode()).hexdigest(),
        today=TODAY,
        spec=spec,
    )


def _read(path: Path, spec: ProfileSpec = SPEC) -> tuple[list[PlacementRow | list[RowError]], int]:
    source = placement_source_open(path, encoding=spec.encoding)
    layout = layout_for(source, spec)
    counter = RowCounter()
    context = _context(spec)
    rows = [
        row_validate(raw, layout=layout, context=context)
        for raw in data_rows(source, layout, spec, counter)
    ]
    return rows, counter.skipped


# --- the layout ---------------------------------------------------------------------------------


def test_the_header_is_found_below_a_title_and_trailing_empty_columns_are_dropped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "Acme Bank placements,,,,,,,\n"
        ",,,,,,,\n"
        "ACCT #, balance ,First,Last,DOB,Phone,,\n"
        'A-1,"$1,234.56",Ann,Lee,03/15/1980,212-234-5678,,\n'
        "A-2,10.00,Bo,Day,,,,surplus\n"
    )
    source = placement_source_open(path)
    layout = layout_for(source, SPEC)
    assert (layout.header_row, source.header_row, layout.width) == (3, 3, 6)
    assert source.header == ["ACCT #", " balance ", "First", "Last", "DOB", "Phone"]
    assert layout.label("principal") == "balance"
    rows, _ = _read(path)
    assert isinstance(rows[0], PlacementRow) and rows[0].number == 4
    assert rows[0].account.principal == Decimal("1234.56")
    # A value under a column without a name: that row's error, not the file's.
    assert isinstance(rows[1], list)
    assert "the row has 8 values but the header has 6 columns" in rows[1][0].reason


def test_our_own_format_with_excels_trailing_empty_columns_imports(tmp_path: Path) -> None:
    """Issue 15, defect 5: the ,,, of an Excel export used to refuse the whole file."""
    path = tmp_path / "p.csv"
    path.write_text(
        "account_number,principal,first_name,last_name,postal_code,,,\n"
        "A-1,10.00,Ann,Lee,,,,\n"
        "A-2,$12.50,Bo,Day,,,,\n"
    )
    spec = ProfileSpec.default()
    layout = layout_for(placement_source_open(path), spec)
    assert layout.width == 5 and layout.warnings == ()
    rows, _ = _read(path, spec)
    assert [r.account.principal for r in rows if isinstance(r, PlacementRow)] == [
        Decimal("10.00"),
        Decimal("12.50"),
    ]


def test_a_profile_warns_about_unmapped_columns_and_refuses_a_missing_mapped_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Acct #,Balance,First,Last,DOB,Phone,Notes,Branch\nA-1,1,A,B,,,x,y\n")
    spec = dataclasses.replace(SPEC, ignore=("branch",))
    layout = layout_for(placement_source_open(path), spec)
    assert layout.warnings == ("column 'Notes' is not mapped: its values are not imported",)
    path.write_text("Acct #,Balance,First,Last\nA-1,1,A,B\n")
    with pytest.raises(PlacementFileError) as caught:
        layout_for(placement_source_open(path), SPEC)
    reasons = {(e.row, e.column, e.reason) for e in caught.value.errors}
    assert reasons == {
        (1, "DOB", "the profile reads date_of_birth from this column, but the file has no such column"),
        (1, "Phone", "the profile reads phone_home from this column, but the file has no such column"),
    }  # fmt: skip
    path.write_text("Acct #,First,Last,DOB,Phone\nA-1,A,B,,\n")
    with pytest.raises(PlacementFileError, match=r"Balance: required column is missing \(the profile reads principal from it\)"):  # fmt: skip
        layout_for(placement_source_open(path), SPEC)


def test_our_own_format_stays_strict_and_constants_fill_absent_fields(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("account_number,principal,first_name,last_name,colour\nA-1,1,A,B,red\n")
    with pytest.raises(PlacementFileError, match="colour: unknown column"):
        layout_for(placement_source_open(path), ProfileSpec.default())
    path.write_text("Acct #,First,Last,DOB,Phone\nA-1,A,B,,\n")
    spec = dataclasses.replace(
        SPEC,
        columns={k: c for k, c in SPEC.columns.items() if k != "principal"},
        constants={"principal": "0", "product": "medical"},
    )
    layout = layout_for(placement_source_open(path), spec)
    assert layout.constants == {"principal": "0", "product": "medical"}
    rows, _ = _read(path, spec)
    assert isinstance(rows[0], PlacementRow) and rows[0].account.product == "medical"


def test_an_explicit_header_row_and_skipped_rows_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "Acct #,Balance,First,Last,DOB,Phone\n"  # a stale header the profile says to pass over
        "Acct #,Balance,First,Last,DOB,Phone\n"
        "A-1,1.00,A,B,,\n"
        "Subtotal,1.00,,,,\n"
        "A-2,2.00,C,D,,\n"
        ",,,,,\n"
        "Grand Total,3.00,,,,\n"
        "Page 1 of 1,,,,,\n"
    )
    spec = dataclasses.replace(SPEC, header_row=2, skip_rows=(*SPEC.skip_rows, r"^page \d"))
    rows, skipped = _read(path, spec)
    assert [r.account.account_number for r in rows if isinstance(r, PlacementRow)] == ["A-1", "A-2"]
    assert len(rows) == 2 and skipped == 3
    with pytest.raises(PlacementFileError, match="header is on row 12"):
        layout_for(placement_source_open(path), dataclasses.replace(SPEC, header_row=12))


def test_a_file_that_names_none_of_the_profiles_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Name,Amount\nAnn,1\n")
    with pytest.raises(PlacementFileError, match="no row among the first 2 names the profile"):
        layout_for(placement_source_open(path), SPEC)


# --- values in the profile's formats ------------------------------------------------------------


def test_errors_name_the_files_column_and_personal_data_stays_masked(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Acct #,Balance,First,Last,DOB,Phone\nA-1,ten,A,B,1980-31-31,\n")
    rows, _ = _read(path)
    assert isinstance(rows[0], list)
    assert [(e.column, e.value) for e in rows[0]] == [("Balance", "ten"), ("DOB", "[masked]")]
    assert "1980-31-31" not in rows[0][1].reason


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("03/15/2024", ("%m/%d/%Y",), date(2024, 3, 15)),
        ("3/5/2024", ("%m/%d/%Y",), date(2024, 3, 5)),
        ("2024-03-15", ("%d.%m.%Y",), date(2024, 3, 15)),  # ISO is always read
        ("15.03.24", ("%d.%m.%y",), date(2024, 3, 15)),
        ("15.03.55", ("%d.%m.%y",), date(1955, 3, 15)),  # no placement date is in the future
        ("15-Mar-2024", ("%d-%b-%Y",), date(2024, 3, 15)),
        ("March 15, 2024", ("%B %d, %Y",), date(2024, 3, 15)),
    ],
)
def test_dates_in_the_profiles_formats(text: str, formats: tuple[str, ...], expected: date) -> None:
    assert v.parse_date(text, formats=v.DateFormats(formats, today=TODAY)) == expected


def test_a_date_in_no_format_says_which_were_expected() -> None:
    formats = v.DateFormats(("%m/%d/%Y", "%d-%b-%Y"), today=TODAY)
    with pytest.raises(v.InvalidValue, match="MM/DD/YYYY or DD-Mon-YYYY or YYYY-MM-DD"):
        v.parse_date("15/03/2024", formats=formats)
    with pytest.raises(v.InvalidValue, match="no such date"):
        v.parse_date("02/30/2024", formats=formats)


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "expected"),
    [
        ("$1,234.56", ".", ",", "1234.56"),
        ("USD 12.00", ".", ",", "12.00"),
        ("12.00 usd", ".", ",", "12.00"),
        ("£0.5", ".", ",", "0.50"),
        ("1.234,56 €", ",", ".", "1234.56"),
        ("1.234", ",", ".", "1234.00"),
        ("1\u00a0234,5", ",", " ", "1234.50"),
        ("EUR 12.000,00", ",", ".", "12000.00"),
    ],
)
def test_amounts_in_the_profiles_format(
    text: str, decimal: str, thousands: str, expected: str
) -> None:
    amounts = v.AmountFormat(decimal=decimal, thousands=thousands)
    assert v.parse_amount(text, formats=amounts) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("($5.00)", "negative amount"), ("$1,23.00", "not an amount"), ("€", "not an amount")],
)
def test_bad_amounts_in_a_profile(text: str, reason: str) -> None:
    with pytest.raises(v.InvalidValue, match=reason):
        v.parse_amount(text, formats=v.AmountFormat())


def test_a_sign_naming_another_currency_is_refused_not_read_as_dollars() -> None:
    amounts = v.AmountFormat()
    with pytest.raises(v.InvalidValue, match="the amount is in EUR, the account in USD"):
        v.parse_amount("€12.00", formats=amounts, currency="USD")
    with pytest.raises(v.InvalidValue, match="the amount is in GBP, the account in USD"):
        v.parse_amount("GBP 12.00", formats=amounts, currency="USD")
    assert v.parse_amount("12.00 EUR", formats=amounts, currency="EUR") == Decimal("12.00")
    # "$" is the sign of many dollars: it names none of them.
    assert v.parse_amount("$12.00", formats=amounts, currency="CAD") == Decimal("12.00")


def test_money_keeps_the_currencys_minor_unit() -> None:
    assert v.currency_places("JPY") == 0 and v.currency_places("USD") == 2
    assert v.parse_amount("1200", places=0) == Decimal("1200.00")
    with pytest.raises(v.InvalidValue, match="more than zero decimal places"):
        v.parse_amount("1200.5", places=0)
    # A spreadsheet's float cell is rounded, not refused (what was typed had no such places).
    assert v.parse_amount("1200.5", places=0, round_excess=True) == Decimal("1201.00")
    assert v.parse_amount("316.465", round_excess=True) == Decimal("316.47")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2134", "02134"), ("501", "00501"), ("21341234", "02134-1234"), ("10001", "10001")],
)
def test_us_zips_that_lost_their_leading_zeros_are_padded(text: str, expected: str) -> None:
    assert v.parse_postal_code(text, country="US", pad_lost_zeros=True) == expected


def test_short_zips_elsewhere_and_two_digit_zips_are_still_refused() -> None:
    with pytest.raises(v.InvalidValue):
        v.parse_postal_code("21", country="US", pad_lost_zeros=True)
    assert v.parse_postal_code("2134", country="AU", pad_lost_zeros=True) == "2134"


def test_phones_are_read_in_the_profiles_region(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Acct #,Balance,First,Last,DOB,Phone\nA-1,1,A,B,,020 7946 0123\n")
    rows, _ = _read(path, dataclasses.replace(SPEC, phone_region="GB"))
    assert isinstance(rows[0], PlacementRow)
    assert rows[0].debtor.phones[0].e164 == "+442079460123"


# --- real creditor files, end to end ------------------------------------------------------------


def _check_stored(placement, expected: list[Expected], *, skipped: int = 0) -> None:
    from solvent.portfolio.models import Account, AccountDebtor, Phone

    assert placement.status == "done", placement.failure
    assert (placement.rows_imported, placement.rows_rejected) == (len(expected), 0), (
        placement.error_report
    )
    assert placement.rows_skipped == skipped
    for want in expected:
        account = Account.objects.get(client=placement.client, account_number=want.account_number)
        assert (account.principal, account.interest) == (want.principal, want.interest)
        assert account.open_date == want.open_date
        debtor = AccountDebtor.objects.get(account=account).debtor
        assert (debtor.first_name, debtor.last_name) == (want.first_name, want.last_name)
        assert debtor.date_of_birth == want.date_of_birth
        assert debtor.addresses.get().postal_code == want.postal_code
        phone = Phone.objects.get(debtor=debtor)
        assert (phone.e164, phone.extension) == (want.phone, want.extension)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("maker", "name", "country", "currency", "skipped"),
    [
        (creditor_files.us_medical_csv, "harbor.csv", "US", "USD", 1),
        (creditor_files.bank_xlsx, "granite.xlsx", "US", "USD", 0),
        (creditor_files.european_csv, "rhein.csv", "DE", "EUR", 0),
    ],
)
def test_a_creditor_file_imports_through_its_suggested_profile_losing_no_row(
    tmp_path: Path, maker, name: str, country: str, currency: str, skipped: int
) -> None:
    from solvent.portfolio.imports.profiles import profile_create
    from solvent.portfolio.imports.services import placement_import
    from solvent.portfolio.imports.suggest import profile_suggest_from_file
    from solvent.portfolio.models import Client

    client = Client.objects.create(
        code=name.split(".")[0], name=name, country=country, currency=currency
    )
    path, expected = maker(tmp_path / name)
    suggestion = profile_suggest_from_file(path, client_country=country)
    assert suggestion.missing == []
    version = profile_create(
        client=client, name="monthly", spec=suggestion.spec, created_by=None, note="suggested"
    )
    placement = placement_import(
        client=client, path=path, placed_on=date(2026, 11, 20), profile_version=version
    )
    _check_stored(placement, expected, skipped=skipped)
    assert placement.profile_version_id == version.pk
