"""`solvent audit verify` and `solvent audit export (--account N | --from DATE --to DATE)`.

``verify`` walks the whole keyed chain and compares its end with the sealed head; it prints each
problem (which entry, and why) and exits 1 when the log cannot be trusted, 0 when it is intact.
``export`` writes the auditor's CSV (to standard output or --output) and says on standard error
whether the chain verified, so an export is never handed over without that fact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.audit.export import audit_csv_write
from solvent.audit.keys import AuditKeyMissingError
from solvent.audit.selectors import audit_entry_list
from solvent.audit.services import AuditVerification, audit_chain_check

TAMPERED_EXIT = 1
USAGE_EXIT = 2


class Command(BaseCommand):
    help = "Verify the audit chain, or export audit entries for an auditor as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("verify", help="check the whole chain and its head")
        export = actions.add_parser("export", help="audit entries as CSV")
        export.add_argument("--account", type=int, help="entries about this account id")
        export.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (UTC), included")
        export.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (UTC), included")
        export.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "verify":
                self._verify()
            else:
                self._export(options)
        except AuditKeyMissingError as error:
            raise CommandError(error.message, returncode=USAGE_EXIT) from None

    def _report(self, result: AuditVerification) -> None:
        for note in result.notes:
            self.stderr.write(f"note: {note}")
        if result.key_derived:
            self.stderr.write(
                "note: SOLVENT_AUDIT_KEY is not set; the key is derived from SECRET_KEY "
                "(development only: whoever holds SECRET_KEY could re-seal the chain)"
            )
        for problem in result.problems:
            self.stderr.write(f"TAMPERED {problem}")

    def _verify(self) -> None:
        result = audit_chain_check()
        self._report(result)
        if not result.intact:
            raise CommandError(
                f"audit chain NOT intact: {len(result.problems)} problem(s) in "
                f"{result.entries} entries",
                returncode=TAMPERED_EXIT,
            )
        self.stdout.write(
            f"audit chain intact: {result.entries} entries, last entry {result.last_entry_id}, "
            f"head {result.last_hash}"
        )

    def _export(self, options: dict[str, Any]) -> None:
        account_id = options.get("account")
        start = self._day(options.get("start"), "--from")
        end = self._day(options.get("end"), "--to")
        if account_id is None and start is None and end is None:
            raise CommandError("give --account N, or --from DATE --to DATE", returncode=USAGE_EXIT)
        if start is not None and end is not None and end < start:
            raise CommandError("--to is before --from", returncode=USAGE_EXIT)
        entries = audit_entry_list(
            account_id=account_id,
            start=datetime.combine(start, time.min, tzinfo=UTC) if start else None,
            # --to names a whole day: everything before the next midnight UTC.
            end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None,
        )
        output = options.get("output")
        if output:
            with Path(output).open("w", encoding="utf-8", newline="") as stream:
                count = audit_csv_write(entries, stream)
        else:
            count = audit_csv_write(entries, self.stdout)

        result = audit_chain_check()
        self._report(result)
        state = "intact" if result.intact else f"NOT intact ({len(result.problems)} problem(s))"
        self.stderr.write(f"exported {count} entries; audit chain {state}")

    def _day(self, text: str | None, option: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"{option} {text!r} is not a date (YYYY-MM-DD)", returncode=USAGE_EXIT
            ) from None
