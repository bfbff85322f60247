"""`solvent import placements FILE --client CODE [--placed-on DATE] [--errors PATH]`."""

# ruff: noqa: N999 - the command is `solvent import`, so the module must be called import.py

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.models import Client, Placement


class Command(BaseCommand):
    help = (
        "Import data files. `import placements FILE --client CODE` loads a placement (CSV or XLSX)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True)
        placements = kinds.add_parser("placements", help="a creditor's placement file, CSV or XLSX")
        placements.add_argument("file", type=Path)
        placements.add_argument("--client", required=True, help="the client's code")
        placements.add_argument(
            "--placed-on", type=_date, default=None, help="placement date (default today)"
        )
        placements.add_argument(
            "--errors", type=Path, default=None, help="write the full error report (CSV) here"
        )
        placements.add_argument("--batch-size", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        client = Client.objects.filter(code=options["client"]).first()
        if client is None:
            raise CommandError(f"no client with code {options['client']!r}")
        console = Console(stderr=True)
        columns = (
            TextColumn("[bold]importing[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            bar = progress.add_task("rows", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            placement = placement_import(
                client=client,
                path=path,
                placed_on=options["placed_on"],
                errors_path=options["errors"],
                progress=advance,
                batch_rows=options["batch_size"],
            )
        self.stdout.write(_summary(placement, options["errors"]))
        if placement.status == Placement.Status.FAILED:
            raise CommandError(placement.failure)


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
    if placement.error_report:
        where = f"written to {errors_path}" if errors_path else "see the placement's error report"
        lines.append(f"  errors: {where}")
    return "\n".join(lines)
