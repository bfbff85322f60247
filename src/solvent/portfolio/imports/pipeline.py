"""Validating rows on several cores while the caller writes: order kept, memory bounded.

Validation (phones above all) is most of an import's Python time; the writing process mostly
waits for the database. Worker processes are forked, so they inherit the loaded code and
settings (the keyed-hash key) and never open a database connection. At most a few chunks are in
flight, so a large file is never read ahead into memory. A row the caller already knows to be
unchanged comes in as an `Unchanged` marker and goes out as it came, in its place.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult

from solvent.portfolio.imports.fingerprint import row_fingerprint
from solvent.portfolio.imports.layout import Layout
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.rows import row_validate
from solvent.portfolio.imports.source import RawRow, RowError


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A row whose fingerprint is already stored: neither validated nor written."""

    number: int


Validated = PlacementRow | list[RowError] | Unchanged
CHUNK_ROWS = 1_000
_IN_FLIGHT_PER_WORKER = 3

# Set in each worker by the pool's initializer (inherited by fork, never pickled).
_layout: Layout | None = None
_context: ImportContext | None = None
_spec_key = ""


def rows_validated(
    raws: Iterable[RawRow | Unchanged],
    *,
    layout: Layout,
    context: ImportContext,
    workers: int = 1,
    spec_key: str = "",
) -> Iterator[Validated]:
    """Each raw row's validation result, in file order; valid rows carry their fingerprint
    (under `spec_key`) when one is given."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for raw in raws:
            yield _validated(raw, layout, context, spec_key)
        return
    chunks = _chunks(iter(raws))
    fork = multiprocessing.get_context("fork")
    with fork.Pool(
        workers, initializer=_worker_start, initargs=(layout, context, spec_key)
    ) as pool:
        pending: deque[AsyncResult[list[Validated]]] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_validate_chunk, (chunk,)))
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _validated(
    raw: RawRow | Unchanged, layout: Layout, context: ImportContext, spec_key: str
) -> Validated:
    if isinstance(raw, Unchanged):
        return raw
    result = row_validate(raw, layout=layout, context=context)
    if spec_key and isinstance(result, PlacementRow):
        result.fingerprint = row_fingerprint(raw, spec_key=spec_key)
    return result


def _chunks(raws: Iterator[RawRow | Unchanged]) -> Iterator[list[RawRow | Unchanged]]:
    while chunk := list(itertools.islice(raws, CHUNK_ROWS)):
        yield chunk


def _worker_start(layout: Layout, context: ImportContext, spec_key: str) -> None:
    global _layout, _context, _spec_key  # per-process state of a pool worker
    _layout, _context, _spec_key = layout, context, spec_key


def _validate_chunk(chunk: list[RawRow | Unchanged]) -> list[Validated]:
    assert _context is not None and _layout is not None, "the pool initializer sets them"
    return [_validated(raw, _layout, _context, _spec_key) for raw in chunk]
