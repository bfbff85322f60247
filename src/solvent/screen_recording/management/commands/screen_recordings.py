"""`solvent screen_recordings purge [--dry-run]`: delete the screen recordings past their retention.

A screen recording is kept as long as the call audio it sits next to
(``SOLVENT_RECORDING_RETENTION_DAYS``, 730 days unless set; 0 keeps them for ever), fixed on each
recording when it starts. Run it daily beside ``solvent recordings purge``; running it twice deletes
nothing more. ``--dry-run`` only counts. Every batch deleted is in the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from solvent.audit.services import audit_system
from solvent.core import clock
from solvent.screen_recording.services import screen_recordings_purge


def _recordings(count: int) -> str:
    return f"{count} screen recording" + ("" if count == 1 else "s")


class Command(BaseCommand):
    help = "Screen recordings: `purge` deletes those past their retention date (--dry-run counts)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        purge = actions.add_parser("purge", help="delete the recordings past their retention date")
        purge.add_argument("--dry-run", action="store_true", help="count only; delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        if options["dry_run"]:
            count = screen_recordings_purge(now=now, dry_run=True)
            self.stdout.write(f"{_recordings(count)} would be deleted (past retention).")
            return
        with audit_system("solvent screen_recordings purge"):
            count = screen_recordings_purge(now=now)
        self.stdout.write(f"{_recordings(count)} deleted (past retention).")
