"""A real SMTP server on loopback (aiosmtpd) that keeps every Message-ID and idempotency key."""

from __future__ import annotations

import threading
import time
from collections import Counter
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller

from tests.servers import free_port


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("refuse"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.sink.fail_next > 0:
            with self.sink.lock:
                self.sink.fail_next -= 1
            return "451 4.3.0 try again later"
        parsed = message_from_bytes(envelope.content)
        with self.sink.lock:
            self.sink.messages.append(
                {
                    "message_id": parsed.get("Message-ID", ""),
                    "key": parsed.get("X-Solvent-Idempotency-Key", ""),
                    "to": list(envelope.rcpt_tos),
                    "subject": parsed.get("Subject", ""),
                    "list_unsubscribe": parsed.get("List-Unsubscribe", ""),
                    "body": parsed.get_payload(decode=True) or b"",
                    "at": time.monotonic(),
                }
            )
            self.sink.connections.add(id(session))
        return "250 Message accepted"


class SmtpSink:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[dict[str, Any]] = []
        self.connections: set[int] = set()
        self.lock = threading.Lock()
        self.fail_next = 0
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def keys(self) -> Counter[str]:
        with self.lock:
            return Counter(m["key"] for m in self.messages)
