"""The wallboard's pure values and rules: a figure row, a rate, an agent's state (no Django, no clock).

The words are the glossary's (docs/wallboard.md). Ledger outcomes are the compliance contract's
strings (``compliance.ContactAttempt.Outcome``), so this module reads no model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

# Ledger outcomes of an attempt that reached a person (any party), and the right party.
REACHED_OUTCOMES = frozenset(
    {"right_party_conversation", "third_party_conversation", "wrong_number"}
)
RIGHT_PARTY_OUTCOMES = frozenset({"right_party_conversation"})
# A message the provider accepted (what happened to it afterwards is a later outcome).
SENT_OUTCOMES = frozenset({"sent", "delivered", "bounced", "failed"})
MESSAGE_CHANNELS = ("sms", "email", "letter")
# Answered live calls of the dialer: a person picked up (the abandon rate's denominator).
ANSWERED_LIVE_OUTCOMES = REACHED_OUTCOMES | {"abandoned"}

ON_CALL_WITHIN = timedelta(hours=1)
WRAP_UP_WITHIN = timedelta(minutes=2)
OFFLINE_AFTER = timedelta(minutes=30)


class AgentState(StrEnum):
    ON_CALL = "on a call"
    WRAP_UP = "wrap-up"
    IDLE = "idle"
    OFFLINE = "offline"


def agent_state(
    *,
    now: datetime,
    on_call: bool,
    last_interaction_at: datetime | None,
    last_activity_at: datetime | None,
) -> AgentState:
    """An agent's state from their activity (pure: the times come in as arguments).

    On a call: a call the gate reserved for them within the hour has no outcome yet. Wrap-up: they
    recorded an interaction in the last 2 minutes. Offline: nothing for 30 minutes. Else idle.
    """
    if on_call:
        return AgentState.ON_CALL
    if last_interaction_at is not None and now - last_interaction_at <= WRAP_UP_WITHIN:
        return AgentState.WRAP_UP
    if last_activity_at is not None and now - last_activity_at <= OFFLINE_AFTER:
        return AgentState.IDLE
    return AgentState.OFFLINE


@dataclass(frozen=True)
class Ratio:
    """A rate with its numerator and denominator, as the glossary asks."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> str:
        if not self.denominator:
            return "n/a"
        return f"{100 * self.numerator / self.denominator:.1f}%"

    def __str__(self) -> str:
        return f"{self.numerator} / {self.denominator} ({self.percent})"


@dataclass
class Figures:
    """One row of the wallboard: a client, a team or everything the user sees."""

    key: str
    label: str
    attempts: int = 0
    call_attempts: int = 0
    contacts: int = 0
    right_party_contacts: int = 0
    promises: int = 0
    promise_amounts: dict[str, Decimal] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, int] = field(default_factory=dict)  # refused decisions per rule
    refused: int = 0  # refused decisions, whatever rules refused them
    proposed: int = 0  # decisions: the contacts proposed to the compliance gate
    queue: int | None = None
    abandoned: int = 0
    answered_live: int = 0
    # Payments taken on the day (posted, not returned or reversed), by currency (issue 13).
    payments: int = 0
    payment_amounts: dict[str, Decimal] = field(default_factory=dict)
    # Debtors' chats waiting for an answer now (today's board only, like the queue).
    chats_waiting: int | None = None

    @property
    def contact_rate(self) -> Ratio:
        return Ratio(self.contacts, self.call_attempts)

    @property
    def right_party_contact_rate(self) -> Ratio:
        return Ratio(self.right_party_contacts, self.call_attempts)

    @property
    def block_rate(self) -> Ratio:
        return Ratio(self.refused, self.proposed)

    @property
    def abandon_rate(self) -> Ratio:
        return Ratio(self.abandoned, self.answered_live)

    @property
    def messages(self) -> list[tuple[str, int, int]]:
        return [(c, self.sent.get(c, 0), self.delivered.get(c, 0)) for c in MESSAGE_CHANNELS]


@dataclass(frozen=True)
class AgentRow:
    user_id: int
    username: str
    state: AgentState | None
    last_activity_at: datetime | None
    figures: Figures


@dataclass(frozen=True)
class Wallboard:
    day: date
    live: bool
    now: datetime
    clients: list[Figures]
    teams: list[Figures]
    total: Figures
    agents: list[AgentRow]
    dialer_installed: bool
    promises_installed: bool
    payments_installed: bool = False

    @property
    def blocks_by_rule(self) -> list[tuple[str, list[int], int]]:
        """(rule id, refused per client row, refused in total), the most frequent rule first."""
        rules = sorted(self.total.blocks, key=lambda rule: (-self.total.blocks[rule], rule))
        return [
            (rule, [row.blocks.get(rule, 0) for row in self.clients], self.total.blocks[rule])
            for rule in rules
        ]


def chart_data(board: Wallboard) -> dict[str, Any]:
    """What the page's chart draws (rendered into a JSON block, read by desk/wallboard.js)."""
    return {
        "labels": [row.label for row in board.clients],
        "series": [
            {"label": "Attempts", "values": [row.attempts for row in board.clients]},
            {"label": "Contacts", "values": [row.contacts for row in board.clients]},
            {
                "label": "Right-party contacts",
                "values": [row.right_party_contacts for row in board.clients],
            },
            {"label": "Promises", "values": [row.promises for row in board.clients]},
            {"label": "Blocks", "values": [row.refused for row in board.clients]},
        ],
        "total": {"attempts": board.total.attempts, "contacts": board.total.contacts},
    }
