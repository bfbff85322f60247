"""`solvent import`: placement files, recall files, profile suggestions and the imports' status.

- `import placements FILE --client CODE [--profile NAME] [--dry-run] [--full-refresh
  [--force-recall]] [--placed-on DATE] [--errors PATH]`; `import placements --resume ID [FILE]`
- `import recall FILE --client CODE [--profile NAME] [--errors PATH]`;
  `import recall --absent-from PLACEMENT_ID [FILE] [--force-recall]`
- `import suggest FILE --client CODE [--save NAME]`
- `import status`

Exit status: 0 when something was imported (or, for a dry run, would be); 1 when the file failed,
nothing was imported (every row rejected), or a full refresh's recall was refused by the brake.
"""

# ruff: noqa: N999 - the command is `solvent import`, so the module must be called import.py

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.portfolio.domain.placement_profile import ProfileError
from solvent.portfolio.imports.preview import placement_preview
from solvent.portfolio.imports.profiles import profile_create, profile_version_current
from solvent.portfolio.imports.recall import (
    accounts_absent_recall,
    placement_recall_import,
    recall_refusal,
)
from solvent.portfolio.imports.runs import placement_import_list, placement_stale_sweep
from solvent.portfolio.imports.services import placement_import, placement_resume
from solvent.portfolio.imports.suggest import profile_suggest_from_file
from solvent.portfolio.management.commands._import_output import (
    dry_run_lines,
    progress_bar,
    refresh_preview_line,
    summary_text,
)
from solvent.portfolio.models import Client, Placement, PlacementProfileVersion

# What a dry run shows: the first rows as they will be stored, and the first errors.
DRY_RUN_ROWS = 10
DRY_RUN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import data files. `import placements FILE --client CODE` loads a placement (CSV or XLSX; "
        "--profile reads it through the client's mapping, --dry-run shows what would be stored, "
        "--full-refresh recalls the client's accounts the file omits); `import placements --resume "
        "ID [FILE]` resumes a stopped one; `import recall FILE --client CODE` recalls the accounts "
        "a recall file lists; `import suggest FILE --client CODE` proposes a profile for a file; "
        "`import status` lists unfinished imports and marks those whose process has stopped stale."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        placements = kinds.add_parser("placements", help="a creditor's placement file, CSV or XLSX")
        placements.add_argument(
            "file",
            type=Path,
            nargs="?",
            help="the file (with --resume: only if the stored one is gone)",
        )
        placements.add_argument("--client", help="the client's code (required for a new import)")
        placements.add_argument(
            "--resume",
            type=int,
            metavar="PLACEMENT_ID",
            default=None,
            help="resume a stale or failed import where its last committed batch ended",
        )
        _profile_argument(placements)
        placements.add_argument(
            "--dry-run",
            action="store_true",
            help="read and check the file, show the first rows as they would be stored and the "
            "errors; write nothing",
        )
        placements.add_argument(
            "--full-refresh",
            action="store_true",
            help="the file is the client's whole inventory: recall their open accounts it omits",
        )
        _force_argument(placements)
        placements.add_argument(
            "--placed-on", type=_date, default=None, help="placement date (default today)"
        )
        _errors_argument(placements)
        placements.add_argument("--batch-size", type=int, default=None, help=argparse.SUPPRESS)
        recall = kinds.add_parser(
            "recall", help="a client's recall file: account numbers to recall"
        )
        recall.add_argument("file", type=Path, nargs="?", help="the recall file, CSV or XLSX")
        recall.add_argument("--client", help="the client's code")
        _profile_argument(recall)
        recall.add_argument(
            "--absent-from",
            type=int,
            metavar="PLACEMENT_ID",
            default=None,
            help="recall the accounts a full-refresh placement's file omits (FILE: the same file, "
            "if the stored one is gone)",
        )
        _force_argument(recall)
        recall.add_argument(
            "--placed-on", type=_date, default=None, help="recall date (default today)"
        )
        _errors_argument(recall)
        suggest = kinds.add_parser("suggest", help="propose a client profile for a sample file")
        suggest.add_argument("file", type=Path, help="a sample file of the client, CSV or XLSX")
        suggest.add_argument("--client", required=True, help="the client's code")
        suggest.add_argument(
            "--save", metavar="NAME", default=None, help="store the suggestion as a new profile"
        )
        kinds.add_parser("status", help="unfinished imports (pending, running, stale) and counts")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options.get("file")
        if path is not None and not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            if options["kind"] == "status":
                self._status()
            elif options["kind"] == "suggest":
                self._suggest(_required(path), _client(options["client"]), save=options["save"])
            elif options["kind"] == "recall":
                self._recall(path, options)
            elif options["dry_run"]:
                self._dry_run(path, options)
            else:
                self._placements(path, options)
        except ProfileError as problem:
            raise CommandError(f"the profile cannot be used: {problem}") from None
        except DomainError as refused:
            raise CommandError(refused.message) from None

    def _placements(self, path: Path | None, options: dict[str, Any]) -> None:
        if options["force_recall"] and not options["full_refresh"]:
            raise CommandError("--force-recall goes with --full-refresh")
        with progress_bar() as advance:
            if options["resume"] is not None:
                _resumable_check(options["resume"])
                placement = placement_resume(
                    placement_id=options["resume"],
                    path=path,
                    errors_path=options["errors"],
                    progress=advance,
                    batch_rows=options["batch_size"],
                )
            else:
                client = _client(options["client"])
                placement = placement_import(
                    client=client,
                    path=_required(path),
                    placed_on=options["placed_on"],
                    errors_path=options["errors"],
                    progress=advance,
                    batch_rows=options["batch_size"],
                    profile_version=_profile(client, options["profile"]),
                    full_refresh=options["full_refresh"],
                )
        refusal = _recall_refusal(placement)
        if refusal and options["force_recall"]:
            accounts_absent_recall(placement=placement, force=True, path=path)
            placement.refresh_from_db()
            refusal = ""
        self.stdout.write(summary_text(placement, options["errors"]))
        if placement.status == Placement.Status.FAILED:
            raise CommandError(placement.failure)
        _nothing_imported_refuse(placement)
        if refusal:
            raise CommandError(refusal)

    def _dry_run(self, path: Path | None, options: dict[str, Any]) -> None:
        if options["resume"] is not None:
            raise CommandError("--dry-run checks a new file: it does not go with --resume")
        client = _client(options["client"])
        version = _profile(client, options["profile"])
        preview = placement_preview(
            client=client,
            path=_required(path),
            profile_version=version,
            rows=DRY_RUN_ROWS,
            error_limit=DRY_RUN_ERRORS,
            placed_on=options["placed_on"],
        )
        if preview.failure:
            raise CommandError(f"dry run, nothing written: {preview.failure}")
        lines = dry_run_lines(preview, client=client, name=_required(path).name)
        if options["full_refresh"]:
            lines.append(refresh_preview_line(client, _required(path), version))
        self.stdout.write("\n".join(lines))
        if preview.rows_valid == 0:
            raise CommandError(
                f"nothing would be imported: all {preview.rows_total:,} rows would be rejected"
                if preview.rows_total
                else "nothing would be imported: the file has no account rows"
            )

    def _recall(self, path: Path | None, options: dict[str, Any]) -> None:
        if options["absent_from"] is not None:
            placement = _placement(options["absent_from"])
            recalled = accounts_absent_recall(
                placement=placement, force=options["force_recall"], path=path
            )
            placement.refresh_from_db()
            refusal = recall_refusal(placement)
            if refusal:
                raise CommandError(refusal)
            self.stdout.write(
                f"placement {placement.pk} for {placement.client.code}: {recalled:,} accounts "
                f"recalled now ({placement.accounts_recalled:,} in all)"
            )
            return
        if options["force_recall"]:
            raise CommandError(
                "--force-recall goes with --absent-from (a recall file has no brake)"
            )
        client = _client(options["client"])
        placement = placement_recall_import(
            client=client,
            path=_required(path),
            placed_on=options["placed_on"],
            errors_path=options["errors"],
            profile_version=_profile(client, options["profile"]),
        )
        self.stdout.write(summary_text(placement, options["errors"]))
        if placement.status == Placement.Status.FAILED:
            raise CommandError(placement.failure)
        _nothing_imported_refuse(placement)

    def _suggest(self, path: Path, client: Client, *, save: str | None) -> None:
        suggestion = profile_suggest_from_file(path, client_country=client.country)
        shown = {
            "spec": suggestion.spec.to_json(),
            "notes": suggestion.notes,
            "unmapped": suggestion.unmapped,
        }
        self.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False))
        if save is not None:
            version = profile_create(
                client=client,
                name=save,
                spec=suggestion.spec,
                created_by=None,
                note=f"suggested from {path.name}"[:200],
            )
            self.stdout.write(
                f"saved as profile {version.profile.name!r} version {version.number} of "
                f"{client.code}: import with --profile {version.profile.name!r}"
            )

    def _status(self) -> None:
        for placement in placement_stale_sweep():
            self.stderr.write(f"placement {placement.pk} is stale: {placement.failure}")
        now = clock.now()
        rows = [
            "   id  client        status     rows done / total  imported  rejected  last batch  "
            "worker"
        ]
        for placement in placement_import_list():
            seen = placement.heartbeat_at
            age = f"{int((now - seen).total_seconds())} s ago" if seen else "-"
            worker = (
                f"{placement.worker_host}:{placement.worker_pid}" if placement.worker_pid else "-"
            )
            rows.append(
                f"{placement.pk:>5}  {placement.client.code:<12}  {placement.status:<9}  "
                f"{placement.rows_done:>9,} / {placement.rows_total:<9,}  "
                f"{placement.rows_imported:>8,}  {placement.rows_rejected:>8,}  {age:>10}  {worker}"
            )
        if len(rows) == 1:
            self.stdout.write("no unfinished imports")
            return
        self.stdout.write("\n".join(rows))


def _profile_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", metavar="NAME", default=None, help="read the file through this client profile"
    )


def _force_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force-recall",
        action="store_true",
        help="recall the absent accounts even past the brake (more than half the client's open "
        "accounts, or unreadable rows)",
    )


def _errors_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--errors", type=Path, default=None, help="write the full error report (CSV) here"
    )


def _client(code: str | None) -> Client:
    if not code:
        raise CommandError("--client is required for a new import")
    client = Client.objects.filter(code=code).first()
    if client is None:
        codes = list(Client.objects.order_by("code").values_list("code", flat=True)[:50])
        known = f"; the clients are: {', '.join(codes)}" if codes else "; there is no client yet"
        raise CommandError(f"no client with code {code!r}{known}")
    return client


def _profile(client: Client, name: str | None) -> PlacementProfileVersion | None:
    if name is None:
        return None
    return profile_version_current(client=client, name=name)


def _placement(placement_id: int) -> Placement:
    placement = Placement.objects.select_related("client").filter(pk=placement_id).first()
    if placement is None:
        raise CommandError(f"placement {placement_id} not found")
    return placement


def _resumable_check(placement_id: int) -> None:
    if _placement(placement_id).kind == Placement.Kind.RECALL:
        raise CommandError(
            f"placement {placement_id} is a recall file: run it again with `solvent import "
            "recall` (recalling an account twice changes nothing)"
        )


def _recall_refusal(placement: Placement) -> str:
    if not placement.full_refresh or placement.status != Placement.Status.DONE:
        return ""
    return recall_refusal(placement)


def _nothing_imported_refuse(placement: Placement) -> None:
    """Exit non-zero when a finished import imported nothing: a "done" would hide it."""
    if placement.rows_imported or placement.rows_unchanged:
        return
    if placement.rows_rejected:
        raise CommandError(
            f"nothing was imported: all {placement.rows_rejected:,} rows were rejected; see the "
            "errors"
        )
    raise CommandError("nothing was imported: the file has no account rows")


def _required(path: Path | None) -> Path:
    if path is None:
        raise CommandError("give the file (or, for a placement, --resume PLACEMENT_ID)")
    return path


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
