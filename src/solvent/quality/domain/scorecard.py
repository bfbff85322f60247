"""The QA scorecard: the questions a supervisor answers about a call, and how a call is scored.

One scorecard serves the floor and the practice floor (a practice session is scored with the same
questions). Each item is answered yes, no or not applicable. The score is the weighted share of the
applicable items answered yes, 0-100. A critical item answered no (a threat, no disclosure, a
third party told about the debt) fails the call whatever the score: that is how collections QA
programmes treat "auto-fail" items, because one such breach is a violation, not a lower grade.

Pure: no Django.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SCORECARD_VERSION = "2026-12"
# A call passes at this score or above, with no critical item failed.
PASS_MARK = 80.0


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "n/a"


@dataclass(frozen=True, slots=True)
class ScorecardItem:
    key: str
    question: str
    weight: int
    critical: bool = False
    # May the item be marked not applicable (e.g. affordability when the debtor did not engage)?
    may_skip: bool = False
    guidance: str = ""


DEFAULT_SCORECARD: tuple[ScorecardItem, ...] = (
    ScorecardItem(
        "right_party_verified",
        "Was the right party verified before the debt was discussed?",
        20,
        critical=True,
        guidance="Reg F 1006.6(d), FDCPA 805(b): no disclosure of the debt to a third party.",
    ),
    ScorecardItem(
        "disclosure_given",
        "Was the debt-collector disclosure (mini-Miranda) given?",
        20,
        critical=True,
        may_skip=True,
        guidance="FDCPA 807(11), Reg F 1006.18(e): 'This is an attempt to collect a debt...'",
    ),
    ScorecardItem(
        "no_threats",
        "Was the call free of threats, false statements and harassment?",
        20,
        critical=True,
        guidance="FDCPA 806 and 807, Reg F 1006.14 and 1006.18.",
    ),
    ScorecardItem(
        "affordability_considered",
        "Was affordability considered before a payment was agreed?",
        15,
        may_skip=True,
        guidance="FCA CONC 7.3: forbearance and an affordable plan for a customer in difficulty.",
    ),
    ScorecardItem(
        "accurate_information",
        "Were the balance, the creditor and the options stated accurately?",
        10,
    ),
    ScorecardItem(
        "outcome_recorded",
        "Was the outcome recorded correctly (disposition, promise, notes)?",
        10,
    ),
    ScorecardItem("professional_tone", "Was the agent courteous and professional?", 5),
)


class ScorecardError(ValueError):
    """Answers that do not fit the scorecard: names every item that is wrong.

    ``problems`` maps each item key (or unknown key) to what is wrong with it, so a form can show
    each refusal beside its item; the message joins them all."""

    def __init__(self, message: str, problems: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems: dict[str, str] = dict(problems or {})


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: float  # 0.0-100.0, one decimal
    passed: bool
    critical_failures: tuple[str, ...]
    points: int  # weight of the applicable items answered yes
    possible: int  # weight of the applicable items


def scorecard_score(
    answers: Mapping[str, str], items: Sequence[ScorecardItem] = DEFAULT_SCORECARD
) -> ScoreResult:
    """Score ``answers`` (item key -> "yes" | "no" | "n/a"). Every item must be answered; an item
    that may not be skipped cannot be "n/a"; an unknown key is refused. All problems at once."""
    known = {item.key: item for item in items}
    problems = {key: "not on the scorecard" for key in answers if key not in known}
    parsed: dict[str, Answer] = {}
    for item in items:
        raw = answers.get(item.key)
        if raw is None or raw == "":
            problems[item.key] = "not answered"
            continue
        try:
            answer = Answer(raw)
        except ValueError:
            problems[item.key] = f"{raw!r} is not yes, no or n/a"
            continue
        if answer is Answer.NOT_APPLICABLE and not item.may_skip:
            problems[item.key] = "must be answered yes or no"
            continue
        parsed[item.key] = answer
    if problems:
        message = "; ".join(f"{key}: {problem}" for key, problem in problems.items())
        raise ScorecardError(message, problems)
    applicable = [item for item in items if parsed[item.key] is not Answer.NOT_APPLICABLE]
    possible = sum(item.weight for item in applicable)
    points = sum(item.weight for item in applicable if parsed[item.key] is Answer.YES)
    critical = tuple(
        item.key for item in applicable if item.critical and parsed[item.key] is Answer.NO
    )
    score = round(100.0 * points / possible, 1) if possible else 0.0
    return ScoreResult(score, score >= PASS_MARK and not critical, critical, points, possible)
