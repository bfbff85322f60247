"""What `solvent import` prints: the summary of an import or a recall, the dry run, the progress
bar (the command's own module, management/commands/import.py, parses and dispatches)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from solvent.portfolio.domain.placement_profile import ProfileSpec, spec_from_json
from solvent.portfolio.imports.preview import PlacementPreview
from solvent.portfolio.imports.recall import accounts_absent_preview, recall_max_share
from solvent.portfolio.models import Client, Placement, PlacementProfileVersion

# How many lines of the error report the summary shows (after its header) without --errors.
SUMMARY_ERROR_LINES = 5


def dry_run_lines(preview: PlacementPreview, *, client: Client, name: str) -> list[str]:
    """The dry run: counts, warnings, the first rows as they will be stored, the first errors."""
    lines = [
        f"dry run for {client.code}, nothing written: {name}",
        f"  encoding {preview.encoding}, header on row {preview.header_row}",
        f"  rows read         {preview.rows_total:>10,}",
        f"  rows valid        {preview.rows_valid:>10,}",
        f"  rows rejected     {preview.rows_rejected:>10,}",
        f"  rows skipped      {preview.rows_skipped:>10,}  (totals, titles: not errors)",
    ]
    lines.extend(f"  warning: {warning}" for warning in preview.warnings)
    if preview.records:
        lines.append(f"  the first {len(preview.records)} rows as they will be stored:")
        for record in preview.records:
            shown = ", ".join(f"{key}={value}" for key, value in record.items() if value)
            lines.append(f"    {shown}")
    if preview.errors:
        lines.append(f"  the first {len(preview.errors)} errors (row, column, value, reason):")
        lines.extend(
            f"    {error.row},{error.column},{error.value},{error.reason}"
            for error in preview.errors
        )
    return lines


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int], None]]:
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


def refresh_preview_line(
    client: Client, path: Path, version: PlacementProfileVersion | None
) -> str:
    """What a full refresh with this file would recall (the dry run), or why it would not."""
    spec = spec_from_json(version.spec) if version is not None else ProfileSpec.default()
    absent = accounts_absent_preview(client_id=client.pk, path=path, spec=spec)
    refusal = absent.refusal(recall_max_share())
    if refusal:
        return f"  full refresh: the recall would be refused: {refusal} (--force-recall forces it)"
    return (
        f"  full refresh: would recall {len(absent.absent):,} of the client's "
        f"{absent.open_accounts:,} open accounts (those the file does not list)"
    )


def summary_text(placement: Placement, errors_path: Path | None) -> str:
    """The counts of a finished import or recall, its warnings, and where its errors are."""
    recall = placement.kind == Placement.Kind.RECALL
    lines = [
        f"{'recall' if recall else 'placement'} {placement.pk} for {placement.client.code}: "
        f"{placement.status}",
        f"  rows read         {placement.rows_total:>10,}",
        f"  {'accounts found  ' if recall else 'rows imported   '}  {placement.rows_imported:>10,}",
        f"  rows rejected     {placement.rows_rejected:>10,}",
    ]
    if placement.rows_skipped:
        lines.append(f"  rows skipped      {placement.rows_skipped:>10,}  (totals, titles)")
    if placement.rows_unchanged:
        lines.append(f"  rows unchanged    {placement.rows_unchanged:>10,}  (not written again)")
    if not recall:
        lines.append(f"  accounts created  {placement.accounts_created:>10,}")
        lines.append(f"  accounts updated  {placement.accounts_updated:>10,}")
    if recall or placement.full_refresh:
        lines.append(f"  accounts recalled {placement.accounts_recalled:>10,}")
    if placement.attempt > 1:
        lines.append(
            f"  runs              {placement.attempt:>10,}  (resumed where the last stopped)"
        )
    lines.extend(f"  warning: {line}" for line in placement.warnings.splitlines() if line)
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
