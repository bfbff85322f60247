"""The server's masking of stored events: known personal data and patterns, whatever the page."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from solvent.screen_recording.domain.scrub import (
    PersonalData,
    events_scrub,
    personal_data_pattern,
    text_scrub,
)

PAT = PersonalData(
    names=("Patricia Q Doe", "Patricia", "Doe"),
    phones=("+16142250101",),
    emails=("pat.doe@example.com",),
    address_lines=("1 High St", "43215"),
    dates_of_birth=("1980-04-02",),
    national_ids=("123456789",),
    bank_details=("GB29NWBK60161331926819",),
)
KNOWN = personal_data_pattern(PAT)


def _stars(text: str) -> bool:
    return set(text) <= {"*", " "}


def test_a_full_snapshot_text_node_and_attribute_are_masked_keys_and_numbers_kept() -> None:
    event = {
        "type": 2,
        "timestamp": 1_780_000_000_000,
        "data": {
            "node": {
                "type": 2,
                "tagName": "td",
                "attributes": {"title": "call (614) 225-0101", "class": "num"},
                "childNodes": [{"type": 3, "textContent": "Patricia Q Doe owes 500.00", "id": 7}],
                "id": 6,
            }
        },
    }
    result = events_scrub([event], PAT)
    node = result.events[0]["data"]["node"]
    assert node["attributes"] == {"title": "call ***** ********", "class": "num"}
    assert node["childNodes"][0]["textContent"] == "******** * *** owes 500.00"
    assert node["childNodes"][0]["id"] == 7 and result.events[0]["timestamp"] == event["timestamp"]
    assert result.strings_changed == 2
    assert event["data"]["node"]["attributes"]["title"] == "call (614) 225-0101"  # a copy


def test_each_kind_of_known_data_is_masked_in_the_forms_pages_write_it() -> None:
    for text in [
        "Pat.Doe@Example.com",
        "614.225.0101",
        "6142250101",
        "+1 614 225 0101",
        "1  High   st",
        "04/02/1980",
        "02/04/1980",
        "1980-04-02",
        "123 45 6789",
        "123-45-6789",
        "GB29NWBK60161331926819",
        "patricia",
        "DOE",
    ]:
        assert _stars(text_scrub(text, KNOWN)), text


def test_patterns_mask_what_belongs_to_anyone() -> None:
    assert text_scrub("SSN 987-65-4321 on file", None) == "SSN *********** on file"
    assert text_scrub("card 4111 1111 1111 1111.", None) == "card **** **** **** ****."
    assert text_scrub("someone@else.org wrote", None) == "**************** wrote"
    assert text_scrub("ring (212) 555-0199 now", None) == "ring ***** ******** now"
    assert text_scrub("+44 20 7946 0958", None) == "*** ** **** ****"


def test_what_is_not_personal_data_is_left_as_it_was() -> None:
    for text in [
        "Balance 1,234.56 USD",
        "2026-06-01 12:30",
        "Days past due 95 (91-120)",
        "4111 1111 1111 1112",  # fails the Luhn check: not a card number
        "Account A-OWN-00042",
        "Dispute received on 2026-05-12; next lawful 09:00",
    ]:
        assert text_scrub(text, KNOWN) == text, text


def test_stylesheets_and_inlined_images_are_left_alone() -> None:
    event = {"type": 2, "timestamp": 1, "data": {"_cssText": ".a{top:614-225-0101}", "x": "Doe"}}
    result = events_scrub([event], PAT)
    assert result.events[0]["data"] == {"_cssText": ".a{top:614-225-0101}", "x": "***"}


def test_short_fragments_do_not_mask_everything() -> None:
    data = PersonalData(names=("A",), phones=("12",), national_ids=("6789",))
    pattern = personal_data_pattern(data)
    assert text_scrub("A big account", pattern) == "A big account"
    assert text_scrub("id ends 6789", pattern) == "id ends ****"
    assert personal_data_pattern(PersonalData()) is None


# --- invariants ------------------------------------------------------------------------------

_FILLER = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Zs"), max_codepoint=0x24F),
    max_size=30,
)
_SECRETS = st.sampled_from(
    [
        "Patricia Q Doe",
        "pat.doe@example.com",
        "+16142250101",
        "(614) 225-0101",
        "123-45-6789",
        "123456789",
        "04/02/1980",
        "1 High St",
        "4111111111111111",
        "GB29NWBK60161331926819",
    ]
)


def _event_with(text: str) -> dict[str, object]:
    return {
        "type": 3,
        "timestamp": 1_780_000_000_000,
        "data": {
            "source": 0,
            "texts": [{"id": 1, "value": text}],
            "attributes": [{"id": 2, "attributes": {"aria-label": text}}],
            "adds": [{"parentId": 1, "node": {"type": 3, "textContent": text}}],
        },
    }


@settings(max_examples=200, deadline=None)
@given(before=_FILLER, secret=_SECRETS, after=_FILLER)
def test_known_data_never_survives_anywhere_in_an_event(before, secret, after) -> None:
    text = f"{before} {secret} {after}"
    result = events_scrub([_event_with(text)], PAT)
    stored = json.dumps(result.events)
    assert secret not in stored
    digits = re.sub(r"\D", "", secret)
    assert len(digits) < 4 or digits not in re.sub(r"\D", "", stored.replace("1780000000000", ""))


@settings(max_examples=200, deadline=None)
@given(before=_FILLER, secret=_SECRETS, after=_FILLER)
def test_masking_keeps_the_length_and_is_idempotent(before, secret, after) -> None:
    text = f"{before} {secret} {after}"
    once = text_scrub(text, KNOWN)
    assert len(once) == len(text)
    assert [i for i, c in enumerate(once) if c.isspace()] == [
        i for i, c in enumerate(text) if c.isspace()
    ]
    assert text_scrub(once, KNOWN) == once


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(
        st.recursive(
            st.none() | st.booleans() | st.integers() | _FILLER,
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(
                    st.sampled_from(["id", "type", "value", "node"]), children, max_size=4
                )
            ),
            max_leaves=20,
        ),
        max_size=5,
    )
)
def test_the_structure_is_kept_and_text_without_personal_data_untouched(events) -> None:
    result = events_scrub(events, PersonalData(names=("Zyxwvut",)))
    assert result.events == events
    assert result.strings_changed == 0


@settings(max_examples=300, deadline=None)
@given(before=_FILLER, secret=_SECRETS | _FILLER, after=st.text(max_size=20))
def test_the_needles_never_skip_a_text_the_pattern_would_change(before, secret, after) -> None:
    assert KNOWN is not None
    text = f"{before}{secret}{after}"
    if KNOWN.pattern.search(text):
        assert KNOWN.may_match(text), text


def test_a_long_token_is_scanned_in_linear_time() -> None:
    """A base64 image or a long path in an attribute must not stall a request: ten times the
    text costs about ten times the time (a pattern that backtracks costs a hundred times)."""
    import time

    def cost(size: int) -> float:
        texts = ["a" * size, "1 " * (size // 2), "a." * (size // 2), "AB12" + "C" * size]
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for text in texts:
                text_scrub(text, KNOWN)
            best = min(best, time.perf_counter() - started)
        return best

    small, large = cost(20_000), cost(200_000)
    assert large < 40 * small, (small, large)
