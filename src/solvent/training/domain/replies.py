"""The simulated debtor's scripted replies: what each action does to the call, and what is said back.

The replies are scripted (a few variants each) and chosen by the debtor model's traits:
willingness (agrees, stalls or refuses), ability (full, part, none: what they can pay), hardship
(says so, and what is left each month), sensitivity (how a threat lands). Which variant is said
is drawn from a generator seeded with the session's seed, the turn and the action, so a session
replays word for word from its seed.

Pure: no Django.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from solvent.desk.domain.call_script import ScriptParties, limited_content_message
from solvent.training.domain.debtor_model import CALL_ANSWER, WEEKEND_CALL_FACTOR, Ability
from solvent.training.domain.scenarios import SCENARIO_BY_KEY, Answerer
from solvent.training.domain.state import Agreement, CallState, World

CENT = Decimal("0.01")
MINIMUM_INSTALMENT = Decimal(25)
MINI_MIRANDA = (
    "This is an attempt to collect a debt, and any information obtained will be used for that "
    "purpose. This communication is from a debt collector."
)
PRACTICE_AGENCY = "Practice Recoveries"
RELATIONS = ("sister", "flatmate", "father", "partner")


@dataclass(frozen=True, slots=True)
class Reply:
    """What an action did: the world after it, what the trainee said, and what came back."""

    world: World
    said: str  # the trainee's line
    heard: tuple[tuple[str, str], ...]  # (speaker, text): debtor or system


def reply_rng(world: World, action: str) -> random.Random:
    """The generator of one turn: the same seed, turn and action give the same words."""
    return random.Random(f"{world.seed}:{world.turn}:{action}")  # noqa: S311 - a simulation


def money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def affordable_monthly(world: World) -> Decimal:
    """What the debtor can pay each month (the debt model's ability, their part share)."""
    traits, balance = world.traits, world.debtor.balance
    if traits.ability is Ability.FULL:
        return balance
    if traits.ability is Ability.PART:
        share = (balance * Decimal(str(round(traits.part_share, 4)))).quantize(CENT)
        return min(balance, max(MINIMUM_INSTALMENT, share))
    pick = random.Random(f"{world.seed}:afford")  # noqa: S311 - a simulation
    return min(balance, Decimal(pick.choice((20, 25, 40, 50))))


def lump_capacity(world: World) -> Decimal:
    """The largest one payment the debtor can find."""
    traits, balance = world.traits, world.debtor.balance
    if traits.ability is Ability.FULL:
        return balance
    if traits.ability is Ability.PART:
        return (affordable_monthly(world) * 2).quantize(CENT)
    return Decimal(0)


def _call(world: World) -> CallState:
    assert world.call is not None
    return world.call


def _with_call(world: World, **changes: object) -> World:
    return replace(world, call=replace(_call(world), **changes))  # type: ignore[arg-type]


def dial_answerer(world: World, rng: random.Random) -> str:
    """Who picks up: the scenario's first answerer, then the debtor model's answer chances."""
    if world.calls_made == 0:
        return SCENARIO_BY_KEY[world.scenario].first_answerer
    local = world.clock.astimezone(ZoneInfo(world.debtor.zone))
    persona = world.traits.persona
    weekend = WEEKEND_CALL_FACTOR[persona] if local.weekday() >= 5 else 1.0
    # Twice the floor's chance, at least one in four: a practice call should reach someone.
    chance = min(0.9, max(0.25, 2 * CALL_ANSWER[persona][local.hour] * weekend))
    draw = rng.random()
    if draw < chance:
        return Answerer.DEBTOR
    if world.debtor.phone_kind == "home" and draw < chance + 0.15:
        return Answerer.THIRD_PARTY
    return Answerer.VOICEMAIL if rng.random() < 0.6 else Answerer.NO_ANSWER


def _verify(world: World, rng: random.Random) -> Reply:
    debtor = world.debtor
    call = _call(world)
    said = "Am I speaking with the account holder? Please confirm your full name and date of birth."
    if call.answerer == Answerer.THIRD_PARTY:
        relation = rng.choice(RELATIONS)
        line = (
            f"No, I'm {debtor.first_name}'s {relation}. {debtor.first_name} isn't here right now."
        )
        return Reply(world, said, (("debtor", line),))
    born = debtor.date_of_birth.strftime("%B %d, %Y")
    if world.traits.willingness < 0.25:
        line = f"Who wants to know? ... Fine. {debtor.full_name}, born {born}."
    else:
        line = rng.choice(
            (
                f"Yes, this is {debtor.full_name}. I was born {born}.",
                f"Speaking. {debtor.full_name}, date of birth {born}.",
            )
        )
    ledger = world.ledger
    if ledger:
        ledger = (*ledger[:-1], replace(ledger[-1], outcome="right_party_conversation"))
    return Reply(
        replace(_with_call(world, verified=True), ledger=ledger), said, (("debtor", line),)
    )


def _disclose(world: World, rng: random.Random) -> Reply:
    said = f"My name is your practice agent, calling from {PRACTICE_AGENCY}. {MINI_MIRANDA}"
    if _call(world).answerer == Answerer.THIRD_PARTY:
        line = f"A debt? That's {world.debtor.first_name}'s business, not mine."
    elif world.traits.sensitivity > 1.2:
        line = "A debt collector. Great. Go on."
    else:
        line = rng.choice(("Okay.", "Right, I see.", "Okay, go ahead."))
    return Reply(_with_call(world, disclosed=True), said, (("debtor", line),))


def _state_balance(world: World, rng: random.Random) -> Reply:
    debtor = world.debtor
    said = (
        f"The balance on your {debtor.creditor} account {debtor.account_number} is "
        f"{money(debtor.balance)}."
    )
    call = replace(_call(world), balance_stated=True)
    world = replace(world, call=call)
    if call.answerer == Answerer.THIRD_PARTY:
        line = f"{debtor.first_name} owes money? I'll be sure to tell them."
        return Reply(world, said, (("debtor", line),))
    if SCENARIO_BY_KEY[world.scenario].disputes:
        line = (
            f"That's not mine. I never had an account with {debtor.creditor}. "
            "I dispute this debt and I want proof."
        )
        return Reply(_with_call(world, disputed=True), said, (("debtor", line),))
    ability = world.traits.ability
    if ability is Ability.FULL and world.traits.willingness >= 0.3:
        day = (world.clock + timedelta(days=5)).astimezone(ZoneInfo(debtor.zone))
        line = rng.choice(
            (
                f"Oh, I thought that was paid. I can clear it in full by {day:%A}.",
                f"I forgot about that one. I can pay the {money(debtor.balance)} on {day:%A}.",
            )
        )
        agreed = Agreement("full", debtor.balance)
        return Reply(_with_call(world, agreed=agreed), said, (("debtor", line),))
    if ability is Ability.PART:
        line = "I can't pay all of that at once. Could I pay something each month?"
        return Reply(world, said, (("debtor", line),))
    if world.traits.hardship:
        line = "I lost my job in the spring. I can't pay that, I'm struggling to pay the rent."
    else:
        line = "I don't have that kind of money right now."
    return Reply(_with_call(world, difficulty_said=True), said, (("debtor", line),))


def _income(world: World, rng: random.Random) -> Reply:
    said = "Can we go through your income and your regular outgoings, so that what we agree is affordable?"
    monthly = affordable_monthly(world)
    ability = world.traits.ability
    if ability is Ability.FULL:
        line = "I'm working full time. Money isn't the problem, I just forgot about it."
    elif world.traits.hardship:
        income = Decimal(rng.choice((1100, 1250, 1400)))
        rent = (income * Decimal("0.7")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        line = (
            f"I get {money(income)} a month in benefits. Rent is {money(rent)}, then food and "
            f"the bills. I have about {money(monthly)} left at the end of the month."
        )
    else:
        line = f"After the rent and the bills I could manage about {money(monthly)} a month."
    world = _with_call(world, income_asked=True, affordable=monthly)
    return Reply(world, said, (("debtor", line),))


def _offer_plan(world: World, amount: Decimal) -> Reply:
    said = f"Could you pay {money(amount)} a month until the balance is cleared?"
    call = _call(world)
    monthly = affordable_monthly(world)
    if call.disputed or world.disputed:
        return Reply(world, said, (("debtor", "I told you, this is not my debt."),))
    if world.traits.willingness < 0.15:
        line = "I'm not agreeing to anything today."
        return Reply(_with_call(world, refused=True), said, (("debtor", line),))
    if amount <= monthly:
        months = int((world.debtor.balance / amount).to_integral_value(rounding="ROUND_CEILING"))
        line = f"Yes, I can keep up {money(amount)} a month. That's {months} months?"
        world = _with_call(world, agreed=Agreement("plan", amount))
        return Reply(world, said, (("debtor", line),))
    line = f"I can't manage {money(amount)} a month. I could do {money(monthly)}."
    return Reply(_with_call(world, difficulty_said=True), said, (("debtor", line),))


def _offer_settlement(world: World, amount: Decimal) -> Reply:
    said = f"We can settle the account for one payment of {money(amount)}."
    if _call(world).disputed or world.disputed:
        return Reply(world, said, (("debtor", "I told you, this is not my debt."),))
    if amount <= lump_capacity(world) and world.traits.willingness >= 0.15:
        line = f"{money(amount)} and it's closed? Yes, I can do that."
        world = _with_call(world, agreed=Agreement("settlement", amount))
        return Reply(world, said, (("debtor", line),))
    line = f"I can't find {money(amount)} in one go."
    return Reply(_with_call(world, difficulty_said=True), said, (("debtor", line),))


def _take_promise(world: World) -> Reply:
    call = _call(world)
    agreed = call.agreed
    if agreed is None:
        said = "So you'll make a payment?"
        return Reply(world, said, (("debtor", "I haven't agreed to pay anything yet."),))
    day = (world.clock + timedelta(days=7)).astimezone(ZoneInfo(world.debtor.zone))
    what = "the first instalment of " if agreed.kind == "plan" else ""
    said = f"I'll note your promise: {what}{money(agreed.amount)} by {day:%A %d %B}."
    line = f"Yes. {money(agreed.amount)} by {day:%A}, I promise."
    world = replace(_with_call(world, promise_taken=True), promise=agreed)
    return Reply(world, said, (("debtor", line),))


def _threaten(world: World) -> Reply:
    said = "If you don't pay today we will take you to court and take your wages."
    if world.traits.sensitivity >= 1.0:
        line = "Are you threatening me? I'm going to complain about this call."
    else:
        line = "Go ahead and sue me, then."
    return Reply(replace(world, annoyance=world.annoyance + 3.0), said, (("debtor", line),))


def _demand(world: World) -> Reply:
    said = f"I need the full {money(world.debtor.balance)} today."
    ability = world.traits.ability
    if ability is Ability.NONE:
        line = "I just told you I can't. I'm not going to be bullied."
    elif ability is Ability.PART:
        line = "I can't pay all of it today."
    else:
        line = "Fine, but there's no need to push."
    return Reply(replace(world, annoyance=world.annoyance + 2.0), said, (("debtor", line),))


def _unverified_debt(world: World) -> Reply:
    debtor = world.debtor
    said = f"I'm calling about {debtor.first_name}'s overdue {debtor.creditor} account."
    if _call(world).answerer == Answerer.THIRD_PARTY:
        line = f"{debtor.first_name} owes money? I'll let them know."
    else:
        line = "How do you know you're talking to the right person?"
    return Reply(world, said, (("debtor", line),))


def _voicemail(world: World, *, detailed: bool) -> Reply:
    call = _call(world)
    if call.answerer != Answerer.VOICEMAIL:
        raise ValueError("a voicemail needs the voicemail on the line (practice_act checks it)")
    if detailed:
        debtor = world.debtor
        said = (
            f"This is {PRACTICE_AGENCY} about your overdue {debtor.creditor} account of "
            f"{money(debtor.balance)}. Call us back."
        )
        note = "Message recorded. It names the debt: anyone who hears the voicemail learns of it."
        outcome = "voicemail"
    else:
        parties = ScriptParties("your practice agent", "PR Services", "", "")
        said = limited_content_message(replace(parties, callback_number="(800) 555-0100"))
        note = "Message recorded: the limited-content message."
        outcome = "limited_content_message"
    ledger = world.ledger
    if ledger:
        ledger = (*ledger[:-1], replace(ledger[-1], outcome=outcome))
    world = replace(_with_call(world, voicemail_left=True), ledger=ledger)
    return Reply(world, said, (("system", note),))


def _third_party_script(world: World) -> Reply:
    first = world.debtor.first_name
    said = f"I'm trying to reach {first}. Is this the best number to reach them, or is there a better one?"
    if _call(world).answerer == Answerer.THIRD_PARTY:
        line = f"This is the right number. Try {first} in the evening."
    else:
        line = f"This is {first}. Why are you calling?"
    return Reply(world, said, (("debtor", line),))


def _record_dispute(world: World) -> Reply:
    call = _call(world)
    said = (
        "I have recorded your dispute. We will stop collecting until we send you verification "
        "of the debt."
    )
    if not call.disputed:
        return Reply(world, said, (("debtor", "I never said it wasn't mine."),))
    world = replace(
        _with_call(world, dispute_recorded=True), disputed=True, disputed_at=world.clock
    )
    return Reply(world, said, (("debtor", "Good. Send me the proof."),))


def conversation_reply(world: World, action: str, amount: Decimal | None) -> Reply:
    """The effect and the reply of an action on a live call (not dial, end or wait)."""
    rng = reply_rng(world, action)
    if action in ("leave_voicemail", "detailed_voicemail"):
        return _voicemail(world, detailed=action == "detailed_voicemail")
    if action == "verify_identity":
        return _verify(world, rng)
    if action == "give_disclosure":
        return _disclose(world, rng)
    if action == "state_balance":
        return _state_balance(world, rng)
    if action == "ask_income_expenditure":
        return _income(world, rng)
    if action in ("offer_plan", "offer_settlement"):
        assert amount is not None
        return (
            _offer_plan(world, amount)
            if action == "offer_plan"
            else _offer_settlement(world, amount)
        )
    if action == "take_promise":
        return _take_promise(world)
    if action == "threaten_legal":
        return _threaten(world)
    if action == "demand_full_payment":
        return _demand(world)
    if action == "discuss_debt_unverified":
        return _unverified_debt(world)
    if action == "third_party_script":
        return _third_party_script(world)
    if action == "record_dispute":
        return _record_dispute(world)
    raise ValueError(f"{action!r} is not a conversation action")
