"""SMS for the demo and development: each text is written as a JSON line to a file or to stderr."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from solvent.contact.ports import OutgoingMessage, SendReceipt


class ConsoleSmsSender:
    channel = "sms"

    def __init__(self, *, path: str | Path = "") -> None:
        self.path = Path(path) if path else None

    def open(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, message: OutgoingMessage) -> SendReceipt:
        line = json.dumps(
            {"to": message.to, "body": message.body, "idempotency_key": message.idempotency_key}
        )
        if self.path is None:
            sys.stderr.write(line + "\n")
        else:
            with self.path.open("a", encoding="utf-8") as spool:
                spool.write(line + "\n")
        return SendReceipt(provider_message_id=f"console-{message.idempotency_key}")

    def close(self) -> None:
        return None
