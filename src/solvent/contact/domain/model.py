"""Words of contact history and the outbox: channels, directions, dispositions, statuses.

Pure values shared by the models, the services and the API. The values of ``Channel`` are the ones the
compliance contract uses ("call", "sms", "email", "letter", "voicemail").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

# The contact history speaks the compliance engine's words for channels and directions: one
# definition, so a new channel cannot exist in one app and not the other.
from solvent.compliance.domain.model import Channel as Channel
from solvent.compliance.domain.model import Direction as Direction


class Disposition(enum.StrEnum):
    """The standard outcome an agent, the dialer or a provider records for an interaction."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    ANSWERING_MACHINE = "answering_machine"
    VOICEMAIL_LEFT = "voicemail_left"
    RIGHT_PARTY_CONTACT = "right_party_contact"
    THIRD_PARTY = "third_party"
    WRONG_NUMBER = "wrong_number"
    PROMISE_TO_PAY = "promise_to_pay"
    REFUSED = "refused"
    DISPUTE = "dispute"
    HARDSHIP = "hardship"
    CALLBACK_REQUESTED = "callback_requested"
    DECEASED = "deceased"
    BANKRUPTCY = "bankruptcy"
    ATTORNEY = "attorney"
    CEASE_REQUEST = "cease_request"
    NOT_IN_SERVICE = "not_in_service"
    MESSAGE_SENT = "message_sent"
    MESSAGE_RECEIVED = "message_received"
    OPT_OUT = "opt_out"
    HELP_REQUEST = "help_request"
    # A person answered a dialer's call and no agent took it within 2 seconds (47 CFR
    # 64.1200(a)(7); Ofcom): the recorded information message played. Its own outcome, counted
    # against the campaign's abandon limit and, in the UK, starting the 72-hour wait.
    ABANDONED = "abandoned"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    BOUNCED = "bounced"


class MessageStatus(enum.StrEnum):
    """Where an outbox message is in its life. ``SENDING`` is a lease held by one worker."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    DEAD = "dead"


# What the compliance ledger calls the outcome of a contact, per disposition (the contract's list).
_LEDGER_OUTCOME: dict[Disposition, str] = {
    Disposition.NO_ANSWER: "no_answer",
    Disposition.BUSY: "busy",
    Disposition.ANSWERING_MACHINE: "voicemail",
    Disposition.VOICEMAIL_LEFT: "limited_content_message",
    Disposition.WRONG_NUMBER: "wrong_number",
    Disposition.THIRD_PARTY: "third_party_conversation",
    Disposition.MESSAGE_SENT: "sent",
    # Nobody was reached: recorded as a conversation, it would lift the ban on furnishing before
    # communicating (1006.30(a)) and start a 7-day wait for a call that never connected.
    Disposition.NOT_IN_SERVICE: "not_in_service",
    Disposition.ABANDONED: "abandoned",
}


def ledger_outcome_for(disposition: Disposition) -> str:
    """Every disposition not listed above was a conversation with the right party."""
    return _LEDGER_OUTCOME.get(disposition, "right_party_conversation")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for provider errors; after ``max_attempts`` failures a message is dead."""

    max_attempts: int = 5
    base: timedelta = timedelta(seconds=30)
    ceiling: timedelta = timedelta(hours=1)

    def next_attempt_at(self, *, failures: int, now: datetime) -> datetime | None:
        """When to try again after ``failures`` failed attempts, or None: move to dead letters."""
        if failures >= self.max_attempts:
            return None
        delay: timedelta = min(self.base * (2 ** (failures - 1)), self.ceiling)
        return now + delay
