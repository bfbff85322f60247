"""Single values of a placement row: each bad value is refused with a reason a person can act on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from solvent.portfolio.imports import values as v
from solvent.portfolio.imports.phones import parse_phone


def test_dates_are_iso_and_real() -> None:
    assert v.parse_date("2024-02-29") == date(2024, 2, 29)
    assert v.parse_date("") is None
    with pytest.raises(v.InvalidValue, match="YYYY-MM-DD"):
        v.parse_date("03/01/2025")
    with pytest.raises(v.InvalidValue, match="no such date"):
        v.parse_date("2025-02-30")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234.56", Decimal("1234.56")), ("1,234.5", Decimal("1234.50")), ("0", Decimal("0.00"))],
)
def test_amounts(text: str, expected: Decimal) -> None:
    assert v.parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-5.00", "negative amount"),
        ("12abc", "not an amount"),
        ("$12.00", "not an amount"),
        ("12,50", "not an amount"),
        ("1.234", "more than two decimal places"),
        ("1e5", "not an amount"),
        ("9999999999999", "too large"),
    ],
)
def test_bad_amounts(text: str, reason: str) -> None:
    with pytest.raises(v.InvalidValue, match=reason):
        v.parse_amount(text)


def test_emails() -> None:
    assert v.parse_email("Ann.Lee+debt@Example.COM") == "Ann.Lee+debt@example.com"
    for bad in ("ann", "ann@", "ann@example", "ann@@example.com", "a b@example.com"):
        with pytest.raises(v.InvalidValue, match="not an e-mail"):
            v.parse_email(bad)


@pytest.mark.parametrize(
    ("country", "text", "expected"),
    [
        ("US", "10001", "10001"),
        ("US", "100011234", "10001-1234"),
        ("CA", "k1a0b1", "K1A 0B1"),
        ("GB", "sw1a 1aa", "SW1A 1AA"),
        ("GB", "M11AE", "M1 1AE"),
        ("FR", "75001", "75001"),
    ],
)
def test_postal_codes_are_normalised(country: str, text: str, expected: str) -> None:
    assert v.parse_postal_code(text, country=country) == expected


@pytest.mark.parametrize(("country", "text"), [("US", "1234"), ("CA", "12345"), ("GB", "12345")])
def test_postal_codes_must_fit_the_country(country: str, text: str) -> None:
    with pytest.raises(v.InvalidValue, match=f"not a {country} postal code"):
        v.parse_postal_code(text, country=country)


def test_national_ids() -> None:
    assert v.parse_national_id("123-45-6789", country="US") == "123456789"
    assert v.parse_national_id("046 454 286", country="CA") == "046454286"
    assert v.parse_national_id("ab 12 34 56 c", country="GB") == "AB123456C"
    for country, bad in (
        ("US", "666-12-3456"),
        ("US", "12345"),
        ("CA", "046454287"),
        ("GB", "BG123456A"),
    ):
        with pytest.raises(v.InvalidValue):
            v.parse_national_id(bad, country=country)


def test_codes() -> None:
    assert v.parse_currency("cad", default="USD") == "CAD"
    assert v.parse_currency("", default="USD") == "USD"
    with pytest.raises(v.InvalidValue, match="ISO 4217"):
        v.parse_currency("XXY", default="USD")
    assert v.parse_country("uk", default="US") == "GB"
    with pytest.raises(v.InvalidValue, match="ISO 3166"):
        v.parse_country("ZZ", default="US")
    with pytest.raises(v.InvalidValue, match="not a region of CA"):
        v.parse_region("NY", country="CA")
    assert v.parse_bool("Yes") is True
    with pytest.raises(v.InvalidValue, match="true or false"):
        v.parse_bool("maybe")


def test_phones_are_e164_with_time_zones() -> None:
    info = parse_phone("(212) 234-5678", country="US")
    assert info.e164 == "+12122345678"
    assert info.time_zones == ("America/New_York",)
    assert parse_phone("+44 7400 123456", country="US").line_type == "mobile"
    assert parse_phone("020 7946 0123", country="GB").e164 == "+442079460123"


def test_phone_prefix_shortcut_agrees_with_a_full_parse() -> None:
    first = parse_phone("415-234-5678", country="US")
    second = parse_phone("415-234-9999", country="US")  # same prefix: answered from the cache
    assert (first.time_zones, first.region_code) == (second.time_zones, second.region_code)
    assert second.e164 == "+14152349999"


@pytest.mark.parametrize("text", ["555-0100", "(212) 123-4567", "12", "phone", "+1 999 234 5678"])
def test_invalid_phones(text: str) -> None:
    with pytest.raises(v.InvalidValue, match="phone number"):
        parse_phone(text, country="US")


def test_cached_phone_answers_match_a_full_parse() -> None:
    """The prefix cache may only ever agree with phonenumbers, also for mistyped numbers."""
    import random

    import phonenumbers
    from phonenumbers import timezone

    from solvent.portfolio.generate import placement_rows

    rng = random.Random(5)
    numbers = []
    for row in placement_rows(rows=1500, seed=11):
        for column in ("phone_home", "phone_mobile", "phone_work"):
            if row[column]:
                numbers.append((row[column], row["country"]))
                typo = list(row[column])
                typo[rng.randrange(len(typo))] = str(rng.randrange(10))
                numbers.append(("".join(typo), row["country"]))
    for text, country in numbers:
        parsed = phonenumbers.parse(text, country)
        valid = phonenumbers.is_valid_number(parsed)
        try:
            info = parse_phone(text, country=country)
        except v.InvalidValue:
            assert not valid, text
            continue
        assert valid, text
        zones = tuple(z for z in timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
        assert info.e164 == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        assert (info.region_code, info.time_zones) == (
            phonenumbers.region_code_for_number(parsed),
            zones,
        )
