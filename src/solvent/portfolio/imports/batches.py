"""Reading a placement's file and committing it batch by batch, with the run's heartbeat.

Each batch (its accounts, debtors, contact points, the placement's counters, its progress and its
heartbeat) is one transaction, and commits only while the run still holds the placement
(`_heartbeat`): a run that was declared stale and taken over stops at its next batch (ADR 0019).
A resumed run validates every row again, for the error report, but writes only the rows after the
ones its committed batches hold.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import Combinable

from solvent.core import clock
from solvent.core.crypto import keyed_hash
from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.layout import Layout, RowCounter, data_rows, layout_for
from solvent.portfolio.imports.pipeline import rows_validated
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.report import ErrorReport
from solvent.portfolio.imports.runs import RunTakenOverError
from solvent.portfolio.imports.source import PlacementSource, RawRow, placement_source_open
from solvent.portfolio.imports.store import Batch, batch_store
from solvent.portfolio.models import Placement

BACKGROUND_WRITER_FROM_ROWS = 20_000
Progress = Callable[[int, int], None]


def _close_thread_connection() -> None:
    # `connection` is per thread, looked up when called: this closes the calling thread's own.
    connection.close()


def default_batch_rows() -> int:
    # COPY makes big batches cheap on PostgreSQL; SQLite holds its one write lock per batch.
    return 20_000 if connection.vendor == "postgresql" else 2_000


def file_import(
    placement: Placement,
    report: ErrorReport,
    progress: Progress | None,
    size: int,
    workers: int | None,
    background_writer: bool | None,
) -> None:
    """Import the placement's file into the database, from where its run stopped."""
    client = placement.client
    spec = placement_spec(placement)
    source = placement_source_open(Path(placement.source_path), encoding=spec.encoding)
    layout = layout_for(source, spec)
    total, duplicates = _first_pass(source, layout, spec)
    skipped = RowCounter()
    _heartbeat(placement, rows_total=total, warnings="\n".join(layout.warnings))
    context = ImportContext(
        client_id=client.pk,
        client_country=client.country,
        client_currency=client.currency,
        placed_on=placement.placed_on,
        hasher=keyed_hash,
        today=clock.today(),
        duplicates=duplicates,
        spec=spec,
    )
    # Rows the run's committed batches hold (a resume): validated again for the report, not written.
    skip = placement.rows_done
    done = 0
    batch: list[PlacementRow] = []
    rejected_before = 0
    # Inline by default: worker processes measured slower (ADR 0004); the option stays for trials.
    workers = workers or 1
    results = rows_validated(
        data_rows(source, layout, spec, skipped), layout=layout, context=context, workers=workers
    )
    if background_writer is None:
        background_writer = (
            connection.vendor == "postgresql" and total >= BACKGROUND_WRITER_FROM_ROWS
        )
    writer = _BatchWriter(placement, background=background_writer)
    try:
        for result in results:
            done += 1
            if isinstance(result, list):
                report.add(result)
            elif done > skip:
                batch.append(result)
            if done <= skip:
                rejected_before = report.rows_rejected
            elif len(batch) >= size:
                writer.write(batch, report.rows_rejected - rejected_before, done)
                rejected_before, batch = report.rows_rejected, []
                if progress is not None:
                    progress(done, total)
        writer.write(batch, report.rows_rejected - rejected_before, done)
    finally:
        writer.close()
    if skipped.skipped:
        Placement.objects.filter(pk=placement.pk).update(rows_skipped=skipped.skipped)
    if progress is not None:
        progress(done, total)


def placement_spec(placement: Placement) -> ProfileSpec:
    """The spec the placement's file is read with: its profile version's, else our own format."""
    from solvent.portfolio.domain.placement_profile import spec_from_json

    if placement.profile_version_id is None:
        return ProfileSpec.default()
    version = placement.profile_version
    assert version is not None
    return spec_from_json(version.spec)


class _BatchWriter:
    """Commits batches, optionally on a thread of its own with its own connection.

    Writing a batch is mostly waiting for PostgreSQL (index upkeep, foreign-key checks at commit);
    on a thread that wait overlaps the validation of the next batch. One batch at most is in
    flight, so memory stays bounded and a failed batch stops the import at the next one.
    """

    def __init__(self, placement: Placement, *, background: bool) -> None:
        self.placement = placement
        self.executor = ThreadPoolExecutor(1, "placement-writer") if background else None
        self.pending: Future[None] | None = None

    def write(self, rows: list[PlacementRow], rejected: int, done: int) -> None:
        if self.executor is None:
            _flush(self.placement, rows, rejected, done)
            return
        if self.pending is not None:
            self.pending.result()
        self.pending = self.executor.submit(_flush, self.placement, rows, rejected, done)

    def close(self) -> None:
        if self.executor is None:
            return
        try:
            if self.pending is not None:
                self.pending.result()
        finally:
            self.executor.submit(_close_thread_connection).result()
            self.executor.shutdown()


def _first_pass(
    source: PlacementSource, layout: Layout, spec: ProfileSpec
) -> tuple[int, dict[str, int]]:
    """Count the rows and find account numbers used twice: those rows are all rejected."""
    seen: set[str] = set()
    repeated: dict[str, int] = {}
    total = 0
    account_column = layout.positions["account_number"]
    raw: RawRow
    for raw in data_rows(source, layout, spec):
        total += 1
        if account_column >= len(raw.values):
            continue
        number = raw.values[account_column].strip()
        if not number:
            continue
        if number in seen:
            repeated[number] = repeated.get(number, 1) + 1
        else:
            seen.add(number)
    return total, repeated


def _heartbeat(placement: Placement, **progress: int | str | Combinable) -> None:
    """Move the run's heartbeat (and progress); RunTakenOverError if the run is no longer ours.

    Called inside a batch's transaction the UPDATE also locks the placement row until the commit,
    so a claim that takes the placement over waits for the batch, and the batch sees the claim.
    """
    mine = Placement.objects.filter(
        pk=placement.pk, attempt=placement.attempt, status=Placement.Status.RUNNING
    )
    if not mine.update(heartbeat_at=clock.now(), **progress):
        raise RunTakenOverError(
            f"placement {placement.pk}: run {placement.attempt} was taken over; stopping"
        )


def _flush(placement: Placement, rows: list[PlacementRow], rejected: int, done: int) -> None:
    """One batch, its counters, its progress and the heartbeat: one transaction."""
    with transaction.atomic():
        _heartbeat(
            placement,
            rows_done=done,
            rows_imported=F("rows_imported") + len(rows),
            rows_rejected=F("rows_rejected") + rejected,
        )
        outcome = None
        if rows:
            outcome = batch_store(
                Batch(
                    client_id=placement.client_id,
                    placement_id=placement.pk,
                    placed_on=placement.placed_on,
                    now=clock.now(),
                    rows=rows,
                )
            )
        if outcome is not None:
            Placement.objects.filter(pk=placement.pk).update(
                accounts_created=F("accounts_created") + outcome.accounts_created,
                accounts_updated=F("accounts_updated") + outcome.accounts_updated,
            )
