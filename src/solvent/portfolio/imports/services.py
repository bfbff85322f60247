"""Placement import services: create a placement from a file and run it, batch by batch.

Unlike most services this one is not a single transaction: a million rows in one transaction would
hold locks for minutes and lose everything on a crash. Each batch (its accounts, debtors, contact
points and the placement's counters) commits on its own; a re-run upserts the same rows again, so
an import killed half-way and started again ends in exactly the state of one clean run
(docs/adr/0004-placement-import.md).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.crypto import keyed_hash
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.imports.pipeline import rows_validated
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.report import ErrorReport
from solvent.portfolio.imports.rows import header_check
from solvent.portfolio.imports.source import (
    PlacementFileError,
    PlacementSource,
    placement_source_open,
)
from solvent.portfolio.imports.store import Batch, batch_store
from solvent.portfolio.models import Client, Placement

# What the placement row keeps of the error report; the CLI's --errors file has every line.
ERROR_REPORT_MAX_LINES = 100_000
BACKGROUND_WRITER_FROM_ROWS = 20_000
Progress = Callable[[int, int], None]


def placement_import(
    *,
    client: Client,
    path: Path | str,
    placed_on: date | None = None,
    created_by: User | None = None,
    errors_path: Path | None = None,
    progress: Progress | None = None,
    batch_rows: int | None = None,
    workers: int | None = None,
    background_writer: bool | None = None,
) -> Placement:
    """Import a placement file now, in this process; returns the finished (or failed) placement."""
    path = Path(path)
    placement = Placement.objects.create(
        client=client,
        placed_on=placed_on or clock.today(),
        source_name=path.name,
        source_path=str(path),
        checksum=_checksum(path),
        status=Placement.Status.PENDING,
        created_by=created_by,
    )
    return placement_run(
        placement=placement,
        errors_path=errors_path,
        progress=progress,
        batch_rows=batch_rows,
        workers=workers,
        background_writer=background_writer,
    )


def placement_upload(
    *,
    client: Client,
    name: str,
    content: Iterable[bytes],
    placed_on: date | None,
    created_by: User | None,
) -> Placement:
    """Keep an uploaded file and queue its import; the task runs once the upload has committed."""
    from solvent.portfolio.tasks import placement_import_task

    folder = _upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in {".csv", ".xlsx"} else ""
    target = folder / f"{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as handle:
        for chunk in content:
            handle.write(chunk)
    with transaction.atomic():
        placement = Placement.objects.create(
            client=client,
            placed_on=placed_on or clock.today(),
            source_name=Path(name).name[:255],
            source_path=str(target),
            checksum=_checksum(target),
            status=Placement.Status.PENDING,
            created_by=created_by,
        )
        audit_record(
            action="placement.uploaded",
            object_type="placement",
            object_id=placement.pk,
            data={"client": client.code, "source_name": placement.source_name},
            actor_id=created_by.pk if created_by else None,
        )
        transaction.on_commit(lambda: placement_import_task.enqueue(placement.pk))
    return placement


def placement_run(
    *,
    placement: Placement,
    errors_path: Path | None = None,
    progress: Progress | None = None,
    batch_rows: int | None = None,
    workers: int | None = None,
    background_writer: bool | None = None,
) -> Placement:
    """Run (or run again) the import of a placement whose file is at `placement.source_path`."""
    Placement.objects.filter(pk=placement.pk).update(
        status=Placement.Status.RUNNING,
        rows_total=0,
        rows_imported=0,
        rows_rejected=0,
        accounts_created=0,
        accounts_updated=0,
        failure="",
    )
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as stream:
        report = ErrorReport(stream)
        failure = ""
        try:
            _import(
                placement,
                report,
                progress,
                batch_rows or _default_batch_rows(),
                workers,
                background_writer,
            )
        except PlacementFileError as problem:
            report.add(problem.errors)
            failure = problem.message
        except Exception as problem:
            # The file stays: the import stopped for a reason of ours and can be run again.
            _finish(placement, report, errors_path, failure=f"import stopped: {problem}")
            raise
        finished = _finish(placement, report, errors_path, failure=failure)
        _upload_discard(finished)
        return finished


def _upload_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "placements"


def _upload_discard(placement: Placement) -> None:
    """Delete an uploaded file once its import has finished: its rows are in the database now.

    The file holds every debtor's date of birth and national id in plain text; kept, it would be
    the one unencrypted copy of them (docs/adr/0018). Only our own copies of uploads are deleted,
    never a file that `solvent import` was pointed at. The checksum stays on the placement.
    """
    path = Path(placement.source_path)
    if path.parent.resolve() == _upload_folder().resolve():
        path.unlink(missing_ok=True)


def _close_thread_connection() -> None:
    # `connection` is per thread, looked up when called: this closes the calling thread's own.
    connection.close()


def _default_batch_rows() -> int:
    # COPY makes big batches cheap on PostgreSQL; SQLite holds its one write lock per batch.
    return 20_000 if connection.vendor == "postgresql" else 2_000


def _import(
    placement: Placement,
    report: ErrorReport,
    progress: Progress | None,
    size: int,
    workers: int | None,
    background_writer: bool | None,
) -> None:
    client = placement.client
    source = placement_source_open(Path(placement.source_path))
    positions = header_check(source.header)
    total, duplicates = _first_pass(source, positions["account_number"])
    Placement.objects.filter(pk=placement.pk).update(rows_total=total)
    context = ImportContext(
        client_id=client.pk,
        client_country=client.country,
        client_currency=client.currency,
        placed_on=placement.placed_on,
        hasher=keyed_hash,
        today=clock.today(),
        duplicates=duplicates,
    )
    done = 0
    batch: list[PlacementRow] = []
    rejected_before = 0
    # Inline by default: worker processes measured slower (ADR 0004); the option stays for trials.
    workers = workers or 1
    results = rows_validated(
        _data_rows(source), positions=positions, context=context, workers=workers
    )
    if background_writer is None:
        background_writer = (
            connection.vendor == "postgresql" and total >= BACKGROUND_WRITER_FROM_ROWS
        )
    writer = _BatchWriter(placement, background=background_writer)
    try:
        for result in results:
            if isinstance(result, list):
                report.add(result)
            else:
                batch.append(result)
            done += 1
            if len(batch) >= size:
                writer.write(batch, report.rows_rejected - rejected_before)
                rejected_before, batch = report.rows_rejected, []
                if progress is not None:
                    progress(done, total)
        writer.write(batch, report.rows_rejected - rejected_before)
    finally:
        writer.close()
    if progress is not None:
        progress(done, total)


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

    def write(self, rows: list[PlacementRow], rejected: int) -> None:
        if self.executor is None:
            _flush(self.placement, rows, rejected)
            return
        if self.pending is not None:
            self.pending.result()
        self.pending = self.executor.submit(_flush, self.placement, rows, rejected)

    def close(self) -> None:
        if self.executor is None:
            return
        try:
            if self.pending is not None:
                self.pending.result()
        finally:
            self.executor.submit(_close_thread_connection).result()
            self.executor.shutdown()


def _data_rows(source: PlacementSource) -> Iterator:  # type: ignore[type-arg]
    """Every row after the header, without the blank ones (a spreadsheet's trailing rows)."""
    for raw in source.rows():
        if raw.number == 1:
            continue
        if raw.problem is None and not any(value.strip() for value in raw.values):
            continue
        yield raw


def _first_pass(source: PlacementSource, account_column: int) -> tuple[int, dict[str, int]]:
    """Count the rows and find account numbers used twice: those rows are all rejected."""
    seen: set[str] = set()
    repeated: dict[str, int] = {}
    total = 0
    for raw in _data_rows(source):
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


def _flush(placement: Placement, rows: list[PlacementRow], rejected: int) -> None:
    with transaction.atomic():
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
        Placement.objects.filter(pk=placement.pk).update(
            rows_imported=F("rows_imported") + len(rows),
            rows_rejected=F("rows_rejected") + rejected,
            accounts_created=F("accounts_created") + (outcome.accounts_created if outcome else 0),
            accounts_updated=F("accounts_updated") + (outcome.accounts_updated if outcome else 0),
        )


def _finish(
    placement: Placement, report: ErrorReport, errors_path: Path | None, *, failure: str
) -> Placement:
    report.stream.flush()
    report.stream.seek(0)
    if errors_path is not None:
        with errors_path.open("w", encoding="utf-8", newline="") as target:
            shutil.copyfileobj(report.stream, target)
        report.stream.seek(0)
    kept = []
    for number, line in enumerate(report.stream):
        if number > ERROR_REPORT_MAX_LINES:
            kept.append(
                f'0,,,"{report.errors - ERROR_REPORT_MAX_LINES} more errors are not shown"\n'
            )
            break
        kept.append(line)
    with transaction.atomic():
        placement.refresh_from_db()
        placement.status = Placement.Status.FAILED if failure else Placement.Status.DONE
        placement.failure = failure
        placement.error_report = "".join(kept) if report.errors else ""
        placement.finished_at = clock.now()
        placement.save()
        audit_record(
            action="placement.failed" if failure else "placement.imported",
            object_type="placement",
            object_id=placement.pk,
            data={
                "client": placement.client.code,
                "source_name": placement.source_name,
                "checksum": placement.checksum,
                "rows_total": placement.rows_total,
                "rows_imported": placement.rows_imported,
                "rows_rejected": placement.rows_rejected,
                "accounts_created": placement.accounts_created,
                "accounts_updated": placement.accounts_updated,
                "failure": failure,
            },
            actor_id=placement.created_by_id,
        )
    return placement


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def placement_for_run(*, placement_id: int) -> Placement:
    placement = Placement.objects.select_related("client").filter(pk=placement_id).first()
    if placement is None:
        raise NotFoundError(f"placement {placement_id} not found")
    return placement
