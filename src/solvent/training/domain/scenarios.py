"""The practice floor's scenarios: the situations a new agent meets on the floor, one per lesson.

Each scenario says who the simulated debtor is (a condition on the traits drawn from the debtor
model), who picks up the first call, what time it is where the debtor lives, and what the contact
ledger already holds. The lesson is what the compliance engine and the coaching rules teach in it.

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

from solvent.training.domain.debtor_model import Ability, Persona, Traits


class Answerer:
    """Who is on the line after a dial."""

    DEBTOR = "debtor"
    THIRD_PARTY = "third_party"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"

    ALL = (DEBTOR, THIRD_PARTY, VOICEMAIL, NO_ANSWER)


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    title: str
    summary: str  # what the trainee is told before the call
    lesson: str  # what the scenario teaches (shown on the result page)
    # Which drawn debtors fit the scenario (the draw is repeated until one does).
    fits: Callable[[Traits], bool]
    first_answerer: str
    local_start: time  # the simulated clock at the start, in the debtor's local time
    # Unanswered calls already in the ledger, spread over the past days (the 8th-call lesson).
    prior_calls: int = 0
    prior_days: int = 6
    disputes: bool = False  # the debtor disputes the debt once the balance is stated
    phone_kind: str = "mobile"  # a home phone is where a relative answers


def _any(_traits: Traits) -> bool:
    return True


def _willing_payer(traits: Traits) -> bool:
    return traits.ability is Ability.FULL and traits.willingness >= 0.5 and not traits.hardship


def _hardship(traits: Traits) -> bool:
    return traits.hardship


def _evening_worker(traits: Traits) -> bool:
    return traits.persona is Persona.EVENING_WORKER


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="willing_payer",
        title="A willing payer",
        summary="A debtor who forgot the bill and can pay. Verify, disclose, state the balance, "
        "take the promise and record the outcome.",
        lesson="The order of a compliant call: right party first, then the disclosure, then the "
        "debt.",
        fits=_willing_payer,
        first_answerer=Answerer.DEBTOR,
        local_start=time(10, 0),
    ),
    Scenario(
        key="hardship",
        title="A hardship case",
        summary="The debtor lost their job and cannot pay the balance. Find out what they can "
        "afford before agreeing anything.",
        lesson="Affordability before a plan: ask about income and expenditure, then offer what "
        "the debtor can keep up.",
        fits=_hardship,
        first_answerer=Answerer.DEBTOR,
        local_start=time(11, 30),
    ),
    Scenario(
        key="dispute",
        title="A debtor who disputes",
        summary="The debtor says the debt is not theirs. Record the dispute and stop collecting.",
        lesson="A dispute stops collection of the debt until verification is sent.",
        fits=_any,
        first_answerer=Answerer.DEBTOR,
        local_start=time(14, 0),
        disputes=True,
    ),
    Scenario(
        key="third_party",
        title="A third party answers",
        summary="A relative picks up the home phone. Say nothing about the debt.",
        lesson="Nothing about the debt to anyone but the verified debtor; a voicemail is the "
        "limited-content message only.",
        fits=_any,
        first_answerer=Answerer.THIRD_PARTY,
        local_start=time(16, 0),
        phone_kind="home",
    ),
    Scenario(
        key="late_evening",
        title="Called late in the evening",
        summary="It is past nine in the evening where the debtor lives. Check before you dial.",
        lesson="Calls are lawful from 08:00 to 21:00 in the debtor's local time, in every zone "
        "they may be in.",
        fits=_evening_worker,
        first_answerer=Answerer.DEBTOR,
        local_start=time(21, 5),
    ),
    Scenario(
        key="eighth_call",
        title="The 8th call in 7 days",
        summary="Seven calls to this debtor in the last seven days went unanswered.",
        lesson="Reg F presumes more than 7 calls in 7 days about a debt to be harassment: the "
        "8th call waits.",
        fits=_any,
        first_answerer=Answerer.DEBTOR,
        local_start=time(10, 0),
        prior_calls=7,
    ),
)
SCENARIO_BY_KEY: dict[str, Scenario] = {scenario.key: scenario for scenario in SCENARIOS}
