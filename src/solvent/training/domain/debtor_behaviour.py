"""How a simulated debtor answers one attempt: the outcome, and what they do about it.

Every attempt raises the debtor's annoyance (calls most, a second call within hours or a call before
the time they asked to be called back more still); annoyance makes them screen calls and turns
contacts into complaints and STOP requests, more quickly for the sensitive and for hardship cases.
A right-party conversation may end in a payment now, a promise (kept or not by the debtor's trait),
or a request to be called later. A text, an e-mail or a letter that is read may lead a willing payer
to the self-service link: a payment a day or two later, or a promise made on the portal.

Moved from ``bench/strategy_behaviour.py`` (which re-exports it) with the traits of
``debtor_model``. Pure Python: no Django.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from solvent.training.domain.debtor_model import (
    CALL_ANSWER,
    READ,
    SELF_SERVICE_FACTOR,
    WEEKEND_CALL_FACTOR,
    Ability,
    Traits,
)

CENT = Decimal("0.01")
MEDIA = ("call", "sms", "email", "letter")
_DIGITS = re.compile(r"\D")
_PROMISE_SHARE = {Ability.FULL: 0.70, Ability.PART: 0.60, Ability.NONE: 0.08}
_SELF_SERVICE_SHARE = {Ability.FULL: 0.06, Ability.PART: 0.05, Ability.NONE: 0.0}


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One planned row of the daily plan (status=planned), as the world needs it."""

    client: str
    account_number: str
    channel: str  # call | sms | email | letter
    planned_utc: datetime
    step: str = ""
    contact_point: str = ""
    template: str = ""


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What happened: one row of the results file (``channel == "payment"`` for a lone payment)."""

    client: str
    account_number: str
    channel: str
    occurred_utc: datetime
    outcome: str
    step: str = ""
    contact_point: str = ""
    right_party: bool = False
    promise_date: date | None = None
    promise_amount: Decimal | None = None
    payment_amount: Decimal | None = None
    payment_date: date | None = None
    complaint: bool = False
    stop: bool = False
    # Not in the results file: the medium the STOP is about ("call", "sms", "email").
    stop_medium: str = ""

    def csv_row(self) -> dict[str, str]:
        def text(value: object) -> str:
            return "" if value is None else str(value)

        return {
            "account_number": self.account_number,
            "client": self.client,
            "step": self.step,
            "channel": self.channel,
            "contact_point": self.contact_point,
            "occurred_utc": self.occurred_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "outcome": self.outcome,
            "right_party": "true" if self.right_party else "false",
            "promise_date": text(self.promise_date),
            "promise_amount": text(self.promise_amount),
            "payment_amount": text(self.payment_amount),
            "payment_date": text(self.payment_date),
            "complaint": "true" if self.complaint else "false",
            "stop": "true" if self.stop else "false",
        }


RESULT_COLUMNS = (
    "account_number",
    "client",
    "step",
    "channel",
    "contact_point",
    "occurred_utc",
    "outcome",
    "right_party",
    "promise_date",
    "promise_amount",
    "payment_amount",
    "payment_date",
    "complaint",
    "stop",
)


@dataclass
class Tally:
    """The truth about one arm, counted by the world (not by Solvent)."""

    attempts: Counter[str] = field(default_factory=Counter)
    withheld_after_stop: int = 0
    unknown_accounts: int = 0
    right_party_contacts: int = 0
    promises: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    promised_amount: Decimal = Decimal(0)
    collected: Decimal = Decimal(0)
    collected_by_channel: dict[str, Decimal] = field(default_factory=dict)
    payments: int = 0
    complaints: int = 0
    complaints_by_channel: Counter[str] = field(default_factory=Counter)
    stops: Counter[str] = field(default_factory=Counter)
    accounts_paid_in_full: int = 0
    placed: Decimal = Decimal(0)


@dataclass
class Promise:
    made_on: date
    due: date
    amount: Decimal
    kept: bool | None = None  # None while it may still be kept


@dataclass
class Payment:
    """A payment the debtor will make on ``on``; ``channel`` is the attempt that brought it."""

    on: date
    amount: Decimal
    channel: str
    promise: Promise | None = None


@dataclass
class DebtorState:
    """One twin: an account of one arm, its debtor's traits and everything that happened to it."""

    client: str
    account_number: str
    traits: Traits
    balance: Decimal
    phones: dict[str, str]  # ten digits -> mobile | home | work
    email: str
    rng: random.Random
    ceased: bool
    annoyance: float = 0.0
    decayed_to: date | None = None
    last_call: datetime | None = None
    last_message: datetime | None = None
    call_back_after: datetime | None = None
    stopped: dict[str, datetime] = field(default_factory=dict)
    promise: Promise | None = None
    payments_due: list[Payment] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.traits.home_zone)

    def phone_kind(self, contact_point: str) -> str | None:
        """Which of the debtor's phones the contact point is (mobile first when it is unclear)."""
        digits = _DIGITS.sub("", contact_point)[-10:]
        if digits in self.phones:
            return self.phones[digits]
        kinds = set(self.phones.values())
        if contact_point in kinds:
            return contact_point
        return next((kind for kind in ("mobile", "home", "work") if kind in kinds), None)


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def _pressure(state: DebtorState, *, base: float, scale: float, centre: float) -> float:
    """The chance pressure turns into a complaint or a STOP at the current annoyance."""
    return base + state.traits.sensitivity * scale * _sigmoid(1.2 * (state.annoyance - centre))


def attempt_answer(
    state: DebtorState, action: PlannedAction, day: date, tally: Tally
) -> ActionResult:
    """The debtor's answer to one attempt, with its effects on their state and the arm's tally."""
    result = ActionResult(
        client=state.client,
        account_number=state.account_number,
        channel=action.channel,
        occurred_utc=action.planned_utc,
        outcome="failed",
        step=action.step,
        contact_point=action.contact_point,
    )
    medium = action.channel
    if state.ceased or medium in state.stopped:
        # Contacted after asking us to stop: it lands, and it angers.
        state.annoyance += 3.0
        complaint = state.rng.random() < 0.3
        _complaint_count(tally, medium, complaint)
        outcome = "no_answer" if medium == "call" else "delivered"
        return _replace(result, outcome=outcome, complaint=complaint)
    if medium == "call":
        return _call(state, action, day, tally, result)
    if medium in ("sms", "email", "letter"):
        return _message(state, action, day, tally, result)
    return result


def _complaint_count(tally: Tally, channel: str, complaint: bool) -> None:
    if complaint:
        tally.complaints += 1
        tally.complaints_by_channel[channel] += 1


def _replace(result: ActionResult, **changes: object) -> ActionResult:
    fields = {name: getattr(result, name) for name in ActionResult.__slots__}
    fields.update(changes)
    return ActionResult(**fields)


def _call(
    state: DebtorState, action: PlannedAction, day: date, tally: Tally, result: ActionResult
) -> ActionResult:
    at = action.planned_utc
    rng = state.rng
    raise_by = 1.0
    if state.last_call is not None and at - state.last_call < timedelta(hours=6):
        raise_by += 1.5
    elif state.last_call is not None and at - state.last_call < timedelta(hours=30):
        raise_by += 0.5
    if state.call_back_after is not None and at < state.call_back_after:
        raise_by += 2.0  # "I told you to call me next week"
    state.annoyance += raise_by
    state.last_call = at
    kind = state.phone_kind(action.contact_point)
    if kind is None or rng.random() < 0.04:
        return _replace(result, outcome="busy")
    local = at.astimezone(state.zone)
    persona = state.traits.persona
    weekend = WEEKEND_CALL_FACTOR[persona] if local.weekday() >= 5 else 1.0
    answer = CALL_ANSWER[persona][local.hour] * weekend * math.exp(-0.12 * state.annoyance)
    answer *= {"mobile": 1.0, "home": 0.7, "work": 0.4}[kind]
    draw = rng.random()
    if draw < answer:
        return _conversation(state, day, tally, result)
    third_party = {"mobile": 0.0, "home": 0.15, "work": 0.25}[kind]
    if draw < answer + third_party:
        state.annoyance += 0.3  # the family passes it on
        return _replace(result, outcome="answered_third_party")
    complaint = rng.random() < _pressure(state, base=0.0, scale=0.002, centre=8.0)
    _complaint_count(tally, "call", complaint)
    voicemail = rng.random() < (0.6 if kind == "mobile" else 0.35)
    return _replace(result, outcome="voicemail" if voicemail else "no_answer", complaint=complaint)


def _conversation(
    state: DebtorState, day: date, tally: Tally, result: ActionResult
) -> ActionResult:
    rng = state.rng
    tally.right_party_contacts += 1
    result = _replace(result, outcome="right_party", right_party=True)
    if state.balance <= 0:
        state.annoyance += 1.0  # "I paid already"
        return result
    complaint = rng.random() < _pressure(state, base=0.002, scale=0.04, centre=6.0)
    _complaint_count(tally, "call", complaint)
    result = _replace(result, complaint=complaint)
    if rng.random() < _pressure(state, base=0.003, scale=0.06, centre=6.0):
        state.stopped["call"] = result.occurred_utc
        tally.stops["call"] += 1
        return _replace(result, stop=True, stop_medium="call")
    if state.promise is not None:
        state.annoyance += 0.5  # "I promised already"
        return result
    traits = state.traits
    chance = traits.willingness * _PROMISE_SHARE[traits.ability]
    chance *= max(0.3, 1.0 - 0.06 * state.annoyance)
    if rng.random() >= chance:
        if rng.random() < 0.4:
            state.call_back_after = result.occurred_utc + timedelta(days=rng.randint(2, 5))
        return result
    amount = _amount_offered(state)
    if rng.random() < 0.3:
        paid = payment_take(state, amount, tally, "call")
        return _replace(result, payment_amount=paid, payment_date=day)
    due = day + timedelta(days=rng.randint(2, 10))
    _promise_make(state, day, due, amount, tally, "call")
    return _replace(result, promise_date=due, promise_amount=amount)


def _message(
    state: DebtorState, action: PlannedAction, day: date, tally: Tally, result: ActionResult
) -> ActionResult:
    rng = state.rng
    channel = action.channel
    at = action.planned_utc
    if (channel == "sms" and "mobile" not in state.phones.values()) or (
        channel == "email" and (not state.email or rng.random() < 0.04)
    ):
        return result
    raise_by = {"sms": 0.3, "email": 0.15, "letter": 0.05}[channel]
    if (
        channel != "letter"
        and state.last_message is not None
        and at - state.last_message < timedelta(hours=6)
    ):
        raise_by += 0.3
    state.annoyance += raise_by
    if channel != "letter":
        state.last_message = at
    result = _replace(result, outcome="delivered")
    persona = state.traits.persona
    if rng.random() >= READ[persona][channel] * math.exp(-0.05 * state.annoyance):
        return result
    if channel != "letter":
        stop = _pressure(state, base=0.006 if channel == "sms" else 0.004, scale=0.04, centre=5.0)
        if rng.random() < stop:
            state.stopped[channel] = at
            tally.stops[channel] += 1
            return _replace(result, outcome="replied", stop=True, stop_medium=channel)
    complaint = rng.random() < _pressure(state, base=0.0005, scale=0.01, centre=6.0)
    _complaint_count(tally, channel, complaint)
    result = _replace(result, complaint=complaint)
    traits = state.traits
    if state.balance <= 0 or state.promise is not None:
        return result
    engage = traits.willingness * _SELF_SERVICE_SHARE[traits.ability]
    engage *= SELF_SERVICE_FACTOR[persona] * (0.4 if channel == "letter" else 1.0)
    if rng.random() >= engage:
        return result
    amount = _amount_offered(state)
    if channel == "letter" or rng.random() < 0.5:
        # Pays through the link (or the slip): the money arrives a little later.
        lag = rng.randint(3, 10) if channel == "letter" else rng.randint(0, 2)
        state.payments_due.append(Payment(day + timedelta(days=lag), amount, channel))
        return result
    due = day + timedelta(days=rng.randint(2, 10))
    _promise_make(state, day, due, amount, tally, channel)
    tally.right_party_contacts += 1
    return _replace(
        result, outcome="replied", right_party=True, promise_date=due, promise_amount=amount
    )


def _amount_offered(state: DebtorState) -> Decimal:
    traits = state.traits
    if traits.ability is Ability.FULL:
        return state.balance
    if traits.ability is Ability.PART:
        share = (state.balance * Decimal(str(round(traits.part_share, 4)))).quantize(CENT)
        return min(state.balance, max(Decimal(25), share))
    return min(state.balance, Decimal(state.rng.choice((20, 25, 40, 50))))


def _promise_make(
    state: DebtorState, day: date, due: date, amount: Decimal, tally: Tally, channel: str
) -> None:
    rng = state.rng
    promise = Promise(made_on=day, due=due, amount=amount)
    state.promise = promise
    tally.promises += 1
    tally.promised_amount += amount
    if rng.random() < state.traits.promise_keeping:
        on = max(day + timedelta(days=1), due - timedelta(days=rng.randint(0, 1)))
        state.payments_due.append(Payment(on, amount, channel, promise))
    elif rng.random() < 0.3:
        # Broken, but something comes in later.
        half = (amount / 2).quantize(CENT)
        state.payments_due.append(
            Payment(due + timedelta(days=rng.randint(3, 8)), half, channel, promise)
        )


def payment_take(state: DebtorState, amount: Decimal, tally: Tally, channel: str) -> Decimal:
    """Money in: never more than the balance."""
    paid = min(amount, state.balance).quantize(CENT)
    if paid <= 0:
        return Decimal(0)
    state.balance -= paid
    tally.collected += paid
    tally.collected_by_channel[channel] = tally.collected_by_channel.get(channel, Decimal(0)) + paid
    tally.payments += 1
    if state.balance <= 0:
        tally.accounts_paid_in_full += 1
    return paid
