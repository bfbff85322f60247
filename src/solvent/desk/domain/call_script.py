"""The guided call: who answered, what the law makes the agent say, and which outcomes may follow.

Three rules, each from the law's words (docs/adr/0024-guided-call.md):

- Right-party verification (RPV): the person's full name plus one fact the agency holds (date of
  birth, postal code or the last four digits of the national id). Until the agent ticks the name and
  the fact that matched, nothing about the debt may be said: speaking of it to anyone else is a
  communication with a third party (15 U.S.C. 1692c(b); Reg F 12 CFR 1006.6(d)(1)), so the outcomes
  that discuss the debt are disabled.
- The disclosure the debtor's jurisdictions require, in the debtor's language (1006.18(e)(4)): in the
  United States the "mini-Miranda" of 15 U.S.C. 1692e(11) and 1006.18(e)(1); in Great Britain the
  firm and the purpose (FCA CONC 7); in Canada the agency and the creditor, by province. A debtor in
  several places hears every one; a debtor whose place is unknown hears the United States text, the
  most explicit (we do not refuse the call: the gate already decided it may happen).
- A third party (anyone not verified) hears a script that never discloses the debt: the agent's own
  name, that they are confirming or correcting location information, and the employer's name only if
  expressly asked (1006.10(b)(1)-(2)).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class VerificationFact(enum.StrEnum):
    """The one fact, besides the full name, that proves the right party answered."""

    DATE_OF_BIRTH = "date_of_birth"
    POSTAL_CODE = "postal_code"
    NATIONAL_ID_LAST4 = "national_id_last4"

    @property
    def label(self) -> str:
        return _FACT_LABELS[self]


_FACT_LABELS = {
    VerificationFact.DATE_OF_BIRTH: "Date of birth",
    VerificationFact.POSTAL_CODE: "Postal code",
    VerificationFact.NATIONAL_ID_LAST4: "Last 4 of national id",
}


@dataclass(frozen=True, slots=True)
class Verification:
    """What the agent ticked: the full name matched, and which one fact matched (if any)."""

    name_confirmed: bool = False
    fact: VerificationFact | None = None

    @property
    def verified(self) -> bool:
        """Name plus one fact: a name alone is not enough (a relative shares it)."""
        return self.name_confirmed and self.fact is not None

    def summary(self) -> str:
        """A line for the interaction's summary, the record of how the party was verified."""
        if self.verified and self.fact is not None:
            return f"RPV: full name + {self.fact.label.lower()}"
        return "RPV: not verified"


def verification_parse(name_confirmed: str | None, fact: str | None) -> Verification:
    """From a form's raw values: a checkbox ("on"/"1"/"true") and a fact's value, else nothing."""
    confirmed = (name_confirmed or "").strip().lower() in {"on", "1", "true", "yes"}
    try:
        parsed = VerificationFact(fact) if fact else None
    except ValueError:
        parsed = None
    return Verification(name_confirmed=confirmed, fact=parsed)


def verification_facts_available(
    *, date_of_birth: str, postal_codes: Iterable[str], national_id_last4: str
) -> tuple[VerificationFact, ...]:
    """The facts the agency holds for this debtor: one cannot verify against a blank."""
    facts = []
    if date_of_birth.strip():
        facts.append(VerificationFact.DATE_OF_BIRTH)
    if any(code.strip() for code in postal_codes):
        facts.append(VerificationFact.POSTAL_CODE)
    if national_id_last4.strip():
        facts.append(VerificationFact.NATIONAL_ID_LAST4)
    return tuple(facts)


# --- outcomes --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """One click at the end of a call: the disposition recorded and its keyboard shortcut."""

    disposition: str  # a contact.domain.model.Disposition value
    label: str
    key: str
    # It discusses the debt with the person on the line: only after right-party verification.
    discusses_debt: bool


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("no_answer", "No answer", "1", discusses_debt=False),
    Outcome("voicemail_left", "Voicemail left", "2", discusses_debt=False),
    Outcome("wrong_number", "Wrong number", "3", discusses_debt=False),
    Outcome("third_party", "Third party", "4", discusses_debt=False),
    Outcome("right_party_contact", "Right-party contact", "5", discusses_debt=True),
    Outcome("refused", "Refused to pay", "6", discusses_debt=True),
    Outcome("promise_to_pay", "Promise to pay", "7", discusses_debt=True),
    # Who asks to be called back need not be verified; what is said then is not the debt.
    Outcome("callback_requested", "Callback", "8", discusses_debt=False),
    Outcome("dispute", "Dispute", "9", discusses_debt=True),
)
_BY_DISPOSITION = {outcome.disposition: outcome for outcome in OUTCOMES}


class OutcomeRefusedError(ValueError):
    """The outcome is not one of the call's, or it discusses the debt with an unverified person."""


def outcome_allowed(outcome: Outcome, verification: Verification) -> bool:
    return verification.verified or not outcome.discusses_debt


def outcome_check(disposition: str, verification: Verification) -> Outcome:
    """The outcome for ``disposition``, or OutcomeRefusedError saying why it may not be recorded."""
    outcome = _BY_DISPOSITION.get(disposition)
    if outcome is None:
        raise OutcomeRefusedError(f"{disposition!r} is not an outcome of a call")
    if not outcome_allowed(outcome, verification):
        raise OutcomeRefusedError(
            f"{outcome.label}: verify the right party first (full name and one fact); "
            "the debt is not discussed with anyone else (12 CFR 1006.6(d)(1))"
        )
    return outcome


# --- disclosures -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What the agent must say, where, in which language, and the law that says so."""

    regime: str  # "US", "GB", "CA-ON", ...
    text: str
    citation: str
    language: str


@dataclass(frozen=True, slots=True)
class ScriptParties:
    """The names a script speaks: the agent's own, the agency's, the creditor's, the debtor's."""

    agent_name: str
    agency_name: str
    creditor_name: str
    debtor_name: str
    callback_number: str = ""


# 1692e(11) / 1006.18(e)(1): "attempting to collect a debt and that any information obtained will
# be used for that purpose"; translations complete and accurate (1006.18(e)(4)).
_US_MINI_MIRANDA = {
    "en": "This is an attempt to collect a debt, and any information obtained will be used for "
    "that purpose. This communication is from a debt collector.",
    "es": "Este es un intento de cobrar una deuda, y cualquier información obtenida se utilizará "
    "para ese propósito. Esta comunicación proviene de un cobrador de deudas.",
    "fr": "Ceci est une tentative de recouvrement d'une dette, et tout renseignement obtenu sera "
    "utilisé à cette fin. Cette communication provient d'un agent de recouvrement.",
}
US_CITATION = "15 U.S.C. 1692e(11); 12 CFR 1006.18(e)(1)-(2), (e)(4)"
GB_CITATION = "FCA CONC 7.9 (contact with customers: not misleading, CONC 7.9.2R); CONC 7.3.4R"
_CA_CITATIONS = {
    "CA-ON": "Ontario Collection and Debt Settlement Services Act, R.R.O. 1990, Reg. 74",
    "CA-QC": "Quebec Act respecting the collection of certain debts (CQLR c. R-2.2)",
    "CA-BC": "British Columbia Business Practices and Consumer Protection Act, Part 7",
}
_CA_DEFAULT_CITATION = "the province's collection agencies act"


def _us(parties: ScriptParties, language: str) -> Disclosure:
    words = _US_MINI_MIRANDA.get(language, _US_MINI_MIRANDA["en"])
    spoken = language if language in _US_MINI_MIRANDA else "en"
    opening = f"My name is {parties.agent_name}, calling from {parties.agency_name}. "
    return Disclosure("US", opening + words, US_CITATION, spoken)


def _gb(parties: ScriptParties) -> Disclosure:
    text = (
        f"My name is {parties.agent_name} from {parties.agency_name}, a debt collection firm "
        f"acting for {parties.creditor_name}. I am calling about the money owed on your "
        f"{parties.creditor_name} account, to help you find a way to deal with it."
    )
    return Disclosure("GB", text, GB_CITATION, "en")


def _ca(province: str, parties: ScriptParties, language: str) -> Disclosure:
    citation = _CA_CITATIONS.get(province, _CA_DEFAULT_CITATION)
    if province == "CA-QC" or language == "fr":
        text = (
            f"Je m'appelle {parties.agent_name}, de {parties.agency_name}, une agence de "
            f"recouvrement agissant pour {parties.creditor_name}. J'appelle au sujet d'une dette."
        )
        return Disclosure(province, text, citation, "fr")
    text = (
        f"My name is {parties.agent_name} from {parties.agency_name}, a collection agency "
        f"acting for {parties.creditor_name}. I am calling about a debt."
    )
    return Disclosure(province, text, citation, "en")


def disclosures_for(
    jurisdictions: Sequence[str], parties: ScriptParties, language: str = "en"
) -> tuple[Disclosure, ...]:
    """Every disclosure the debtor's jurisdictions require, once each, US first.

    ``jurisdictions`` are the engine's codes ("US", "US-NY", "GB", "CA", "CA-ON"). None known: the
    United States text, the most explicit of those we know (ADR 0024).
    """
    countries = {code.split("-")[0] for code in jurisdictions}
    provinces = sorted({code for code in jurisdictions if code.startswith("CA-")})
    found: list[Disclosure] = []
    if "US" in countries:
        found.append(_us(parties, language))
    if "GB" in countries:
        found.append(_gb(parties))
    if "CA" in countries:
        found.extend(_ca(province, parties, language) for province in provinces or ["CA"])
    if not found:
        found.append(_us(parties, language))
    return tuple(found)


def jurisdiction_known(jurisdictions: Sequence[str]) -> bool:
    """Whether the disclosure comes from a place we know, or is the fallback for an unknown one."""
    return bool({code.split("-")[0] for code in jurisdictions} & {"US", "GB", "CA"})


# --- scripts that never disclose the debt ------------------------------------------------------

# Words a script for anyone but the verified debtor must never contain (1006.10(b)(2), 1006.6(d)).
DEBT_WORDS: tuple[str, ...] = (
    "debt",
    "collect",
    "owe",
    "balance",
    "payment",
    "account",
    "arrears",
    "creditor",
    "overdue",
    "deuda",
    "dette",
)


def third_party_script(parties: ScriptParties) -> tuple[str, ...]:
    """For anyone not verified as the debtor: location information only (12 CFR 1006.10(b)).

    The agent's own name and that they are confirming or correcting contact information; the
    employer's name only if expressly requested, and nothing of why the call is made.
    """
    return (
        f"Hello, my name is {parties.agent_name}. I am trying to reach {parties.debtor_name}.",
        f"I am confirming or correcting contact information for {parties.debtor_name}. "
        "Is this the best number to reach them, or is there a better one?",
        "Only if expressly asked who you work for: give the employer's name, and nothing else "
        "about the reason for the call.",
        "Thank you for your help. Goodbye.",
    )


def limited_content_message(parties: ScriptParties) -> str:
    """A voicemail with only what 12 CFR 1006.2(j)(1) requires: no communication of the debt.

    ``agency_name`` must be a business name that does not say it collects debts (1006.2(j)(1)(i)).
    """
    number = parties.callback_number or "the number shown"
    return (
        f"Hello, this is {parties.agent_name} from {parties.agency_name}. "
        f"Please call us back at {number}, and ask for {parties.agent_name}."
    )


def script_discloses_debt(lines: Iterable[str]) -> list[str]:
    """The debt words a script contains (empty: it may be said to a third party)."""
    text = " ".join(lines).lower()
    return [word for word in DEBT_WORDS if word in text]


# --- time ----------------------------------------------------------------------------------------


def local_time_text(moment: datetime | None, zones: Sequence[str]) -> str:
    """A moment in the debtor's first time zone, as an agent reads it ("Mon 07 Dec 08:00 EST")."""
    if moment is None:
        return ""
    for name in zones:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return moment.astimezone(zone).strftime("%a %d %b %H:%M %Z") + f" ({name})"
    return moment.strftime("%a %d %b %H:%M %Z")
