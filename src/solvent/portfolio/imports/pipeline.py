"""Validating rows on several cores while the caller writes: order kept, memory bounded.

Validation (phones above all) is most of an import's Python time; the writing process mostly
waits for the database. Worker processes are forked, so they inherit the loaded code and
settings (the keyed-hash key) and never open a database connection. At most a few chunks are in
flight, so a large file is never read ahead into memory.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.pool import AsyncResult

from solvent.portfolio.imports.layout import Layout
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.rows import row_validate
from solvent.portfolio.imports.source import RawRow, RowError

Validated = PlacementRow | list[RowError]
CHUNK_ROWS = 1_000
_IN_FLIGHT_PER_WORKER = 3

# Set in each worker by the pool's initializer (inherited by fork, never pickled).
_layout: Layout | None = None
_context: ImportContext | None = None


def rows_validated(
    raws: Iterable[RawRow],
    *,
    layout: Layout,
    context: ImportContext,
    workers: int = 1,
) -> Iterator[Validated]:
    """Each raw row's validation result, in file order."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for raw in raws:
            yield row_validate(raw, layout=layout, context=context)
        return
    chunks = _chunks(iter(raws))
    fork = multiprocessing.get_context("fork")
    with fork.Pool(workers, initializer=_worker_start, initargs=(layout, context)) as pool:
        pending: deque[AsyncResult[list[Validated]]] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_validate_chunk, (chunk,)))
            if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _chunks(raws: Iterator[RawRow]) -> Iterator[list[RawRow]]:
    while chunk := list(itertools.islice(raws, CHUNK_ROWS)):
        yield chunk


def _worker_start(layout: Layout, context: ImportContext) -> None:
    global _layout, _context  # per-process state of a pool worker
    _layout, _context = layout, context


def _validate_chunk(chunk: list[RawRow]) -> list[Validated]:
    assert _context is not None and _layout is not None, "the pool initializer sets them"
    return [row_validate(raw, layout=_layout, context=_context) for raw in chunk]
