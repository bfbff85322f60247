"""A finished practice session's scorecard answers, read from its transcript.

The practice floor is scored with the floor's own QA scorecard (``quality.domain.scorecard``): the
answers a supervisor would give listening to the call are derived from what the trainee did, in
order, and what the call was at that moment (each trainee line carries that context):

- right_party_verified: no if anything about the debt was said to someone not verified (the
  disclosure, the balance, an offer, a voicemail about the debt);
- disclosure_given: n/a without a verified conversation about the debt; no if the balance was
  stated or money asked for before the mini-Miranda;
- no_threats: no after a threat of legal action;
- affordability_considered: n/a when nothing was agreed or the debtor paid in full unprompted;
  no if a plan, settlement or promise came before income and expenditure for a debtor in
  difficulty, or the full balance was demanded of them;
- accurate_information: no if money was asked for before the balance was stated;
- outcome_recorded: no if a call ended with an outcome that was not what happened, a dispute was
  not recorded, or the session ended mid-call;
- professional_tone: no after a threat, a demand for the full balance, or collecting a disputed
  debt.

Every answer comes with the reason, for the result page.

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from solvent.quality.domain.scorecard import Answer
from solvent.training.domain.actions import ACTION_BY_KEY
from solvent.training.domain.practice import Line

YES, NO, NOT_APPLICABLE = Answer.YES.value, Answer.NO.value, Answer.NOT_APPLICABLE.value
_AGREEING = frozenset({"offer_plan", "offer_settlement", "take_promise"})


@dataclass(frozen=True, slots=True)
class Scored:
    answers: dict[str, str]
    reasons: dict[str, str]


def _performed(lines: Sequence[Line]) -> list[Line]:
    return [line for line in lines if line.speaker == "trainee"]


def practice_answers(lines: Sequence[Line], *, ended_on_call: bool = False) -> Scored:
    """The scorecard's answers (item key -> yes / no / n/a) and why, from the transcript."""
    done = _performed(lines)
    answers: dict[str, str] = {}
    reasons: dict[str, str] = {}

    def answer(key: str, value: str, reason: str) -> None:
        answers[key] = value
        reasons[key] = reason

    leaked = [
        line
        for line in done
        if ACTION_BY_KEY[line.action].discusses_debt
        and (line.action == "detailed_voicemail" or not line.context.get("verified", False))
    ]
    if leaked:
        answer(
            "right_party_verified", NO, f"{ACTION_BY_KEY[leaked[0].action].label} before verifying."
        )
    else:
        answer("right_party_verified", YES, "Nothing about the debt was said before verifying.")

    verified_debt_talk = [
        line
        for line in done
        if line.action
        in ("state_balance", "ask_income_expenditure", *_AGREEING, "demand_full_payment")
        and line.context.get("verified", False)
    ]
    early = [line for line in verified_debt_talk if not line.context.get("disclosed", False)]
    if not verified_debt_talk:
        answer("disclosure_given", NOT_APPLICABLE, "No conversation about the debt took place.")
    elif early:
        answer(
            "disclosure_given",
            NO,
            f"{ACTION_BY_KEY[early[0].action].label} before the mini-Miranda.",
        )
    else:
        answer("disclosure_given", YES, "The mini-Miranda came before the debt was discussed.")

    threats = [line for line in done if line.action == "threaten_legal"]
    if threats:
        answer("no_threats", NO, "Legal action was threatened.")
    else:
        answer("no_threats", YES, "No threats or false statements.")

    answer(*_affordability(done))

    unstated = [
        line
        for line in done
        if line.action in _AGREEING and not line.context.get("balance_stated", False)
    ]
    if unstated:
        answer(
            "accurate_information",
            NO,
            f"{ACTION_BY_KEY[unstated[0].action].label} before the balance was stated.",
        )
    else:
        answer(
            "accurate_information", YES, "The balance was stated before any payment was asked for."
        )

    answer(*_outcome(done, ended_on_call))

    rude = [
        line
        for line in done
        if line.action in ("threaten_legal", "demand_full_payment")
        or (
            ACTION_BY_KEY[line.action].collects
            and (line.context.get("disputed") or line.context.get("call_disputed"))
        )
    ]
    if rude:
        answer("professional_tone", NO, f"{ACTION_BY_KEY[rude[0].action].label}.")
    else:
        answer("professional_tone", YES, "Courteous throughout.")
    return Scored(answers, reasons)


def _affordability(done: Sequence[Line]) -> tuple[str, str, str]:
    key = "affordability_considered"
    demanded = [
        line
        for line in done
        if line.action == "demand_full_payment" and line.context.get("difficulty", False)
    ]
    if demanded:
        return key, NO, "The full balance was demanded of a debtor in difficulty."
    agreements = [line for line in done if line.action in _AGREEING]
    if not agreements:
        return key, NOT_APPLICABLE, "No payment was agreed."
    unassessed = [
        line
        for line in agreements
        if line.context.get("difficulty", False) and not line.context.get("income_asked", False)
    ]
    if unassessed:
        label = ACTION_BY_KEY[unassessed[0].action].label
        return key, NO, f"{label} before asking about income and expenditure."
    if all(not line.context.get("difficulty", False) for line in agreements) and not any(
        line.context.get("income_asked", False) for line in agreements
    ):
        return key, NOT_APPLICABLE, "The debtor could pay and was not in difficulty."
    return key, YES, "Income and expenditure came before the payment was agreed."


def _outcome(done: Sequence[Line], ended_on_call: bool) -> tuple[str, str, str]:
    key = "outcome_recorded"
    if ended_on_call:
        return key, NO, "The session ended with a call still open: no outcome recorded."
    wrong = [
        line for line in done if line.action == "end_call" and line.disposition not in line.expected
    ]
    if wrong:
        return (
            key,
            NO,
            f"Call recorded as {wrong[0].disposition}, but it was {' or '.join(wrong[0].expected)}.",
        )
    ends = [line for line in done if line.action == "end_call"]
    unrecorded = [
        line
        for line in ends
        if line.context.get("call_disputed") and not line.context.get("dispute_recorded")
    ]
    if unrecorded:
        return key, NO, "The debtor disputed the debt and the dispute was not recorded."
    if not ends:
        return key, YES, "No call was made, so there was nothing to record."
    return key, YES, "Every call's outcome was recorded as it happened."
