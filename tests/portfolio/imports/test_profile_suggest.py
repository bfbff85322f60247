"""Suggesting a profile from a file's header and first rows: names, spelling, formats, notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from solvent.portfolio.domain.placement_profile import spec_from_json
from solvent.portfolio.domain.placement_suggest import SYNONYMS, name_words, profile_suggest
from solvent.portfolio.imports.suggest import profile_suggest_from_file
from tests.portfolio.imports import creditor_files


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("Acct No", "account_number"),
        ("Account #", "account_number"),
        ("acct_num", "account_number"),
        ("ACCOUNT NUMBER", "account_number"),
        ("AccountNumber", "account_number"),
        ("Balance", "principal"),
        ("Current Balance", "principal"),
        ("Amount Due", "principal"),
        ("DOB", "date_of_birth"),
        ("Birth Date", "date_of_birth"),
        ("SSN", "national_id"),
        ("Social", "national_id"),
        ("Zip", "postal_code"),
        ("Zip Code", "postal_code"),
        ("State", "region"),
        ("Phone", "phone_home"),
        ("Home Phone", "phone_home"),
        ("Cell", "phone_mobile"),
        ("Work Phone", "phone_work"),
        ("E-mail", "email"),
        ("Orig Creditor", "original_creditor"),
        ("Last Pmt Dt", "last_payment_date"),
        ("Address Line 2", "address_line2"),
    ],
)
def test_each_common_name_is_placed(name: str, field: str) -> None:
    suggestion = profile_suggest([name], [], client_country="US")
    assert suggestion.spec.columns == {field: name}
    assert suggestion.unmapped == []
    assert suggestion.notes[name].startswith(f"read as {field}")


def test_every_field_has_names_and_our_own_names_map_to_themselves() -> None:
    from solvent.portfolio.domain.placement_columns import COLUMN_NAMES

    assert set(SYNONYMS) == set(COLUMN_NAMES)
    suggestion = profile_suggest(list(COLUMN_NAMES), [], client_country="US")
    assert suggestion.spec.columns == {name: name for name in COLUMN_NAMES}
    assert name_words("Acct_No.") == "account number"


def test_a_misspelt_name_is_matched_by_spelling_with_a_note_to_check() -> None:
    suggestion = profile_suggest(["Acount Nmber", "Blance"], [], client_country="US")
    assert suggestion.spec.columns == {"account_number": "Acount Nmber", "principal": "Blance"}
    assert "check it" in suggestion.notes["Blance"]


def test_what_cannot_be_placed_is_ignored_with_a_note() -> None:
    header = ["Account Number", "Balance", "Balance Due", "Collector Notes", "Type"]
    sample = [["A-1", "10.00", "10.00", "called twice", "Visa Gold"]]
    suggestion = profile_suggest(header, sample, client_country="US")
    assert suggestion.spec.columns == {"account_number": "Account Number", "principal": "Balance"}
    assert suggestion.unmapped == ["Balance Due", "Collector Notes", "Type"]
    assert suggestion.spec.ignore == ("Balance Due", "Collector Notes", "Type")
    assert "'Balance' is read for it" in suggestion.notes["Balance Due"]
    assert suggestion.notes["Collector Notes"] == "no field of ours matches this name: ignored"
    assert "'visa_gold'" in suggestion.notes["Type"]
    assert suggestion.missing == ["first_name", "last_name"]
    # A product column of our codes (as people write them) is kept.
    kept = profile_suggest(["Type"], [["Credit Card"], ["medical"]], client_country="US")
    assert kept.spec.columns == {"product": "Type"}


def test_month_day_or_day_month_is_decided_by_a_day_above_12() -> None:
    header = ["DOB", "Open Date"]
    us = profile_suggest(header, [["03/15/1980", "01/02/2019"]], client_country="GB")
    # 15 cannot be a month: the file is month/day, and the open date follows the file.
    assert us.spec.date_formats == ("%m/%d/%Y",)
    assert "as the file's other dates" in us.notes["Open Date"]
    european = profile_suggest(header, [["15/03/1980", "01/02/2019"]], client_country="US")
    assert european.spec.date_formats == ("%d/%m/%Y",)


def test_with_no_day_above_12_the_clients_country_decides() -> None:
    sample = [["01/02/1980"], ["11/12/1975"]]
    assert profile_suggest(["DOB"], sample, client_country="US").spec.date_formats == ("%m/%d/%Y",)
    british = profile_suggest(["DOB"], sample, client_country="GB")
    assert british.spec.date_formats == ("%d/%m/%Y",)
    assert "read as day/month for a client in GB" in british.notes["DOB"]


def test_dates_no_format_reads_are_noted() -> None:
    suggestion = profile_suggest(["DOB"], [["sometime in 1980"]], client_country="US")
    assert suggestion.spec.date_formats == ("%Y-%m-%d",)
    assert "no date format reads all its values" in suggestion.notes["DOB"]


@pytest.mark.parametrize(
    ("amounts", "country", "decimal", "thousands", "currency"),
    [
        (["$1,234.56", "$12.00"], "US", ".", ",", ""),
        (["1.234,56 €", "89,10 €"], "DE", ",", ".", "EUR"),
        (["1 234,56", "12,00"], "FR", ",", " ", ""),
        (["GBP 1,234.56"], "GB", ".", ",", "GBP"),
        (["1234", "12"], "DE", ",", ".", ""),
        (["1234", "12"], "US", ".", ",", ""),
    ],
)
def test_separators_and_currency_come_from_the_amounts(
    amounts: list[str], country: str, decimal: str, thousands: str, currency: str
) -> None:
    suggestion = profile_suggest(["Balance"], [[a] for a in amounts], client_country=country)
    assert (suggestion.spec.decimal_separator, suggestion.spec.thousands_separator) == (
        decimal,
        thousands,
    )
    assert suggestion.spec.constants == ({"currency": currency} if currency else {})


def test_a_suggestion_is_a_valid_stored_spec() -> None:
    header = ["Account Number", "Balance", "DOB", "Zip", "First", "Last"]
    suggestion = profile_suggest(
        header, [["A", "$1.00", "1/2/1980", "2134", "A", "B"]], client_country="US"
    )
    assert spec_from_json(suggestion.spec.to_json()) == suggestion.spec


def test_from_a_file_the_header_is_found_under_the_title(tmp_path: Path) -> None:
    path, _ = creditor_files.us_medical_csv(tmp_path / "harbor.csv")
    suggestion = profile_suggest_from_file(path, client_country="US")
    assert suggestion.spec.columns == {
        "account_number": "Account Number",
        "last_name": "Last Name",
        "first_name": "First Name",
        "date_of_birth": "DOB",
        "national_id": "SSN",
        "address_line1": "Address",
        "city": "City",
        "region": "State",
        "postal_code": "Zip",
        "phone_home": "Home Phone",
        "principal": "Balance",
        "open_date": "Open Date",
    }
    assert suggestion.spec.date_formats == ("%m/%d/%Y",)
    assert suggestion.unmapped == [] and suggestion.missing == []


def test_from_a_european_file(tmp_path: Path) -> None:
    path, _ = creditor_files.european_csv(tmp_path / "eu.csv")
    suggestion = profile_suggest_from_file(path, client_country="DE")
    spec = suggestion.spec
    assert (spec.decimal_separator, spec.thousands_separator) == (",", ".")
    assert spec.date_formats == ("%d.%m.%Y",)
    assert spec.constants == {"currency": "EUR"}
    assert spec.columns["principal"] == "Amount Due"
    assert spec.columns["phone_mobile"] == "Mobile"
