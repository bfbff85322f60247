"""Live coaching: what the trainee hears before an action, from the law and from the call so far.

Two sources, one shape (``Coaching``):

- the compliance engine itself: a dial is decided by the real pure engine
  (``compliance.domain.engine.decide``) on a profile, a ledger and a proposed call built from the
  simulated world, exactly as the gate decides on the database's. A blocking rule stops the dial
  (severity ``block``: the gate would refuse it on the floor); a warning is coaching to weigh.
- conversation rules (below): right party first, the mini-Miranda before the debt, affordability
  before a plan for someone in difficulty, no threats, no collecting a disputed debt, the
  limited-content voicemail. These are ``warn``: the trainee may still do it, and the scorecard
  will show it.

Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from solvent.compliance.domain import model
from solvent.compliance.domain.engine import decide
from solvent.training.domain.actions import Action
from solvent.training.domain.debtor_model import Ability
from solvent.training.domain.scenarios import Answerer
from solvent.training.domain.state import World

BLOCK = "block"
WARN = "warn"
COMPLIANCE = "compliance"
CONVERSATION = "conversation"
PRACTICE_DEBT_ID = "practice"
# The validation notice went out long enough ago that the validation period is over.
NOTICE_AGE = timedelta(days=45)
CALL_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Coaching:
    rule_id: str
    message: str  # plain words first, then the rule's own
    citation: str
    severity: str  # block | warn
    source: str  # compliance | conversation


# --- the compliance engine -------------------------------------------------------------------


def engine_profile(world: World) -> model.DebtorProfile:
    """The simulated debtor as the engine sees a debtor: one address, one phone, one debt."""
    debtor = world.debtor
    kind = (
        model.ContactPointKind.MOBILE
        if debtor.phone_kind == "mobile"
        else model.ContactPointKind.LANDLINE
    )
    place = model.Place.PERSONAL if debtor.phone_kind == "mobile" else model.Place.HOME
    holds: tuple[model.Hold, ...] = ()
    if world.disputed and world.disputed_at is not None:
        holds = (
            model.Hold(
                kind=model.HoldKind.DISPUTE,
                received_at=world.disputed_at,
                debt_ids=(PRACTICE_DEBT_ID,),
            ),
        )
    notice_day = world.clock.date() - NOTICE_AGE
    return model.DebtorProfile(
        addresses=(
            model.Address(
                id="practice-address",
                country="US",
                region=debtor.region,
                city=debtor.city,
                postal_code=debtor.postal_code,
                time_zone=debtor.zone,
            ),
        ),
        contact_points=(
            model.ContactPoint(id=debtor.phone, kind=kind, value=debtor.phone, place=place),
        ),
        holds=holds,
        debts=(
            model.Debt(
                id=PRACTICE_DEBT_ID,
                kind="credit_card",
                balance=debtor.balance,
                currency=debtor.currency,
                validation_notice_sent_on=notice_day,
            ),
        ),
    )


def engine_history(world: World) -> tuple[model.HistoryEvent, ...]:
    return tuple(
        model.HistoryEvent(
            at=entry.at,
            channel=model.Channel.CALL,
            direction=model.Direction.OUTBOUND,
            outcome=model.Outcome(entry.outcome),
            debt_ids=(PRACTICE_DEBT_ID,),
            contact_point_id=world.debtor.phone,
        )
        for entry in world.ledger
    )


def call_decision(world: World, at: datetime | None = None) -> model.Decision:
    """The engine's answer to "may I call the debtor now?" in the simulated world."""
    proposed = model.ProposedContact(
        at=at or world.clock,
        channel=model.Channel.CALL,
        debt_id=PRACTICE_DEBT_ID,
        contact_point_id=world.debtor.phone,
    )
    return decide(engine_profile(world), engine_history(world), proposed)


def local_time(world: World, moment: datetime | None = None) -> str:
    """A moment in the debtor's local time, as the desk shows it ("Tue 03 Mar 10:00 CST")."""
    local = (moment or world.clock).astimezone(ZoneInfo(world.debtor.zone))
    return local.strftime("%a %d %b %H:%M %Z")


def calls_in_window(world: World, at: datetime) -> int:
    return sum(1 for entry in world.ledger if at - CALL_WINDOW < entry.at <= at)


def _plain(world: World, rule: model.RuleResult) -> str:
    """The rule in the trainee's words, before the engine's own message."""
    rule_id = rule.rule_id
    if rule_id == "regf.call_frequency.7in7":
        count = calls_in_window(world, world.clock) + 1
        lead = f"This would be call {count} in 7 days about this debt."
    elif rule_id.startswith("regf.inconvenient_time."):
        lead = (
            f"It is {local_time(world)} where the debtor is: calls are lawful from 08:00 to "
            "21:00 their time."
        )
    elif rule_id == "regf.call_frequency.post_conversation_7d":
        lead = "You spoke with the debtor about this debt less than 7 days ago."
    elif rule_id == "regf.call_frequency.rapid_succession":
        lead = "You called this number minutes ago: calling again at once looks like harassment."
    else:
        lead = ""
    return f"{lead} {rule.message}".strip()


def compliance_coaching(world: World) -> list[Coaching]:
    """The engine's blocking rules and warnings for a dial now, in plain words."""
    decision = call_decision(world)
    found = [
        Coaching(rule.rule_id, _plain(world, rule), rule.citation, BLOCK, COMPLIANCE)
        for rule in decision.blocking
    ]
    if found:
        when = decision.earliest_lawful_at
        tail = (
            f" Next lawful time, the debtor's local time: {local_time(world, when)}."
            if when is not None
            else " Not until the hold is lifted."
        )
        last = found[-1]
        found[-1] = Coaching(last.rule_id, last.message + tail, last.citation, BLOCK, COMPLIANCE)
    found += [
        Coaching(rule.rule_id, _plain(world, rule), rule.citation, WARN, COMPLIANCE)
        for rule in decision.warnings
    ]
    return found


# --- the conversation rules -----------------------------------------------------------------

VERIFY_FIRST = Coaching(
    "training.right_party.verify_first",
    "You have not verified the right party yet: confirm the full name and one fact before you "
    "say anything about the debt. Whoever else answers must not learn of it.",
    "12 CFR 1006.6(d)(1); 15 U.S.C. 1692c(b)",
    WARN,
    CONVERSATION,
)
DISCLOSURE_FIRST = Coaching(
    "training.disclosure.mini_miranda",
    'Give the mini-Miranda first: "This is an attempt to collect a debt, and any information '
    'obtained will be used for that purpose."',
    "15 U.S.C. 1692e(11); 12 CFR 1006.18(e)(1)",
    WARN,
    CONVERSATION,
)
AFFORDABILITY_FIRST = Coaching(
    "training.affordability.before_plan",
    "The debtor is in difficulty: consider affordability before agreeing a plan. Ask about "
    "income and expenditure, then offer what they can keep up.",
    "FCA CONC 7.3.4R, 7.3.5G (the house standard for a customer in difficulty)",
    WARN,
    CONVERSATION,
)
NO_THREATS = Coaching(
    "training.conduct.no_threats",
    "Never threaten action that is not intended or not lawful: it is a false and misleading "
    "representation, and it fails the call.",
    "15 U.S.C. 1692e(4)-(5); 12 CFR 1006.18(c)(1)",
    WARN,
    CONVERSATION,
)
NO_PRESSURE = Coaching(
    "training.conduct.no_pressure",
    "Insisting on the full balance from someone who cannot pay is unfair: explore an affordable "
    "plan instead.",
    "15 U.S.C. 1692d, 1692f; FCA CONC 7.3.4R",
    WARN,
    CONVERSATION,
)
DISPUTE_STOPS = Coaching(
    "training.dispute.stop_collecting",
    "The debtor disputes the debt: stop collecting it until verification is sent.",
    "15 U.S.C. 1692g(b); 12 CFR 1006.34(c)(3)",
    WARN,
    CONVERSATION,
)
DISPUTE_RECORD = Coaching(
    "training.dispute.record",
    "The debtor disputed the debt: record the dispute before you end the call.",
    "15 U.S.C. 1692g(b); 12 CFR 1006.38(d)(2)",
    WARN,
    CONVERSATION,
)
LIMITED_CONTENT = Coaching(
    "training.voicemail.limited_content",
    "Anyone may hear a voicemail: leave only the limited-content message (your name, a "
    "business name that does not say debt collection, a number to call back).",
    "12 CFR 1006.2(j); 1006.6(d)(1)",
    WARN,
    CONVERSATION,
)

# The actions that need a person who answered (not a voicemail or a ringing phone).
_PERSON_ANSWERED = frozenset({Answerer.DEBTOR, Answerer.THIRD_PARTY})


def _in_difficulty(world: World) -> bool:
    call = world.call
    return world.traits.hardship or (call is not None and call.difficulty_said)


def conversation_coaching(world: World, action: Action) -> list[Coaching]:
    """The conversation rules that speak before ``action`` at this point of the call."""
    call = world.call
    if call is None or action.key == "dial":
        return []
    found: list[Coaching] = []
    if action.key == "detailed_voicemail":
        found.append(LIMITED_CONTENT)
    elif action.discusses_debt and not call.verified and call.answerer in _PERSON_ANSWERED:
        found.append(VERIFY_FIRST)
    elif (
        (action.collects or action.key == "state_balance") and call.verified and not call.disclosed
    ):
        found.append(DISCLOSURE_FIRST)
    if (action.collects or action.key == "state_balance") and (world.disputed or call.disputed):
        found.append(DISPUTE_STOPS)
    if action.key == "threaten_legal":
        found.append(NO_THREATS)
    if action.key == "demand_full_payment" and (
        _in_difficulty(world) or world.traits.ability is not Ability.FULL
    ):
        found.append(NO_PRESSURE)
    agreeing = action.key in ("offer_plan", "offer_settlement", "take_promise")
    if agreeing and not call.income_asked and _in_difficulty(world):
        found.append(AFFORDABILITY_FIRST)
    if action.key == "end_call" and call.disputed and not call.dispute_recorded:
        found.append(DISPUTE_RECORD)
    return found
