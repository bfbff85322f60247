"""The work queues' rules as plain Python: what a work item is asked for, the order of the queues,
which kinds a hold does not take out, which an outcome closes, and how a key names a cause.

No Django, no clock: ``now`` comes in as an argument (docs/work-queues.md).

The order, highest first (callbacks due come before every work item; they stay ``desk.Callback``):

1. disputes whose 30-day verification clock has ``DISPUTE_URGENT_DAYS_LEFT`` days or fewer left
   (or has run out), oldest first;
2. broken promises, the larger amount first;
3. the other disputes waiting for verification, oldest first;
4. hardship cases (a vulnerability flag, or a hardship hold), oldest first;
5. accounts needing review (a legal flag in the client's file opened a hold; a plan's review
   step), oldest first;
6. legal reviews the plan asked for, by the plan's priority;
7. calls the plan planned, by the plan's priority.

Each kind has a band; within a band a fraction in [0, 1) orders the items. ``priority`` is band +
fraction, so one ``ORDER BY priority DESC`` (the ``work_item_queue`` index) gives the whole order,
then the due time and the id. Only a dispute's band depends on the day, so a refresh recomputes
the priority of open disputes and no other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

# An account or an item opened from a queue is the opener's for this long: nobody else is offered
# it (the desk's general queue and the teams' work queues alike).
CLAIM_DURATION = timedelta(minutes=10)


def claim_expiry(now: datetime) -> datetime:
    return now + CLAIM_DURATION


class WorkKind(StrEnum):
    """``strategy.models.WorkItem.Kind``'s values."""

    CALLBACK = "callback"
    BROKEN_PROMISE = "broken_promise"
    DISPUTE = "dispute"
    REVIEW = "review"
    HARDSHIP = "hardship"
    LEGAL_REVIEW = "legal_review"
    PLANNED_CALL = "planned_call"


# The queues in the order an agent reads them (the page lists them so).
QUEUE_ORDER: tuple[WorkKind, ...] = (
    WorkKind.CALLBACK,
    WorkKind.BROKEN_PROMISE,
    WorkKind.DISPUTE,
    WorkKind.HARDSHIP,
    WorkKind.REVIEW,
    WorkKind.LEGAL_REVIEW,
    WorkKind.PLANNED_CALL,
)
QUEUE_LABELS: dict[WorkKind, str] = {
    WorkKind.CALLBACK: "Callbacks due",
    WorkKind.BROKEN_PROMISE: "Broken promises",
    WorkKind.DISPUTE: "Disputes waiting for verification",
    WorkKind.HARDSHIP: "Hardship cases",
    WorkKind.REVIEW: "Accounts needing review",
    WorkKind.LEGAL_REVIEW: "Legal review",
    WorkKind.PLANNED_CALL: "Planned calls",
}

# A dispute stops collection until verification is sent; the clock we hold ourselves to.
DISPUTE_VERIFICATION_DAYS = 30
DISPUTE_URGENT_DAYS_LEFT = 5

_URGENT_DISPUTE_BAND = 70
_BANDS: dict[WorkKind, int] = {
    WorkKind.BROKEN_PROMISE: 60,
    WorkKind.DISPUTE: 50,
    WorkKind.HARDSHIP: 40,
    WorkKind.REVIEW: 30,
    WorkKind.LEGAL_REVIEW: 20,
    WorkKind.PLANNED_CALL: 10,
}
# An amount of this size sits halfway up the broken promises' band.
_AMOUNT_HALFWAY = Decimal(1000)
# "Oldest first" as a number that does not change with time: the earlier, the larger.
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = 200 * 365.25 * 24 * 3600

# Work about a hold itself (verify a dispute, review a legal flag): offered although the account is
# under a hold that stops contact. Every other kind is a call or a conversation and is not offered
# under such a hold (``compliance.domain.holds.CONTACT_STOPPING_HOLD_KINDS``), like the general queue.
KINDS_DESPITE_HOLDS = frozenset({WorkKind.DISPUTE, WorkKind.REVIEW, WorkKind.LEGAL_REVIEW})

# Contact work: an outcome an agent records on the account (a call's disposition, an inbound
# contact) after the item was made finishes it. A case (a dispute to verify, a hardship case, a
# review) is finished by its cause going away or by the agent's "Done", not by a call.
KINDS_CLOSED_BY_OUTCOME = frozenset({WorkKind.BROKEN_PROMISE, WorkKind.PLANNED_CALL})

# An agent who moves on without an outcome or "Done" is not given the same item again for this long
# (another agent may take it at once).
SKIP_WINDOW = timedelta(minutes=30)

SOURCE_KEY_MAX = 80


@dataclass(frozen=True, slots=True)
class WorkItemRequest:
    """One item to add (the daily plan's review, hardship, legal-review and call items).

    ``source_key`` names what made it ("plan:2026-12-02:123"): the same key is added once, ever.
    An item supersedes the open items of the same account and kind whose key has the same prefix
    (the text before the first ":"): today's plan replaces yesterday's unworked call.
    """

    account_id: int
    kind: WorkKind
    source_key: str
    due_at: datetime
    reason: str = ""
    plan_priority: float = 0.0

    def __post_init__(self) -> None:
        if not self.source_key or len(self.source_key) > SOURCE_KEY_MAX:
            raise ValueError(f"a source key of 1 to {SOURCE_KEY_MAX} characters")
        if ":" not in self.source_key:
            raise ValueError("a source key is '<source>:<what>', e.g. 'plan:2026-12-02:123'")
        if self.due_at.tzinfo is None:
            raise ValueError("due_at must be timezone-aware")
        if self.kind is WorkKind.CALLBACK:
            raise ValueError("callbacks are desk callbacks, not work items")


def source_prefix(source_key: str) -> str:
    return source_key.split(":", 1)[0]


def work_priority(
    kind: WorkKind,
    *,
    opened_at: datetime,
    now: datetime,
    amount: Decimal | None = None,
    plan_priority: float = 0.0,
) -> float:
    """The item's place in the order above: its kind's band plus a fraction within it.

    ``opened_at`` is when the cause arose (a promise broken, a hold placed); ``amount`` a broken
    promise's; ``plan_priority`` the plan's score (any real number, higher first).
    """
    if kind is WorkKind.CALLBACK:
        raise ValueError("callbacks are ordered by the desk, before every work item")
    if kind is WorkKind.BROKEN_PROMISE:
        value = max(amount or Decimal(0), Decimal(0))
        return _BANDS[kind] + float(value / (value + _AMOUNT_HALFWAY))
    if kind in (WorkKind.LEGAL_REVIEW, WorkKind.PLANNED_CALL):
        return _BANDS[kind] + _bounded(plan_priority)
    band = _BANDS[kind]
    if kind is WorkKind.DISPUTE and dispute_days_left(opened_at, now) <= DISPUTE_URGENT_DAYS_LEFT:
        band = _URGENT_DISPUTE_BAND
    return band + _earlier_first(opened_at)


def dispute_days_left(opened_at: datetime, now: datetime) -> int:
    """Whole days left on the verification clock (negative: overdue)."""
    deadline = opened_at + timedelta(days=DISPUTE_VERIFICATION_DAYS)
    return math.floor((deadline - now) / timedelta(days=1))


def _earlier_first(moment: datetime) -> float:
    seconds = (moment - _EPOCH).total_seconds()
    return min(max(1.0 - seconds / _SPAN_SECONDS, 0.0), 0.999999)


def _bounded(score: float) -> float:
    """Any real score into (0, 1), keeping its order."""
    if math.isnan(score):
        return 0.0
    if math.isinf(score):
        return 0.999999 if score > 0 else 0.0
    return min(0.5 + 0.5 * score / (1.0 + abs(score)), 0.999999)


def hold_source_key(hold_id: int, account_id: int) -> str:
    return f"hold:{hold_id}:{account_id}"


def promise_source_key(promise_id: int) -> str:
    return f"promise:{promise_id}"


def flag_source_key(flag_id: int) -> str:
    return f"vulnerability:{flag_id}"


def source_ids(source_key: str) -> tuple[int, ...]:
    """The ids a derived key names ("hold:7:12" -> (7, 12)); () for a key not ours."""
    parts = source_key.split(":")[1:]
    if not parts or not all(part.isdigit() for part in parts):
        return ()
    return tuple(int(part) for part in parts)
