"""`solvent rules list [--output FILE]` and `solvent rules check SCENARIO.json|-`.

``list`` prints the Markdown rules document generated from the rule packs, or refreshes the
generated part of a file (docs/compliance.md) between its markers, keeping the rest. ``check``
decides a JSON scenario (or a JSON list of them) and prints the Decision JSON, the same document
``POST /api/compliance/check`` returns; a malformed scenario prints every bad field (its JSON path
and the reason) and exits 2. Both read the format declared by the Pydantic models of
compliance/domain/scenario.py (ADR 0012).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.compliance.domain.scenario_reader import ScenarioError
from solvent.compliance.rules_cli import rules_check, rules_document_write, rules_list_markdown
from solvent.core import clock

INVALID_SCENARIO_EXIT = 2


class Command(BaseCommand):
    help = "List the compliance rules, or check a contact scenario against them."
    # call_command(..., stdin=StringIO(...)) feeds `check -` in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="the rules document, in Markdown")
        listing.add_argument("--output", help="write to this file instead of standard output")
        check = actions.add_parser("check", help="decide a JSON scenario; prints the Decision JSON")
        check.add_argument("scenario", help="a JSON file, or - for standard input")
        check.add_argument(
            "--now",
            help="ISO-8601 moment with offset used when the scenario has no proposed.at "
            "(default: the current time)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list(options.get("output"))
        else:
            stdin = options.get("stdin") or sys.stdin
            self._check(self._read(options["scenario"], stdin), options.get("now"))

    def _list(self, output: str | None) -> None:
        if not output:
            document = rules_list_markdown()
            self.stdout.write(document, ending="" if document.endswith("\n") else "\n")
            return
        # Only the generated rules part is replaced: docs/compliance.md's hand-written guide stays.
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        rules_document_write(path)
        self.stderr.write(f"wrote {path}")

    def _check(self, text: str, now_text: str | None) -> None:
        now = self._moment(now_text) if now_text else clock.now()
        try:
            result = rules_check(text, now=now)
        except ScenarioError as error:
            for field_error in error.errors:
                self.stderr.write(str(field_error))
            raise CommandError(
                f"invalid scenario: {len(error.errors)} problem(s)",
                returncode=INVALID_SCENARIO_EXIT,
            ) from None
        self.stdout.write(result)

    def _read(self, source: str, stdin: TextIO) -> str:
        if source == "-":
            return stdin.read()
        try:
            return Path(source).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {source}: {error.strerror}") from None

    def _moment(self, text: str) -> datetime:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"--now {text!r} is not an ISO-8601 moment", returncode=INVALID_SCENARIO_EXIT
            ) from None
        if moment.tzinfo is None:
            raise CommandError(
                "--now needs a UTC offset, e.g. 2026-06-09T16:00:00+00:00",
                returncode=INVALID_SCENARIO_EXIT,
            )
        return moment
