"""`solvent audit verify`, `solvent audit export (--account N | --from DATE --to DATE)` and
`solvent audit rotate-key [--by USERNAME]`.

``verify`` walks the whole keyed chain and compares its end with the sealed head; it prints each
problem (which entry, and why) and exits 1 when the log cannot be trusted, 0 when it is intact.
``export`` writes the auditor's CSV (to standard output or --output) and says on standard error
whether the chain verified, so an export is never handed over without that fact.
``rotate-key`` moves the chain from SOLVENT_AUDIT_KEY to SOLVENT_AUDIT_KEY_NEXT (ADR 0015) and says
which variables to set next; it exits 1 when the chain does not verify, 2 when a key is missing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.audit.export import audit_csv_write
from solvent.audit.keys import NEXT_KEY_VARIABLE, RETIRED_KEYS_VARIABLE, AuditKeyMissingError
from solvent.audit.selectors import audit_entry_list
from solvent.audit.services import (
    AuditRotationError,
    AuditVerification,
    audit_chain_check,
    audit_key_rotate,
)

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
        rotate = actions.add_parser(
            "rotate-key", help=f"move the chain to the key in {NEXT_KEY_VARIABLE}"
        )
        rotate.add_argument("--by", help="the username of the person rotating (the entry's actor)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "verify":
                self._verify()
            elif options["action"] == "rotate-key":
                self._rotate(options.get("by"))
            else:
                self._export(options)
        except AuditKeyMissingError as error:
            raise CommandError(error.message, returncode=USAGE_EXIT) from None
        except AuditRotationError as error:
            raise CommandError(error.message, returncode=TAMPERED_EXIT) from None

    def _rotate(self, username: str | None) -> None:
        from django.contrib.auth.models import User

        actor_id = None
        if username:
            actor_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
            if actor_id is None:
                raise CommandError(f"no user {username!r}", returncode=USAGE_EXIT)
        entry = audit_key_rotate(actor_id=actor_id)
        old, new = entry.data["from_key_id"], entry.data["to_key_id"]
        self.stdout.write(
            f"audit key rotated: entry {entry.pk}, sealed with key {old}, moves the chain to key "
            f"{new} ({entry.data['entries_verified']} entries verified before).\n"
            f"Every process holding {NEXT_KEY_VARIABLE} now appends with key {new}. Next, in every "
            f"process: SOLVENT_AUDIT_KEY=<the new key>, {RETIRED_KEYS_VARIABLE}=<the old key>"
            f"[,<older ones>], {NEXT_KEY_VARIABLE} unset; restart. Keep the old key: "
            "verification needs it for the entries before the rotation."
        )

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
        keys = ", ".join(f"key {key_id}: {count}" for key_id, count in result.keys.items())
        self.stdout.write(
            f"audit chain intact: {result.entries} entries, last entry {result.last_entry_id}, "
            f"head {result.last_hash}"
            + (f" ({keys}; {len(result.rotations)} rotation(s))" if keys else "")
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
