"""A fake provider for any channel: keeps what it sent, fails on demand. Tests and the demo use it."""

from __future__ import annotations

from dataclasses import dataclass, field

from solvent.contact.ports import (
    OutgoingMessage,
    PermanentProviderError,
    ProviderError,
    SendReceipt,
)


@dataclass
class FakeChannelSender:
    channel: str
    sent: list[OutgoingMessage] = field(default_factory=list)
    # Queue of exceptions to raise on the next sends, one per send.
    failures: list[ProviderError] = field(default_factory=list)
    opened: int = 0
    closed: int = 0

    def open(self) -> None:
        self.opened += 1

    def send(self, message: OutgoingMessage) -> SendReceipt:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return SendReceipt(provider_message_id=f"fake-{self.channel}-{len(self.sent)}")

    def close(self) -> None:
        self.closed += 1


__all__ = ["FakeChannelSender", "PermanentProviderError", "ProviderError"]
