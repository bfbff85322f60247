"""The one port every channel provider sits behind: open a session, send messages, close it.

Adapters live in ``contact/adapters/`` and only the outbox sender (``contact/sender.py``) imports
them, after the compliance gate said yes. ``open``/``close`` exist so a worker reuses one SMTP
connection or HTTP session for a whole batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from solvent.contact.domain.model import DeliveryStatus


@dataclass(frozen=True)
class OutgoingMessage:
    idempotency_key: str
    message_id: str
    channel: str
    to: str
    subject: str
    body: str
    language: str = "en"
    # Channel extras: the unsubscribe link of an e-mail, the postal address of a letter, ...
    extras: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendReceipt:
    provider_message_id: str
    status: DeliveryStatus = DeliveryStatus.SENT


class ProviderError(Exception):
    """The provider did not take the message; worth trying again later."""


class PermanentProviderError(ProviderError):
    """The provider refused the message for good (no such mailbox, invalid number)."""


class ChannelSender(Protocol):
    channel: str

    def open(self) -> None: ...

    def send(self, message: OutgoingMessage) -> SendReceipt: ...

    def close(self) -> None: ...
