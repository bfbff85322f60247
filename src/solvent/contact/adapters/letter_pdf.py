"""Letters: each one is rendered to a PDF in a spool folder, which the print batch collects.

The file name is the idempotency key, so a letter "sent" twice by a crashed worker is one file and
one printed letter.
"""

from __future__ import annotations

from pathlib import Path

from solvent.contact.letters import letter_pdf_bytes
from solvent.contact.ports import OutgoingMessage, ProviderError, SendReceipt


class PdfLetterSender:
    channel = "letter"

    def __init__(self, *, spool_dir: Path) -> None:
        self.spool_dir = Path(spool_dir)

    def open(self) -> None:
        self.spool_dir.mkdir(parents=True, exist_ok=True)

    def send(self, message: OutgoingMessage) -> SendReceipt:
        self.open()
        target = self.spool_dir / f"{message.idempotency_key}.pdf"
        partial = target.with_suffix(".part")
        try:
            partial.write_bytes(letter_pdf_bytes(message))
            # The rename is atomic: the batch never picks up half a letter.
            partial.replace(target)
        except OSError as exc:
            raise ProviderError(f"cannot write the letter: {exc}") from exc
        return SendReceipt(provider_message_id=f"letter-{message.idempotency_key}")

    def close(self) -> None:
        return None
