"""`solvent letters_export`: put the spooled letters in one ZIP for the print-and-mail vendor."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from solvent.contact.letter_batches import letter_batch_export


class Command(BaseCommand):
    help = "Collect spooled letter PDFs and a manifest into a ZIP for the print vendor."

    def handle(self, *args: Any, **options: Any) -> None:
        batch = letter_batch_export()
        if batch is None:
            self.stdout.write("no letters waiting")
            return
        self.stdout.write(f"{batch.letters} letter(s) in {batch.path} (sha256 {batch.checksum})")
