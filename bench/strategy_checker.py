"""An independent checker of the basic US contact rules, written from the text of Regulation F
(12 CFR part 1006 and its official interpretations), not from Solvent's compliance engine.

Input: what was actually done (outbound attempts with their outcomes, and inbound conversations),
what the consumer asked for (cease, a medium they refused, a dispute opened and answered, consent to
more calls), and the time zones the collector's information points to for each consumer. Output:
every action that breaks a rule, with the rule and why.

The rules, as the regulation words them:

* **Inconvenient time**, 1006.6(b)(1)(i): no communication or attempt before 8:00 a.m. or after
  9:00 p.m. local time at the consumer's location; with several possible locations, the time must
  be convenient in all of them (comment 6(b)(1)(i)-2). An e-mail or text happens when it is sent
  (comment 6(b)(1)(i)-1). A letter has no time of day and is not checked.
* **Seven calls in seven days**, 1006.14(b)(2)(i)(A): no more than seven telephone calls to a
  person about a particular debt within seven consecutive days.
* **After a conversation**, 1006.14(b)(2)(i)(B): no telephone call about a debt within seven
  consecutive days after a telephone conversation about it; the conversation's date is day one.
  For both call rules, a call that does not connect (busy, not in service) is not counted
  (1006.14(b)(3)(ii)), nor a call within seven days of the person's prior consent, which ends at
  the next conversation (1006.14(b)(3)(i), comment 14(b)(3)(i)-2). A ringless voicemail is a call
  (comment 14(b)-1); texts and e-mails are not.
* **Cease**, 1006.6(c)(1): after the consumer's notice that they refuse to pay or want
  communication to cease, no further communication or attempt about that debt (a notice without
  a debt covers every debt). The (c)(2) notices (that efforts end, that a remedy may or will be
  invoked) are not told apart from other contacts: the checker flags them too.
* **Refused medium**, 1006.14(h)(1): no communication through a medium the person asked us not to
  use (a text STOP, an e-mail unsubscribe, "don't call me"), whatever the debt.
* **Open dispute**, 1006.38(d)(2): after a dispute and until verification is sent, no collection
  of the debt: every outbound contact about it is flagged.

Days are the consumer's calendar days in their first zone (their address). Pure Python: no Django.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

EARLIEST = time(8, 0)
LATEST = time(21, 0)
CALL_LIMIT = 7
WINDOW_DAYS = 7
# Channels that are telephone calls for Reg F (a ringless voicemail is one, comment 14(b)-1).
CALL_CHANNELS = frozenset({"call", "voicemail"})
TIMED_CHANNELS = frozenset({"call", "voicemail", "sms", "email"})
# Outcomes of a call that never connected to the dialled number (1006.14(b)(3)(ii)).
NOT_CONNECTED = frozenset({"busy", "not_in_service", "failed", "not_connected"})
CONVERSATION = frozenset({"right_party", "right_party_conversation"})


class Rule(StrEnum):
    INCONVENIENT_TIME = "1006.6(b)(1)(i)"
    SEVEN_CALLS_IN_SEVEN_DAYS = "1006.14(b)(2)(i)(A)"
    CALL_AFTER_CONVERSATION = "1006.14(b)(2)(i)(B)"
    AFTER_CEASE = "1006.6(c)(1)"
    REFUSED_MEDIUM = "1006.14(h)(1)"
    OPEN_DISPUTE = "1006.38(d)(2)"


class RequestKind(StrEnum):
    CEASE = "cease"  # refuses to pay, or wants communication to cease
    REFUSE_MEDIUM = "refuse_medium"  # "don't text me" / STOP / unsubscribe / "don't call me"
    DISPUTE = "dispute"
    DISPUTE_ANSWERED = "dispute_answered"  # verification (or a judgment) sent
    CALL_CONSENT = "call_consent"  # prior consent to more calls, given directly


@dataclass(frozen=True, slots=True)
class Action:
    """One thing done: an outbound attempt, or an inbound conversation (``inbound=True``)."""

    debtor: str
    debt: str
    channel: str
    at: datetime  # timezone-aware
    outcome: str = ""
    inbound: bool = False
    reference: str = ""  # the caller's own key for the action (a plan row, an account number)


@dataclass(frozen=True, slots=True)
class Request:
    """What the consumer asked for, effective from ``at`` (when the collector received it)."""

    debtor: str
    kind: RequestKind
    at: datetime
    debt: str | None = None  # None: every debt of the debtor
    medium: str | None = None  # for REFUSE_MEDIUM: call, sms, email, letter


@dataclass(frozen=True, slots=True)
class Violation:
    rule: Rule
    action: Action
    detail: str


def violations_find(
    actions: Iterable[Action],
    requests: Iterable[Request] = (),
    zones: Mapping[str, Sequence[str]] | None = None,
) -> list[Violation]:
    """Every action that breaks one of the rules, in the order the actions happened."""
    ordered = sorted(actions, key=lambda action: (action.at, action.debtor, action.debt))
    by_debtor: dict[str, list[Request]] = defaultdict(list)
    for request in requests:
        by_debtor[request.debtor].append(request)
    zones = zones or {}
    found: list[Violation] = []
    calls = _CallLedger()
    for action in ordered:
        if action.at.tzinfo is None:
            raise ValueError(f"a naive time cannot be placed in any zone: {action}")
        places = [ZoneInfo(name) for name in zones.get(action.debtor, ())] or [ZoneInfo("UTC")]
        if action.inbound:
            if action.channel in CALL_CHANNELS and action.outcome in CONVERSATION:
                calls.conversation(action, places[0])
            continue
        found.extend(_time_violations(action, places))
        found.extend(_request_violations(action, by_debtor.get(action.debtor, ())))
        if action.channel in CALL_CHANNELS:
            consent = _consent_since(action, by_debtor.get(action.debtor, ()), calls)
            found.extend(calls.place(action, places[0], consent))
    return found


def _time_violations(action: Action, places: Sequence[ZoneInfo]) -> list[Violation]:
    if action.channel not in TIMED_CHANNELS:
        return []
    for place in places:
        local = action.at.astimezone(place)
        clock = local.time().replace(tzinfo=None)
        if clock < EARLIEST or clock > LATEST:
            return [
                Violation(
                    Rule.INCONVENIENT_TIME,
                    action,
                    f"{local:%H:%M} in {place.key}: before 8:00 a.m. or after 9:00 p.m.",
                )
            ]
    return []


def _request_violations(action: Action, requests: Iterable[Request]) -> list[Violation]:
    found = []
    medium = "call" if action.channel in CALL_CHANNELS else action.channel
    disputes: list[Request] = []
    for request in requests:
        if request.at >= action.at:
            continue
        applies = request.debt is None or request.debt == action.debt
        if request.kind is RequestKind.CEASE and applies:
            found.append(
                Violation(Rule.AFTER_CEASE, action, f"cease notice received {request.at:%F %R}Z")
            )
        elif request.kind is RequestKind.REFUSE_MEDIUM and request.medium == medium:
            found.append(
                Violation(
                    Rule.REFUSED_MEDIUM,
                    action,
                    f"asked us not to use {medium} on {request.at:%F %R}Z",
                )
            )
        elif request.kind in (RequestKind.DISPUTE, RequestKind.DISPUTE_ANSWERED) and applies:
            disputes.append(request)
    if disputes and max(disputes, key=lambda r: r.at).kind is RequestKind.DISPUTE:
        opened = max(disputes, key=lambda r: r.at).at
        found.append(Violation(Rule.OPEN_DISPUTE, action, f"dispute open since {opened:%F %R}Z"))
    # One violation per rule for one action is enough to name it.
    unique: dict[Rule, Violation] = {}
    for violation in found:
        unique.setdefault(violation.rule, violation)
    return list(unique.values())


def _consent_since(action: Action, requests: Iterable[Request], calls: _CallLedger) -> date | None:
    """The local date of the latest consent to calls about this debt still in force, if any."""
    latest: Request | None = None
    for request in requests:
        if (
            request.kind is RequestKind.CALL_CONSENT
            and request.at <= action.at
            and (request.debt is None or request.debt == action.debt)
            and (latest is None or request.at > latest.at)
        ):
            latest = request
    if latest is None:
        return None
    spoke = calls.last_conversation.get((action.debtor, action.debt))
    if spoke is not None and spoke[0] > latest.at:
        return None  # a conversation since ends the consent (comment 14(b)(3)(i)-2)
    return latest.at.date()


class _CallLedger:
    """The counted calls and the last conversation of each (person, debt)."""

    def __init__(self) -> None:
        self.counted: dict[tuple[str, str], list[date]] = defaultdict(list)
        self.last_conversation: dict[tuple[str, str], tuple[datetime, date]] = {}

    def conversation(self, action: Action, place: ZoneInfo) -> None:
        self.last_conversation[action.debtor, action.debt] = (
            action.at,
            action.at.astimezone(place).date(),
        )

    def place(self, action: Action, place: ZoneInfo, consent: date | None) -> list[Violation]:
        key = (action.debtor, action.debt)
        today = action.at.astimezone(place).date()
        found = []
        connected = action.outcome not in NOT_CONNECTED
        consented = consent is not None and today < consent + timedelta(days=WINDOW_DAYS)
        if connected and not consented:
            spoke = self.last_conversation.get(key)
            if spoke is not None and today < spoke[1] + timedelta(days=WINDOW_DAYS):
                found.append(
                    Violation(
                        Rule.CALL_AFTER_CONVERSATION,
                        action,
                        f"telephone conversation on {spoke[1]} (day 1 of 7); this call on {today}",
                    )
                )
            dates = self.counted[key]
            bisect.insort(dates, today)
            first = bisect.bisect_left(dates, today - timedelta(days=WINDOW_DAYS - 1))
            in_window = bisect.bisect_right(dates, today) - first
            if in_window > CALL_LIMIT:
                found.append(
                    Violation(
                        Rule.SEVEN_CALLS_IN_SEVEN_DAYS,
                        action,
                        f"call {in_window} in the 7 days ending {today}",
                    )
                )
        if action.outcome in CONVERSATION:
            self.conversation(action, place)
        return found


def violations_count(violations: Iterable[Violation]) -> dict[str, int]:
    """How many violations of each rule (every rule named, zero included)."""
    counts = dict.fromkeys((rule.value for rule in Rule), 0)
    for violation in violations:
        counts[violation.rule.value] += 1
    return counts
