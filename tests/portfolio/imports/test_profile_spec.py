"""A profile's spec as stored JSON: every setting checked, every problem named at once."""

from __future__ import annotations

import pytest

from solvent.portfolio.domain.placement_profile import (
    ProfileError,
    ProfileSpec,
    date_format_problem,
    spec_from_json,
)


def _problems(**settings: object) -> list[str]:
    data = ProfileSpec(columns={"account_number": "Acct"}).to_json() | settings
    with pytest.raises(ProfileError) as caught:
        spec_from_json(data)
    return caught.value.problems


def test_a_spec_survives_its_json_round_trip() -> None:
    spec = ProfileSpec(
        columns={"account_number": "Account Number", "principal": "Balance"},
        constants={"currency": "USD"},
        ignore=("Notes",),
        date_formats=("%m/%d/%Y", "%d-%b-%y"),
        decimal_separator=",",
        thousands_separator=".",
        currency_symbols=("€",),
        encoding="windows-1252",
        header_row=3,
        skip_rows=(r"^total", r"^page \d+"),
        phone_region="CA",
    )
    assert spec_from_json(spec.to_json()) == spec
    assert spec_from_json(ProfileSpec.default().to_json()) == ProfileSpec.default()


def test_unknown_settings_fields_and_types_are_named() -> None:
    problems = _problems(colour="blue", columns={"balance": "Balance"}, header_row="3")
    assert "'colour' is not a profile setting" in problems
    assert "'header_row' must be a number" in problems
    with pytest.raises(ProfileError, match="'balance' is not a placement field"):
        spec_from_json({"columns": {"balance": "Balance"}})
    with pytest.raises(ProfileError, match="must be a JSON object"):
        spec_from_json(["columns"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("%m/%d/%Y", ""),
        ("%d.%m.%y", ""),
        ("%d %B %Y", ""),
        ("%m/%d/%Y %H:%M", ""),
        ("%m/%Y", "needs a day"),
        ("%d/%m/%Q", "uses %Q"),
        ("%Y%d%m%", "lone '%'"),
        ("%B %d, %Y", ""),
        ("%d", "needs a day (%d), a month"),
    ],
)
def test_date_formats_must_be_strftime_dates(pattern: str, reason: str) -> None:
    problem = date_format_problem(pattern)
    assert (reason in problem) if reason else problem == ""


def test_separators_must_be_sane_and_different() -> None:
    assert any("both '.'" in p for p in _problems(decimal_separator=".", thousands_separator="."))
    assert any("decimal_separator must be" in p for p in _problems(decimal_separator=";"))
    assert any("thousands_separator must be" in p for p in _problems(thousands_separator="x"))
    assert any("read as part of a number" in p for p in _problems(currency_symbols=["1"]))
    # Comma decimals with a space or nothing between thousands are what Europe writes.
    for thousands in (" ", "", "."):
        assert spec_from_json({"decimal_separator": ",", "thousands_separator": thousands})


def test_header_row_skip_patterns_region_and_encoding_are_checked() -> None:
    problems = _problems(header_row=0, skip_rows=["(total"], phone_region="XX", encoding="ebcdic")
    assert any(p.startswith("header_row must be 1 or more") for p in problems)
    assert any(p.startswith("skip_rows: '(total' is not a regular expression") for p in problems)
    assert any(p.startswith("phone_region 'XX' is not a known region") for p in problems)
    assert any(p.startswith("encoding 'ebcdic' is not one of") for p in problems)
    assert len(problems) == 4


def test_the_account_number_cannot_be_a_constant() -> None:
    assert _problems(constants={"account_number": "1"}) == [
        "constants: account_number identifies each account: it must be a column"
    ]


def test_two_fields_cannot_read_one_column() -> None:
    problems = _problems(columns={"phone_home": "Phone", "phone_mobile": " phone"})
    assert problems == ["columns: 'phone_home' and 'phone_mobile' both read the column ' phone'"]
