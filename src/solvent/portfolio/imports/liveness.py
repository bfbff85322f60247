"""Is the process importing a placement still alive? Heartbeats, the worker's identity, staleness.

A running import moves `Placement.heartbeat_at` with every committed batch and records the host and
pid of its process when it starts. A run is stale when it is `running` and its heartbeat is older
than SOLVENT_IMPORT_STALE_SECONDS, or, seen from the same host, its process is gone (ADR 0019).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from solvent.portfolio.models import Placement

DEFAULT_STALE_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Worker:
    host: str
    pid: int


def this_worker() -> Worker:
    return Worker(host=socket.gethostname()[:255], pid=os.getpid())


def stale_after() -> timedelta:
    """How long a run may go without a committed batch before it counts as stopped."""
    # settings.py may name it; until then the environment (or the default) decides.
    seconds = getattr(settings, "SOLVENT_IMPORT_STALE_SECONDS", None) or os.environ.get(
        "SOLVENT_IMPORT_STALE_SECONDS", str(DEFAULT_STALE_SECONDS)
    )
    return timedelta(seconds=int(seconds))


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine (signal 0 checks, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, and belongs to another user
    return True


def stale_reason(placement: Placement, *, now: datetime, worker: Worker | None = None) -> str:
    """Why a running placement's import counts as stopped, or "" while it may still be working."""
    if placement.status != Placement.Status.RUNNING:
        return ""
    here = worker or this_worker()
    if (
        placement.worker_host == here.host
        and placement.worker_pid is not None
        and not process_alive(placement.worker_pid)
    ):
        return f"its process {placement.worker_pid} on {placement.worker_host} is gone"
    # Runs started before heartbeats existed have none: their start is the last sign of life.
    last_seen = placement.heartbeat_at or placement.created_at
    silent = now - last_seen
    if silent > stale_after():
        return f"no committed batch for {int(silent.total_seconds())} s"
    return ""


def stopped_description(placement: Placement, reason: str) -> str:
    """The failure text of a stale run: where it stopped and why we think so."""
    return (
        f"stale: the importing process stopped after {placement.rows_done:,} of "
        f"{placement.rows_total:,} rows ({reason}); resume it with "
        f"`solvent import placements --resume {placement.pk}`"
    )
