"""The chat on the debtor's page, as the engine sees it: what the ledger says about a conversation.

Only the debtor opens a chat (from their verified page session); an agent only answers it
(ADR 0031). The contact point of a conversation is ``chat:<conversation id>``. Every message the
debtor writes is in the ledger as an inbound ``chat`` row at that point, and every agent message
the gate allowed as an outbound one, so the engine can tell from the history alone:

* whether the point is a conversation this debtor opened (an inbound row at it exists);
* whether the debtor's latest message is still unanswered (no outbound row at it since), which is
  what one reply per consumer-initiated message means (comment 6(b)(1)-2, comment 6(b)(2)-1,
  12 CFR 1006.14(h)(2)(ii));
* whether a reply is prompt: within ``PROMPT_REPLY`` of the debtor's latest message, while they
  are presumably still on the page (the page session lapses after 30 idle minutes), which lets it
  be sent at the time the debtor chose, even outside the 8 a.m.-9 p.m. presumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from solvent.compliance.domain.model import Channel, Direction, HistoryEvent

CHAT_POINT_PREFIX = "chat:"
# A reply within this time of the debtor's latest message answers them "at that time"
# (comment 6(b)(1)-2); the same length as the page session's idle lapse.
PROMPT_REPLY = timedelta(minutes=30)


def is_chat_point(contact_point_id: str | None) -> bool:
    """``chat:<conversation id>`` with a positive integer id."""
    if contact_point_id is None or not contact_point_id.startswith(CHAT_POINT_PREFIX):
        return False
    number = contact_point_id[len(CHAT_POINT_PREFIX) :]
    return number.isascii() and number.isdigit() and int(number) > 0


@dataclass(frozen=True, slots=True)
class ChatState:
    """What the ledger says about one conversation at one moment."""

    # The debtor's latest message at the point by the moment; None: they never wrote there.
    latest_message_at: datetime | None
    # An agent message at the point at or after the debtor's latest one (already answered).
    answered: bool

    @property
    def awaiting_reply(self) -> bool:
        return self.latest_message_at is not None and not self.answered

    def prompt_at(self, at: datetime) -> bool:
        """A reply at ``at`` is prompt: the debtor wrote at most ``PROMPT_REPLY`` before."""
        latest = self.latest_message_at
        return latest is not None and not self.answered and latest <= at <= latest + PROMPT_REPLY


def chat_state(history: tuple[HistoryEvent, ...], point_id: str | None, at: datetime) -> ChatState:
    """The conversation at ``point_id`` as of ``at``, from the ledger.

    An agent message at exactly the time of the debtor's counts as answering it, and so does one
    recorded for later (a reservation): the stricter reading.
    """
    latest: datetime | None = None
    for event in history:
        if (
            event.channel is Channel.CHAT
            and event.direction is Direction.INBOUND
            and event.contact_point_id == point_id
            and event.at <= at
            and (latest is None or event.at > latest)
        ):
            latest = event.at
    if latest is None:
        return ChatState(None, answered=False)
    answered = any(
        event.channel is Channel.CHAT
        and event.direction is Direction.OUTBOUND
        and event.contact_point_id == point_id
        and event.at >= latest
        for event in history
    )
    return ChatState(latest, answered)


# Reported (as a warning, for the record) when a prompt reply is sent outside the hours in which
# an electronic message would be allowed.
PROMPT_REPLY_RULE = "solvent.chat.prompt_reply_any_hour"
C_PROMPT_REPLY = (
    "12 CFR 1006.6(b)(1)(i), (b)(4)(i); comment 6(b)(1)-2 (.iii: while the consumer uses the "
    "debt collector's website); comment 6(b)(2)-1"
)
PROMPT_REPLY_MESSAGE = (
    "Allowed outside the usual hours: a prompt reply in the chat the debtor opened, to their "
    "own message sent at this time."
)
