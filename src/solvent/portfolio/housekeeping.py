"""The portfolio's periodic jobs, run by the task worker (`solvent worker`, core.housekeeping).

A placement import whose process died (killed, out of memory, machine lost) is marked `stale` by
the sweep without anyone running `solvent import status`: at once when its pid is gone on the
worker's own host, else once no batch has committed for SOLVENT_IMPORT_STALE_SECONDS (ADR 0019).
It is not resumed automatically: an operator resumes or re-imports it (docs/operations.md).
"""

from __future__ import annotations

import logging

from solvent.core.housekeeping import Job
from solvent.portfolio.imports.runs import placement_stale_sweep

logger = logging.getLogger("solvent.housekeeping")


def placement_stale_mark() -> int:
    """Mark stopped imports stale (audited by the sweep); returns how many were marked."""
    marked = placement_stale_sweep()
    for placement in marked:
        logger.warning("placement %s is stale: %s", placement.pk, placement.failure)
    return len(marked)


JOBS: tuple[Job, ...] = (placement_stale_mark,)
