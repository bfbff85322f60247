"""One turn of a practice call: coach, then (if allowed) act, advance the clock and reply.

``practice_act(world, action, ...)`` is the whole of the practice floor's behaviour:

1. an action the call cannot take (no one on the line, a call already live, no amount) is
   answered by a system line, and nothing changes;
2. the coaching speaks: a dial is decided by the compliance engine (a blocking rule stops it, as
   the gate would on the floor), every action by the conversation rules;
3. a warning stops the action once: the trainee chooses another, or does it anyway (``confirm``),
   and the transcript says it was done against the coaching;
4. the action happens: the simulated debtor replies, the simulated ledger and clock move on.

Each turn returns the transcript lines it adds, so the transcript is the record the scoring reads.

Pure: no Django.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from solvent.training.domain.actions import ACTION_BY_KEY, DISPOSITION_LABELS, Action
from solvent.training.domain.coaching import (
    BLOCK,
    Coaching,
    call_decision,
    compliance_coaching,
    conversation_coaching,
    local_time,
)
from solvent.training.domain.replies import conversation_reply, dial_answerer, reply_rng
from solvent.training.domain.scenarios import Answerer
from solvent.training.domain.state import CallState, LedgerEntry, PendingAction, World

ACTION_MINUTES = timedelta(minutes=1)
# How an attempt enters the ledger at the dial (a conversation is upgraded when verified).
_DIAL_OUTCOME = {
    Answerer.DEBTOR: "third_party_conversation",
    Answerer.THIRD_PARTY: "third_party_conversation",
    Answerer.VOICEMAIL: "no_answer",
    Answerer.NO_ANSWER: "no_answer",
}


# What may be done on any call, and what only on a voicemail.
_ALWAYS = frozenset({"end_call"})
_VOICEMAIL = frozenset({"leave_voicemail", "detailed_voicemail"})


class PracticeActionError(ValueError):
    """An action that is not on the panel (a forged form): nothing happens."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the transcript."""

    turn: int
    at: str  # ISO 8601, the simulated clock
    speaker: str  # trainee | debtor | coach | system
    text: str
    action: str = ""
    # coach lines: the rule
    rule_id: str = ""
    citation: str = ""
    severity: str = ""
    source: str = ""
    # trainee lines: the call as it stood before the action, and the coaching overridden
    context: dict[str, Any] = field(default_factory=dict)
    against: tuple[str, ...] = ()
    # end of a call: what was recorded and what would have been right
    disposition: str = ""
    expected: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["against"] = list(self.against)
        data["expected"] = list(self.expected)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        values = dict(data)
        values["against"] = tuple(values.get("against", ()))
        values["expected"] = tuple(values.get("expected", ()))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Turn:
    world: World
    lines: tuple[Line, ...]
    coaching: tuple[Coaching, ...]
    performed: bool


def _context(world: World) -> dict[str, Any]:
    call = world.call
    base: dict[str, Any] = {"disputed": world.disputed, "on_call": call is not None}
    if call is None:
        return base
    return {
        **base,
        "answerer": call.answerer,
        "verified": call.verified,
        "disclosed": call.disclosed,
        "balance_stated": call.balance_stated,
        "income_asked": call.income_asked,
        "difficulty": world.traits.hardship or call.difficulty_said,
        "call_disputed": call.disputed,
        "dispute_recorded": call.dispute_recorded,
        "agreed": call.agreed.kind if call.agreed is not None else "",
        "agreed_amount": str(call.agreed.amount) if call.agreed is not None else "",
        "balance": str(world.debtor.balance),
    }


def expected_dispositions(call: CallState) -> tuple[str, ...]:
    """The outcomes that describe the call truly (a right-party call may be more than one)."""
    if call.answerer == Answerer.NO_ANSWER:
        return ("no_answer",)
    if call.answerer == Answerer.VOICEMAIL:
        return ("voicemail_left",) if call.voicemail_left else ("no_answer",)
    if call.answerer == Answerer.THIRD_PARTY or not call.verified:
        return (
            ("third_party",)
            if call.answerer == Answerer.THIRD_PARTY
            else (
                "right_party_contact",
                "third_party",
            )
        )
    if call.disputed:
        return ("dispute",)
    if call.promise_taken:
        return ("promise_to_pay",)
    if call.refused:
        return ("refused", "right_party_contact")
    return ("right_party_contact",)


def _refuse(world: World, text: str) -> Turn:
    line = Line(world.turn, world.clock.isoformat(), "system", text)
    return Turn(world, (line,), (), performed=False)


def _amount(raw: str | Decimal | None, world: World) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        amount = Decimal(str(raw)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    if amount <= 0 or amount > world.debtor.balance:
        return None
    return amount


def _check(world: World, action: Action, amount: Decimal | None, disposition: str) -> str:
    """Why the action cannot be taken now ("" when it can)."""
    if action.needs_call and world.call is None:
        return "No one is on the line: dial first."
    if not action.needs_call and world.call is not None:
        return "You are on a call: end it first."
    call = world.call
    if call is not None and action.key not in _ALWAYS:
        voicemail = action.key in _VOICEMAIL
        if call.answerer == Answerer.NO_ANSWER:
            return "No one answered: end the call and record it."
        if call.answerer == Answerer.VOICEMAIL and not voicemail:
            return "You reached the voicemail: leave a message or end the call."
        if call.answerer != Answerer.VOICEMAIL and voicemail:
            return "Someone answered: speak to them (a voicemail is for when no one picks up)."
    if action.needs_amount and amount is None:
        return f"Enter an amount between $0.01 and ${world.debtor.balance:,.2f}."
    if action.needs_disposition and disposition not in DISPOSITION_LABELS:
        return "Choose the outcome to record."
    return ""


def practice_act(
    world: World,
    action_key: str,
    *,
    amount: str | Decimal | None = None,
    disposition: str = "",
    confirm: bool = False,
) -> Turn:
    """One turn (see the module docstring). ``confirm``: do the action the coaching stopped."""
    action = ACTION_BY_KEY.get(action_key)
    if action is None:
        raise PracticeActionError(f"{action_key!r} is not a practice action")
    value = _amount(amount, world)
    problem = _check(world, action, value, disposition)
    if problem:
        return _refuse(replace(world, pending=None), problem)
    at = world.clock.isoformat()
    coaching = compliance_coaching(world) if action.key == "dial" else []
    coaching += conversation_coaching(world, action)
    coach_lines = tuple(
        Line(
            world.turn,
            at,
            "coach",
            item.message,
            action=action.key,
            rule_id=item.rule_id,
            citation=item.citation,
            severity=item.severity,
            source=item.source,
        )
        for item in coaching
    )
    rule_ids = tuple(item.rule_id for item in coaching)
    if any(item.severity == BLOCK for item in coaching):
        refused = Line(world.turn, at, "system", f"{action.label}: not allowed now.", action.key)
        world = replace(world, turn=world.turn + 1, pending=None)
        return Turn(world, (*coach_lines, refused), tuple(coaching), performed=False)
    pending = world.pending
    overriding = (
        confirm
        and pending is not None
        and pending.action == action.key
        and set(rule_ids) <= set(pending.rule_ids)
    )
    if coaching and not overriding:
        waiting = PendingAction(action.key, value, disposition, rule_ids)
        world = replace(world, turn=world.turn + 1, pending=waiting)
        return Turn(world, coach_lines, tuple(coaching), performed=False)
    return _perform(replace(world, pending=None), action, value, disposition, rule_ids)


def _perform(
    world: World,
    action: Action,
    amount: Decimal | None,
    disposition: str,
    against: tuple[str, ...],
) -> Turn:
    at = world.clock.isoformat()
    context = _context(world)
    if action.key == "dial":
        after, said, heard = _dial(world)
    elif action.key == "end_call":
        after, said, heard, expected = _end_call(world, disposition)
        trainee = Line(
            world.turn,
            at,
            "trainee",
            said,
            action.key,
            context=context,
            against=against,
            disposition=disposition,
            expected=expected,
        )
        return _finish(world, after, trainee, heard)
    elif action.key == "wait_until_lawful":
        after, said, heard = _wait(world)
    else:
        reply = conversation_reply(world, action.key, amount)
        after, said, heard = reply.world, reply.said or action.label, reply.heard
    trainee = Line(world.turn, at, "trainee", said, action.key, context=context, against=against)
    return _finish(world, after, trainee, heard)


def _finish(before: World, after: World, trainee: Line, heard: tuple[tuple[str, str], ...]) -> Turn:
    lines = [trainee]
    lines += [
        Line(before.turn, trainee.at, speaker, text, trainee.action) for speaker, text in heard
    ]
    clock = after.clock if after.clock != before.clock else before.clock + ACTION_MINUTES
    world = replace(after, turn=before.turn + 1, clock=clock)
    return Turn(world, tuple(lines), (), performed=True)


def _dial(world: World) -> tuple[World, str, tuple[tuple[str, str], ...]]:
    rng = reply_rng(world, "dial")
    answerer = dial_answerer(world, rng)
    number = world.calls_made + 1
    entry = LedgerEntry(at=world.clock, outcome=_DIAL_OUTCOME[answerer])
    annoyance = world.annoyance + 1.0
    after = replace(
        world,
        call=CallState(number=number, answerer=answerer),
        calls_made=number,
        ledger=(*world.ledger, entry),
        annoyance=annoyance,
    )
    said = f"Dialling {world.debtor.phone} ({local_time(world)} the debtor's time)."
    first = world.debtor.first_name
    heard = {
        Answerer.DEBTOR: ("debtor", "Hello?" if annoyance < 3 else "What is it now?"),
        Answerer.THIRD_PARTY: ("debtor", f"Hello? ... {first}? No, this is not {first}."),
        Answerer.VOICEMAIL: (
            "system",
            f'Voicemail: "Hi, you\'ve reached {first}. Leave a message."',
        ),
        Answerer.NO_ANSWER: ("system", "It rings out: no answer, no voicemail."),
    }[answerer]
    return after, said, (heard,)


def _end_call(
    world: World, disposition: str
) -> tuple[World, str, tuple[tuple[str, str], ...], tuple[str, ...]]:
    call = world.call
    assert call is not None
    expected = expected_dispositions(call)
    label = DISPOSITION_LABELS[disposition]
    said = "Thank you for your time. Goodbye." if call.answerer != Answerer.NO_ANSWER else ""
    note = f"Call {call.number} ended; recorded: {label}."
    if disposition not in expected:
        right = " or ".join(DISPOSITION_LABELS[key] for key in expected)
        note += f" The call was: {right}."
    after = replace(world, call=None, clock=world.clock + 2 * ACTION_MINUTES)
    return after, said or f"Recorded: {label}.", (("system", note),), expected


def _wait(world: World) -> tuple[World, str, tuple[tuple[str, str], ...]]:
    decision = call_decision(world)
    said = "Wait until the next lawful time to call."
    if decision.allowed:
        return world, said, (("system", "A call is lawful now: no need to wait."),)
    when = decision.earliest_lawful_at
    if when is None:
        return world, said, (("system", "No call is lawful until the hold is lifted."),)
    after = replace(world, clock=max(when, world.clock + ACTION_MINUTES))
    text = f"The clock moves on to {local_time(after)} (the debtor's local time)."
    return after, said, (("system", text),)


def transcript_lines(data: list[dict[str, Any]]) -> list[Line]:
    return [Line.from_json(item) for item in data]


def moment(line: Line) -> datetime:
    return datetime.fromisoformat(line.at)
