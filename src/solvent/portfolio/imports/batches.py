"""Reading a placement's file and committing it batch by batch, with the run's heartbeat.

Each batch (its accounts, debtors, contact points, the placement's counters, its progress and its
heartbeat) is one transaction, and commits only while the run still holds the placement
(`_heartbeat`): a run that was declared stale and taken over stops at its next batch (ADR 0019).
A resumed run validates every changed row again, for the error report, but writes only the rows
after the ones its committed batches hold.

A row whose fingerprint (`fingerprint.row_fingerprint`) is already one of the client's accounts'
`import_hash` is unchanged since it was imported: it is counted (`rows_unchanged`), neither
validated nor written. On PostgreSQL a large file is written by several writer threads, each
with its own connection, and batches commit in file order, so `rows_done` only ever covers
committed batches (ADR 0004, revisions for issue 15).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import Combinable

from solvent.core import clock
from solvent.core.crypto import keyed_hash
from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.fingerprint import row_fingerprint, spec_key
from solvent.portfolio.imports.layout import Layout, RowCounter, data_rows, layout_for
from solvent.portfolio.imports.pipeline import Unchanged, rows_validated
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.report import ErrorReport
from solvent.portfolio.imports.runs import RunTakenOverError
from solvent.portfolio.imports.source import PlacementSource, RawRow, placement_source_open
from solvent.portfolio.imports.store import Batch, batch_store
from solvent.portfolio.models import Account, Placement

BACKGROUND_WRITER_FROM_ROWS = 20_000
# Writer threads on PostgreSQL, each with its own connection (measured: ADR 0004, issue 15).
DEFAULT_WRITERS = 2
PARALLEL_WRITERS_FROM_ROWS = 100_000
# How often a writer waiting for its turn checks that an earlier batch is not waiting for it.
_TURN_POLL_SECONDS = 0.05
# Rows read (kept or not) after which a batch is committed anyway, to move the heartbeat.
_HEARTBEAT_ROWS = 20_000
Progress = Callable[[int, int], None]


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
    *,
    writers: int | None = None,
) -> None:
    """Import the placement's file into the database, from where its run stopped."""
    client = placement.client
    spec = placement_spec(placement)
    source = placement_source_open(Path(placement.source_path), encoding=spec.encoding)
    layout = layout_for(source, spec)
    key = placement_spec_key(placement, spec, layout)
    total, duplicates, unchanged = _first_pass(
        source, layout, spec, key, _stored_fingerprints(client.pk)
    )
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
    done = flushed = same = 0
    batch: list[PlacementRow] = []
    rejected_before = 0
    # Inline by default: worker processes measured slower (ADR 0004); the option stays for trials.
    results = rows_validated(
        _marked(data_rows(source, layout, spec, skipped), unchanged, duplicates, layout),
        layout=layout,
        context=context,
        workers=workers or 1,
        spec_key=key,
    )
    if background_writer is None:
        background_writer = (
            connection.vendor == "postgresql" and total >= BACKGROUND_WRITER_FROM_ROWS
        )
    threads = 0
    if background_writer:
        threads = 1
        if connection.vendor == "postgresql":
            threads = writers or (DEFAULT_WRITERS if total >= PARALLEL_WRITERS_FROM_ROWS else 1)
    pool = _Writers(placement, threads=threads)
    try:
        for result in results:
            done += 1
            if isinstance(result, Unchanged):
                # Those of a resumed run's committed batches were counted by them.
                same += done > skip
            elif isinstance(result, list):
                report.add(result)
            elif done > skip:
                batch.append(result)
            if done <= skip:
                rejected_before, flushed = report.rows_rejected, done
            elif len(batch) >= size or done - flushed >= max(4 * size, _HEARTBEAT_ROWS):
                # A stretch of unchanged or rejected rows still moves the heartbeat and rows_done.
                pool.write(_Job(batch, report.rows_rejected - rejected_before, same, done))
                rejected_before, batch, same, flushed = report.rows_rejected, [], 0, done
                if progress is not None:
                    progress(done, total)
        pool.write(_Job(batch, report.rows_rejected - rejected_before, same, done))
    finally:
        pool.close()
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


def placement_spec_key(placement: Placement, spec: ProfileSpec, layout: Layout) -> str:
    """The key a row's fingerprint is taken under: a new profile version reads every row again."""
    client = placement.client
    return spec_key(
        spec=spec.to_json(),
        profile_version=placement.profile_version_id,
        positions=layout.positions,
        constants=layout.constants,
        client_country=client.country,
        client_currency=client.currency,
    )


def _stored_fingerprints(client_id: int) -> set[bytes]:
    """The fingerprints the client's accounts were last imported from, as 16-byte digests.

    Streamed (a server-side cursor on PostgreSQL): ~90 MB at a million accounts, dropped after
    the first pass. A recalled account is left out: listed again, it goes through the import.
    """
    hashes = (
        Account.objects.filter(client_id=client_id, recalled_at__isnull=True)
        .exclude(import_hash="")
        .values_list("import_hash", flat=True)
    )
    return {bytes.fromhex(value) for value in hashes.iterator(chunk_size=20_000)}


def _first_pass(
    source: PlacementSource, layout: Layout, spec: ProfileSpec, key: str, stored: set[bytes]
) -> tuple[int, dict[str, int], bytearray]:
    """Count the rows, find account numbers used twice (those rows are all rejected), and mark
    the rows whose fingerprint is stored (a bit per data row, in file order)."""
    seen: set[str] = set()
    repeated: dict[str, int] = {}
    unchanged = bytearray()
    total = 0
    account_column = layout.positions["account_number"]
    raw: RawRow
    for raw in data_rows(source, layout, spec):
        if total % 8 == 0:
            unchanged.append(0)
        if (
            stored
            and raw.problem is None
            and bytes.fromhex(row_fingerprint(raw, spec_key=key)) in stored
        ):
            unchanged[total >> 3] |= 1 << (total & 7)
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
    return total, repeated, unchanged


def _marked(
    raws: Iterable[RawRow], unchanged: bytearray, duplicates: dict[str, int], layout: Layout
) -> Iterator[RawRow | Unchanged]:
    """The rows to validate, with the unchanged ones replaced by a marker (order kept).

    A row whose account number is repeated in the file is never unchanged: every copy is
    rejected, as in a first import.
    """
    column = layout.positions["account_number"]
    for index, raw in enumerate(raws):
        if (
            index >> 3 < len(unchanged)
            and unchanged[index >> 3] & (1 << (index & 7))
            and not (
                duplicates and column < len(raw.values) and raw.values[column].strip() in duplicates
            )
        ):
            yield Unchanged(raw.number)
        else:
            yield raw


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


@dataclass(slots=True)
class _Job:
    rows: list[PlacementRow]
    rejected: int
    unchanged: int
    done: int  # rows_done once this batch has committed
    number: int = 0  # its place in the file's order of batches


def _flush(placement: Placement, job: _Job, turn: Callable[[], None] | None = None) -> None:
    """One batch, its counters, its progress and the heartbeat: one transaction.

    `turn` (parallel writers) returns once every earlier batch has committed: the batch's rows
    are written first, in parallel with the others', and its counters and `rows_done` last.
    """
    with transaction.atomic():
        outcome = None
        if job.rows:
            outcome = batch_store(
                Batch(
                    client_id=placement.client_id,
                    placement_id=placement.pk,
                    placed_on=placement.placed_on,
                    now=clock.now(),
                    rows=job.rows,
                )
            )
        if turn is not None:
            if connection.vendor == "postgresql":
                # The deferred foreign-key checks run now, in parallel with other batches.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            turn()
        counters: dict[str, int | Combinable] = {
            "rows_done": job.done,
            "rows_imported": F("rows_imported") + len(job.rows),
            "rows_rejected": F("rows_rejected") + job.rejected,
        }
        if job.unchanged:
            counters["rows_unchanged"] = F("rows_unchanged") + job.unchanged
        if outcome is not None:
            counters["accounts_created"] = F("accounts_created") + outcome.accounts_created
            counters["accounts_updated"] = F("accounts_updated") + outcome.accounts_updated
        _heartbeat(placement, **counters)


class _YieldTurnError(Exception):
    """An earlier batch waits on a lock this batch holds: roll back, let it commit, write again."""


class _StoppedError(Exception):
    """An earlier batch failed: this one must not commit (rows_done would skip the failed one)."""


class _Writers:
    """Commits batches inline, or on `threads` threads each with its own connection, in order.

    Batches are dealt out in file order and at most `threads` are in flight (memory stays
    bounded). Each writes its rows at once, then waits for its turn to commit: its counters and
    `rows_done` are set in the same transaction as its rows, so `rows_done` only ever covers a
    contiguous prefix of committed batches and a resume never skips a row that was not written.
    If an earlier batch is blocked on a lock this batch holds (the same new debtor, the import
    lock), this batch rolls back, waits for the earlier one to commit, and writes again.
    The first failure stops the import: later batches roll back, the error is raised.
    """

    def __init__(self, placement: Placement, *, threads: int) -> None:
        self.placement = placement
        self.threads: list[threading.Thread] = []
        self.jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=max(threads, 1))
        self.state = threading.Condition()
        self.committed = 0  # batches 1..committed have committed
        self.numbered = 0
        self.error: BaseException | None = None
        self.failed_at = 0  # the first batch that failed (0: none); earlier ones still commit
        self.backends: dict[int, int] = {}  # batch number -> its writer's backend pid
        for index in range(threads):
            thread = threading.Thread(
                target=self._work, name=f"placement-writer-{index}", daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def write(self, job: _Job) -> None:
        self.numbered += 1
        job.number = self.numbered
        if not self.threads:
            _flush(self.placement, job)
            return
        self._raise_failure()
        self.jobs.put(job)

    def close(self) -> None:
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()
        self._raise_failure()

    def _raise_failure(self) -> None:
        with self.state:
            if self.error is not None:
                raise self.error

    def _work(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                self._commit(job)
        finally:
            connection.close()  # this thread's own connection

    def _commit(self, job: _Job) -> None:
        with self.state:
            if self.failed_at and self.failed_at < job.number:
                return  # drained: an earlier batch failed
        backend = self._backend()
        try:
            while True:
                with self.state:
                    self.backends[job.number] = backend
                try:
                    _flush(self.placement, job, lambda: self._turn(job.number, backend))
                    break
                except _YieldTurnError:
                    self._turn(job.number, None)
        except _StoppedError:
            return
        except BaseException as error:  # handed to the importing thread
            with self.state:
                if self.error is None or job.number < self.failed_at:
                    self.error, self.failed_at = error, job.number
                self.state.notify_all()
            return
        with self.state:
            self.backends.pop(job.number, None)
            self.committed = job.number
            self.state.notify_all()

    def _turn(self, number: int, backend: int | None) -> None:
        """Return once batch `number - 1` has committed (`backend`: ours, to look for waits)."""
        while True:
            with self.state:
                if self.failed_at and self.failed_at < number:
                    raise _StoppedError
                if self.committed >= number - 1:
                    return
                self.state.wait(_TURN_POLL_SECONDS)
                earlier = [pid for n, pid in self.backends.items() if n < number]
            if backend is not None and earlier and _blocks_any(backend, earlier):
                raise _YieldTurnError

    @staticmethod
    def _backend() -> int:
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            row = cursor.fetchone()
        return int(row[0]) if row else 0


def _blocks_any(backend: int, others: list[int]) -> bool:
    """Whether one of the `others` backends waits on a lock `backend` holds."""
    if not backend:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT FROM unnest(%s::int[]) AS other(pid) "
            "WHERE %s = ANY(pg_blocking_pids(other.pid)))",
            [others, backend],
        )
        row = cursor.fetchone()
    return bool(row and row[0])
