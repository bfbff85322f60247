"""How the demo's debtors behave over a year of collections: the ground truth the analytics learn.

Pure (no Django, no clock, no I/O): the demo's history generator (``demo.analytics``) draws each
attempt's outcome, each promise's fate and each spontaneous payment from these probabilities, so
the structure the models should find is written down here, in one place, and tested:

- **when people answer** depends on who they are (a *persona* from the debtor's age: working-age
  people answer in the evening and on Saturday, retirees in the morning), the local hour of week
  and the channel (a text is read at lunch or in the evening; an e-mail rarely draws a reply);
- **whether a right-party contact ends in a promise** depends on the balance, the stage and the
  product; **whether a promise is kept** on the same plus the debtor's broken promises so far;
- **whether someone pays with no promise at all** (a monthly hazard) on the same plus a recent
  conversation.

Age drives *when* someone answers (a fact of daily life), never *whether* they pay: the
propensity-to-pay track must not use age, so its signal lives in account features only.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# The right-party contact rate of a call at an average hour: a floor on aged debt sees ~10-15%.
CALL_RPC_BASE = 0.11
# A third party (a spouse, a colleague) answers this share of calls whatever the hour.
CALL_THIRD_PARTY = 0.035
# Of the calls nobody right answers: no answer, busy, a machine, a voicemail left (weights).
CALL_MISSES: tuple[tuple[str, int], ...] = (
    ("no_answer", 50),
    ("busy", 7),
    ("answering_machine", 18),
    ("voicemail_left", 25),
)
# What a right-party conversation without a promise ends in (weights).
CONVERSATION_ENDS: tuple[tuple[str, int], ...] = (
    ("right_party_contact", 78),
    ("callback_requested", 14),
    ("refused", 8),
)
PROMISE_BASE = 0.36
KEEP_BASE = 0.62
# Chance per month that an account pays something with no promise (before the features).
SPONTANEOUS_BASE = 0.03
RETIREMENT_AGE = 64
# No account pays with no promise more often than this a month.
MAX_MONTHLY = 0.5


class Persona(enum.StrEnum):
    WORKING = "working"  # answers evenings and Saturdays; reads texts at lunch
    RETIRED = "retired"  # answers weekday mornings


def persona_for(*, birth: date | None, on: date) -> Persona:
    """The persona of a debtor born on ``birth`` (unknown: working age, the larger group)."""
    if birth is None:
        return Persona.WORKING
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return Persona.RETIRED if age >= RETIREMENT_AGE else Persona.WORKING


def stage_of(days_past_due: int) -> str:
    """The strategy's stage names (``strategy.domain.defaults``): early, middle or late."""
    if days_past_due <= 90:
        return "early"
    if days_past_due <= 180:
        return "middle"
    return "late"


def call_hour_weight(persona: Persona, weekday: int, hour: int) -> float:
    """How much likelier than average a right-party answer is at this local hour of week
    (``weekday`` 0 = Monday). The shapes the best-time model should find."""
    if weekday == 6:
        return 0.6
    if persona is Persona.WORKING:
        if weekday == 5:
            return 2.0 if 9 <= hour <= 13 else 1.2
        if 17 <= hour <= 20:
            return 2.3
        if 12 <= hour <= 13:
            return 0.9
        return 0.45
    # Retired: mornings best, evenings worst, Saturday average.
    if weekday == 5:
        return 1.0
    if 9 <= hour <= 11:
        return 2.4
    if hour == 8 or 12 <= hour <= 14:
        return 1.3
    if 17 <= hour <= 20:
        return 0.5
    return 0.9


_STAGE_REACH = {"early": 1.3, "middle": 1.0, "late": 0.8}


def call_rpc_probability(
    *, persona: Persona, weekday: int, hour: int, stage: str, reachability: float
) -> float:
    """The chance a call at this local hour of week reaches the right party."""
    p = (
        CALL_RPC_BASE
        * call_hour_weight(persona, weekday, hour)
        * _STAGE_REACH.get(stage, 1.0)
        * reachability
    )
    return min(0.7, p)


def message_reply_probability(*, persona: Persona, channel: str, weekday: int, hour: int) -> float:
    """The chance a text or an e-mail draws a reply from the debtor within the hour."""
    if channel == "email":
        return 0.012 if 18 <= hour <= 21 else 0.006
    if persona is Persona.WORKING:
        if 12 <= hour <= 13:
            return 0.09
        if 17 <= hour <= 20 or weekday == 5:
            return 0.05
        return 0.015
    return 0.06 if 9 <= hour <= 12 else 0.02


def reachability_draw(rng: random.Random) -> float:
    """A debtor's own reachability (log-normal around 1): some people always pick up."""
    return math.exp(rng.gauss(0.0, 0.45) - 0.1)


@dataclass(frozen=True, slots=True)
class AccountSignal:
    """What the money outcomes depend on (all visible to the propensity model's features)."""

    balance: Decimal
    stage: str
    product: str
    broken_promises: int = 0
    rpc_recently: bool = False  # a right-party conversation in the last 30 days
    months_since_placement: int = 0


def _balance_factor(balance: Decimal) -> float:
    if balance < 500:
        return 2.0
    if balance < 2_000:
        return 1.3
    if balance < 6_000:
        return 0.75
    return 0.45


_STAGE_PAY = {"early": 1.6, "middle": 1.0, "late": 0.6}
_PRODUCT_PAY = {
    "telecom": 1.25,
    "utility": 1.2,
    "medical": 1.05,
    "credit_card": 1.0,
    "auto_loan": 0.95,
    "personal_loan": 0.9,
    "student_loan": 0.65,
    "other": 1.0,
}


def _pay_factor(signal: AccountSignal) -> float:
    return (
        _balance_factor(signal.balance)
        * _STAGE_PAY.get(signal.stage, 1.0)
        * _PRODUCT_PAY.get(signal.product, 1.0)
    )


def promise_probability(signal: AccountSignal) -> float:
    """The chance a right-party conversation ends in a promise to pay."""
    return min(0.8, PROMISE_BASE * _pay_factor(signal) * (0.7 if signal.broken_promises else 1.0))


def keep_probability(signal: AccountSignal) -> float:
    """The chance a promise (or a plan's instalment) is paid in full by its date."""
    return min(0.95, KEEP_BASE * _pay_factor(signal) * (0.55 ** min(signal.broken_promises, 2)))


def spontaneous_payment_probability(signal: AccountSignal) -> float:
    """The chance, per month, of a payment with no promise (a portal payment, a cheque)."""
    fresh = 1.6 if signal.months_since_placement <= 2 else 1.0
    talked = 2.5 if signal.rpc_recently else 1.0
    return min(MAX_MONTHLY, SPONTANEOUS_BASE * _pay_factor(signal) * fresh * talked)


def attempts_per_month(months_since_placement: int) -> tuple[float, float, float]:
    """(calls, texts, e-mails) a month for an account this many months after placement: work is
    front-loaded, as a floor works a fresh placement hardest."""
    if months_since_placement == 0:
        return 2.0, 0.8, 0.4
    if months_since_placement <= 2:
        return 1.3, 0.5, 0.25
    if months_since_placement <= 5:
        return 0.7, 0.3, 0.15
    return 0.4, 0.15, 0.08


def weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    names = [name for name, _ in options]
    return rng.choices(names, weights=[weight for _, weight in options])[0]


def call_outcome_draw(rng: random.Random, p_rpc: float) -> str:
    """The call's disposition before any promise: right party, a third party, or a miss."""
    draw = rng.random()
    if draw < p_rpc:
        return "right_party_contact"
    if draw < p_rpc + CALL_THIRD_PARTY:
        return "third_party"
    return weighted(rng, CALL_MISSES)
