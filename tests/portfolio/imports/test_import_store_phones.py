"""Phone extensions are kept apart from the number, never glued onto it (issue 15, defect 1).

"(212) 234-5678 ext 212" used to become +1212234567 8212-ish digits: a stranger's number on the
debtor's record. phonenumbers now reads the original text whenever it holds more than digits and
separators; the digit-keyed caches (the prefix shortcut and the per-number cache) only ever see
plain text, so no cached answer is built from an extension's digits.
"""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from solvent.portfolio.imports import phones
from solvent.portfolio.imports.phones import parse_phone
from solvent.portfolio.imports.values import InvalidValue
from solvent.portfolio.models import Client, Phone
from tests.portfolio.imports.placement_files import good_row
from tests.portfolio.imports.store_batches import rows_store, rows_valid

MARKERS = ("ext", "ext.", "x", "#", "extension", "Ext ", " EXT. ", "ext:")
REGIONS = ("US", "CA", "GB", "AU", "DE", "FR", "MX")
TYPES = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)


@pytest.mark.parametrize(
    ("text", "e164", "extension"),
    [
        ("(212) 234-5678 ext 212", "+12122345678", "212"),
        ("212-234-5678 x212", "+12122345678", "212"),
        ("212.234.5678 #212", "+12122345678", "212"),
        ("212 234 5678 ext. 9", "+12122345678", "9"),
        ("+44 20 7946 0018 ext 5", "+442079460018", "5"),
        ("(212) 234-5678", "+12122345678", ""),
    ],
)
def test_the_extension_is_kept_apart_from_the_number(text: str, e164: str, extension: str) -> None:
    info = parse_phone(text, country="US")
    assert (info.e164, info.extension) == (e164, extension)


def test_seven_digits_and_an_extension_are_not_glued_into_a_ten_digit_number() -> None:
    # "234-5678 ext 212" has no area code: it is no number at all, not +1 234 567 8212.
    parse_phone("(234) 567-8212", country="US")  # the stranger's number exists and is cached
    with pytest.raises(InvalidValue, match="not a valid phone number"):
        parse_phone("234-5678 ext 212", country="US")


def test_an_extension_longer_than_the_column_is_refused() -> None:
    with pytest.raises(InvalidValue, match="at most 10 digits"):
        parse_phone("212-234-5678 ext 12345678901", country="US")


def _valid_number(data: st.DataObject) -> phonenumbers.PhoneNumber:
    region = data.draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, data.draw(st.sampled_from(TYPES)))
    assert example is not None
    national = str(example.national_number)
    keep = data.draw(st.integers(min_value=len(national) - 4, max_value=len(national)))
    tail = data.draw(
        st.text("0123456789", min_size=len(national) - keep, max_size=len(national) - keep)
    )
    number = phonenumbers.PhoneNumber(
        country_code=example.country_code,
        national_number=int(national[:keep] + tail),
        italian_leading_zero=example.italian_leading_zero,
    )
    assume(phonenumbers.is_valid_number(number))
    return number


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_any_valid_number_with_any_extension_keeps_its_own_e164(data: st.DataObject) -> None:
    number = _valid_number(data)
    region = phonenumbers.region_code_for_number(number)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    style = data.draw(
        st.sampled_from(
            (phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        )
    )
    written = phonenumbers.format_number(number, style)
    extension = data.draw(st.text("0123456789", min_size=1, max_size=6))
    marker = data.draw(st.sampled_from(MARKERS))
    # The plain number first: its prefix is learned and its digits cached, the trap the glued
    # digits used to fall into.
    assert parse_phone(written, country=region).e164 == e164
    info = parse_phone(f"{written} {marker}{extension}", country=region)
    assert info.e164 == e164
    assert info.extension == extension
    assert parse_phone(written, country=region).extension == ""


def test_each_distinct_text_is_parsed_once(monkeypatch) -> None:
    calls = []
    parse = phonenumbers.parse

    def counting_parse(*args, **kwargs):
        calls.append(args[0])
        return parse(*args, **kwargs)

    monkeypatch.setattr(phonenumbers, "parse", counting_parse)
    phones._parse_text.cache_clear()
    for _ in range(3):
        parse_phone("(646) 555-0142 ext 77", country="US")
    assert calls.count("(646) 555-0142 ext 77") == 1


@pytest.mark.django_db
def test_the_extension_is_stored_on_the_phone_and_the_number_is_the_debtors_own() -> None:
    client = Client.objects.create(code="acme", name="Acme Bank")
    rows = [
        good_row(1, phone_work="(212) 234-5678 ext 212", phone_home="", phone_mobile=""),
        good_row(2, phone_work="(212) 234-5678 x 3", phone_home="", phone_mobile=""),
    ]
    assert rows_valid(client, rows)[0].debtor.phones[0].extension == "212"
    rows_store(client, rows)
    stored = set(Phone.objects.values_list("debtor__last_name", "e164", "extension", "kind"))
    assert stored == {
        ("Lopez1", "+12122345678", "212", "work"),
        ("Lopez2", "+12122345678", "3", "work"),
    }


@pytest.mark.django_db
def test_a_reimport_with_a_new_extension_updates_the_clients_number() -> None:
    client = Client.objects.create(code="acme", name="Acme Bank")
    rows_store(client, [good_row(1, phone_work="212-234-5678 ext 1")])
    rows_store(client, [good_row(1, phone_work="212-234-5678 ext 2")])
    assert list(Phone.objects.filter(kind="work").values_list("e164", "extension")) == [
        ("+12122345678", "2")
    ]
