"""The guided call's pure rules, against the law's words (tests/../shared/reference): no database."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from solvent.desk.domain import call_script
from solvent.desk.domain.call_script import (
    OUTCOMES,
    OutcomeRefusedError,
    ScriptParties,
    Verification,
    VerificationFact,
    disclosures_for,
    jurisdiction_known,
    limited_content_message,
    local_time_text,
    outcome_allowed,
    outcome_check,
    script_discloses_debt,
    third_party_script,
    verification_facts_available,
    verification_parse,
)

PARTIES = ScriptParties(
    agent_name="Alex",
    agency_name="Solvent Recovery",
    creditor_name="Harbor Bank",
    debtor_name="Maria Okafor",
    callback_number="+1 800 555 0100",
)


def test_a_name_alone_does_not_verify_the_right_party() -> None:
    assert not Verification(name_confirmed=True).verified
    assert not Verification(fact=VerificationFact.DATE_OF_BIRTH).verified
    assert Verification(name_confirmed=True, fact=VerificationFact.POSTAL_CODE).verified


def test_the_form_values_parse_and_a_made_up_fact_verifies_nothing() -> None:
    assert verification_parse("on", "date_of_birth").verified
    assert not verification_parse("on", "mother_maiden_name").verified
    assert not verification_parse(None, "postal_code").verified


def test_the_summary_names_the_fact_that_matched() -> None:
    verified = Verification(name_confirmed=True, fact=VerificationFact.NATIONAL_ID_LAST4)
    assert verified.summary() == "RPV: full name + last 4 of national id"
    assert Verification().summary() == "RPV: not verified"


def test_only_facts_on_file_can_be_ticked() -> None:
    facts = verification_facts_available(
        date_of_birth="", postal_codes=["", "02110"], national_id_last4="6789"
    )
    assert facts == (VerificationFact.POSTAL_CODE, VerificationFact.NATIONAL_ID_LAST4)


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda outcome: outcome.disposition)
def test_outcomes_that_discuss_the_debt_need_verification(outcome) -> None:
    assert outcome_allowed(
        outcome, Verification(name_confirmed=True, fact=VerificationFact.POSTAL_CODE)
    )
    assert outcome_allowed(outcome, Verification()) is not outcome.discusses_debt


def test_the_debt_outcomes_are_exactly_those_that_speak_of_it() -> None:
    speaking = {outcome.disposition for outcome in OUTCOMES if outcome.discusses_debt}
    assert speaking == {"right_party_contact", "refused", "promise_to_pay", "dispute"}


def test_every_outcome_has_its_own_key() -> None:
    keys = [outcome.key for outcome in OUTCOMES]
    assert len(set(keys)) == len(keys) == 9
    assert "n" not in keys  # "n" is the next account


def test_outcome_check_refuses_a_debt_outcome_before_verification_and_an_unknown_one() -> None:
    with pytest.raises(OutcomeRefusedError, match=r"1006\.6\(d\)\(1\)"):
        outcome_check("promise_to_pay", Verification(name_confirmed=True))
    with pytest.raises(OutcomeRefusedError, match="not an outcome"):
        outcome_check("message_sent", Verification())
    assert outcome_check("no_answer", Verification()).label == "No answer"


def test_us_disclosure_is_the_mini_miranda_of_1006_18_e() -> None:
    (disclosure,) = disclosures_for(["US", "US-NY"], PARTIES)
    # 1006.18(e)(1): "attempting to collect a debt and that any information obtained will be used
    # for that purpose"; (e)(2): "the communication is from a debt collector".
    assert "attempt to collect a debt" in disclosure.text
    assert "any information obtained will be used for that purpose" in disclosure.text
    assert "from a debt collector" in disclosure.text
    assert "1692e(11)" in disclosure.citation and "1006.18(e)" in disclosure.citation


def test_the_disclosure_is_in_the_debtors_language() -> None:
    (spanish,) = disclosures_for(["US"], PARTIES, language="es")
    assert spanish.language == "es"
    assert "intento de cobrar una deuda" in spanish.text
    (unknown_language,) = disclosures_for(["US"], PARTIES, language="xx")
    assert unknown_language.language == "en"


def test_gb_names_the_firm_the_creditor_and_the_purpose() -> None:
    (disclosure,) = disclosures_for(["GB"], PARTIES)
    assert disclosure.regime == "GB"
    assert "Solvent Recovery" in disclosure.text and "Harbor Bank" in disclosure.text
    assert "debt collection firm" in disclosure.text
    assert "CONC 7" in disclosure.citation


def test_canada_by_province_and_quebec_in_french() -> None:
    ontario, quebec = disclosures_for(["CA", "CA-ON", "CA-QC"], PARTIES)
    assert ontario.regime == "CA-ON" and "Reg. 74" in ontario.citation
    assert quebec.language == "fr" and "agence de recouvrement" in quebec.text


def test_a_cross_border_debtor_hears_every_regime_once() -> None:
    regimes = [d.regime for d in disclosures_for(["US", "US-NY", "CA-ON", "US-NJ"], PARTIES)]
    assert regimes == ["US", "CA-ON"]


def test_an_unknown_place_gets_the_us_text_and_says_so() -> None:
    (disclosure,) = disclosures_for([], PARTIES)
    assert disclosure.regime == "US"
    assert not jurisdiction_known([]) and not jurisdiction_known(["DE"])
    assert jurisdiction_known(["GB"])


def test_the_third_party_script_never_discloses_the_debt() -> None:
    lines = third_party_script(PARTIES)
    assert script_discloses_debt(lines) == []
    # 1006.10(b)(1): the agent's own name, confirming or correcting location information.
    assert "my name is Alex" in lines[0]
    assert "confirming or correcting" in lines[1]
    assert "Only if expressly asked" in lines[2]


def test_the_voicemail_is_a_limited_content_message() -> None:
    message = limited_content_message(PARTIES)
    # 1006.2(j)(1): business name, a request to reply, a person's name, a telephone number.
    assert "Solvent Recovery" in message
    assert "call us back" in message and "Alex" in message and "+1 800 555 0100" in message
    assert script_discloses_debt([message]) == []


def test_the_debt_word_finder_finds_them() -> None:
    assert script_discloses_debt(["About the balance you owe"]) == ["owe", "balance"]


def test_local_time_is_in_the_debtors_first_zone() -> None:
    moment = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    assert local_time_text(moment, ["America/New_York"]) == (
        "Mon 07 Dec 08:00 EST (America/New_York)"
    )
    assert local_time_text(moment, ["Not/AZone", "Europe/London"]).startswith("Mon 07 Dec 13:00")
    assert local_time_text(None, ["Europe/London"]) == ""
    assert local_time_text(moment, []) == "Mon 07 Dec 13:00 UTC"


def test_the_desk_domain_imports_nothing_from_django() -> None:
    folder = Path(call_script.__file__).parent
    for module in folder.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("django", "solvent.")), (module.name, name)
