"""`solvent import placements FILE --client CODE [--placed-on DATE] [--errors PATH]`,
`solvent import placements --resume ID [FILE]` and `solvent import status`."""

# ruff: noqa: N999 - the command is `solvent import`, so the module must be called import.py

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.portfolio.imports.runs import placement_import_list, placement_stale_sweep
from solvent.portfolio.imports.services import placement_import, placement_resume
from solvent.portfolio.models import Client, Placement


class Command(BaseCommand):
    help = (
        "Import data files. `import placements FILE --client CODE` loads a placement (CSV or XLSX); "
        "`import placements --resume ID [FILE]` resumes a stopped one; `import status` lists "
        "unfinished imports and marks those whose process has stopped stale."
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
        placements.add_argument(
            "--placed-on", type=_date, default=None, help="placement date (default today)"
        )
        placements.add_argument(
            "--errors", type=Path, default=None, help="write the full error report (CSV) here"
        )
        placements.add_argument("--batch-size", type=int, default=None, help=argparse.SUPPRESS)
        kinds.add_parser("status", help="unfinished imports (pending, running, stale) and counts")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "status":
            self._status()
            return
        path: Path | None = options["file"]
        if path is not None and not path.is_file():
            raise CommandError(f"no such file: {path}")
        with _progress_bar() as advance:
            try:
                if options["resume"] is not None:
                    placement = placement_resume(
                        placement_id=options["resume"],
                        path=path,
                        errors_path=options["errors"],
                        progress=advance,
                        batch_rows=options["batch_size"],
                    )
                else:
                    placement = placement_import(
                        client=_client(options["client"]),
                        path=_required(path),
                        placed_on=options["placed_on"],
                        errors_path=options["errors"],
                        progress=advance,
                        batch_rows=options["batch_size"],
                    )
            except DomainError as refused:
                raise CommandError(refused.message) from None
        self.stdout.write(_summary(placement, options["errors"]))
        if placement.status == Placement.Status.FAILED:
            raise CommandError(placement.failure)

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


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr; yields the callback the import calls after each batch."""
    columns = (
        TextColumn("[bold]importing[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        bar = progress.add_task("rows", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        yield advance


def _client(code: str | None) -> Client:
    if not code:
        raise CommandError("--client is required for a new import")
    client = Client.objects.filter(code=code).first()
    if client is None:
        codes = list(Client.objects.order_by("code").values_list("code", flat=True)[:50])
        known = f"; the clients are: {', '.join(codes)}" if codes else "; there is no client yet"
        raise CommandError(f"no client with code {code!r}{known}")
    return client


def _required(path: Path | None) -> Path:
    if path is None:
        raise CommandError("give the placement file (or --resume PLACEMENT_ID)")
    return path


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _summary(placement: Placement, errors_path: Path | None) -> str:
    lines = [
        f"placement {placement.pk} for {placement.client.code}: {placement.status}",
        f"  rows read         {placement.rows_total:>10,}",
        f"  rows imported     {placement.rows_imported:>10,}",
        f"  rows rejected     {placement.rows_rejected:>10,}",
        f"  accounts created  {placement.accounts_created:>10,}",
        f"  accounts updated  {placement.accounts_updated:>10,}",
    ]
    if placement.attempt > 1:
        lines.append(
            f"  runs              {placement.attempt:>10,}  (resumed where the last stopped)"
        )
    if placement.error_report:
        report = placement.error_report.splitlines()
        if errors_path:
            lines.append(f"  errors: written to {errors_path}")
        else:
            lines.append(
                f"  errors: the whole report (CSV) is at GET /api/placements/{placement.pk}/errors,"
                " or re-run with --errors FILE to write it here; the first lines:"
            )
            lines.extend(f"    {line}" for line in report[: SUMMARY_ERROR_LINES + 1])
    return "\n".join(lines)


# How many lines of the error report the summary shows (after its header) when --errors is not given.
SUMMARY_ERROR_LINES = 5
