"""Who runs a placement's import: claiming a run, refusing a second one, stale runs, superseding.

One run of a file at a time: starting (or resuming) a placement's import claims it under a lock on
its client, refuses while another placement of the same file (client + checksum) is running and
alive, and takes over every interrupted run of that file (stale, or failed after committing
batches): they become `superseded` and their accounts move to the run that goes on. Each claim
numbers the run (`attempt`); a batch commits only while its run still holds that number, so a
process that was thought dead and wakes up cannot write over its successor (ADR 0019).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Q, QuerySet

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import DomainError, ValidationError
from solvent.portfolio.imports.liveness import (
    Worker,
    stale_reason,
    stopped_description,
    this_worker,
)
from solvent.portfolio.models import Account, Client, Placement

_FINISHED = (Placement.Status.DONE, Placement.Status.SUPERSEDED)


class ImportRunningError(DomainError):
    """Another run of the same file is alive: a second one would only race it."""

    code = "import_running"


class ImportStateError(DomainError):
    """The placement has nothing left to run (done, or superseded by another placement)."""

    code = "import_not_resumable"


class RunTakenOverError(Exception):
    """This process's run of a placement was declared stale and taken over: it must stop writing."""


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def placement_claim(
    *, placement: Placement, source_path: str | None = None, worker: Worker | None = None
) -> Placement:
    """Start or resume the run of `placement` in this process; returns it `running`, renumbered.

    Its committed progress (`rows_done` and the counters) is kept: the run goes on from there.
    Raises ImportRunningError while it or another placement of the same file is running and
    alive, ImportStateError when it is done or superseded. The caller may hold a transaction
    (placement_import creates the placement in it), so a refusal leaves nothing behind.
    """
    now = clock.now()
    worker = worker or this_worker()
    with transaction.atomic():
        _client_lock(placement.client_id)
        current = (
            Placement.objects.select_for_update().select_related("client").get(pk=placement.pk)
        )
        if current.status in _FINISHED:
            raise ImportStateError(_finished_message(current))
        if current.status == Placement.Status.RUNNING:
            _stale_or_refuse(current, now=now, worker=worker)
        for other in _same_file(current).exclude(pk=current.pk).select_for_update().order_by("pk"):
            if other.status == Placement.Status.RUNNING:
                _stale_or_refuse(other, now=now, worker=worker)
            if other.status == Placement.Status.STALE or other.rows_done > 0:
                _supersede(other, by=current, now=now)
        resumed = current.attempt > 0 or current.rows_done > 0
        current.status = Placement.Status.RUNNING
        current.attempt += 1
        current.heartbeat_at = now
        current.worker_host, current.worker_pid = worker.host, worker.pid
        current.failure = ""
        current.finished_at = None
        if source_path is not None:
            current.source_path = source_path
        current.save()
        if resumed:
            audit_record(
                action="placement.resumed",
                system="import resumed by a task or the command line",
                object_type="placement",
                object_id=current.pk,
                data={"attempt": current.attempt, "rows_done": current.rows_done},
                actor_id=current.created_by_id,
            )
    return current


def placement_running_refuse(*, client: Client, checksum: str) -> None:
    """Refuse a new placement of a file that a live run is importing now (an upload's check)."""
    now, worker = clock.now(), this_worker()
    with transaction.atomic():
        _client_lock(client.pk)
        running = Placement.objects.filter(
            client=client, checksum=checksum, status=Placement.Status.RUNNING
        )
        for other in running.select_for_update().select_related("client"):
            _stale_or_refuse(other, now=now, worker=worker)


def placement_stale_sweep(*, now: datetime | None = None) -> list[Placement]:
    """Mark every running import whose process has stopped `stale`; returns those marked."""
    now = now or clock.now()
    worker = this_worker()
    marked = []
    for candidate in Placement.objects.filter(status=Placement.Status.RUNNING).order_by("pk"):
        if not stale_reason(candidate, now=now, worker=worker):
            continue
        with transaction.atomic():
            placement = (
                Placement.objects.select_for_update().select_related("client").get(pk=candidate.pk)
            )
            reason = stale_reason(placement, now=now, worker=worker)
            if reason:
                _stale_mark(placement, reason)
                marked.append(placement)
    return marked


def placement_import_list() -> QuerySet[Placement]:
    """Imports that are not finished: pending, running, stale (for `solvent import status`)."""
    unfinished = (Placement.Status.PENDING, Placement.Status.RUNNING, Placement.Status.STALE)
    return Placement.objects.filter(status__in=unfinished).select_related("client").order_by("pk")


def placement_source_check(*, placement: Placement, path: Path | None) -> str:
    """The file a resume reads: `path` if given, else the stored one; it must be the same file."""
    if placement.status in _FINISHED:
        raise ImportStateError(_finished_message(placement))
    if path is None:
        path = Path(placement.source_path)
        if not path.is_file():
            raise ValidationError(
                f"the file of placement {placement.pk} ({placement.source_name}) is no longer here "
                "(uploads are deleted once imported): give the same file again to resume",
                code="placement_file_missing",
            )
        if file_checksum(path) != placement.checksum:
            raise ValidationError(
                f"the file {path} has changed since placement {placement.pk} read it: import it "
                "as a new placement",
                code="placement_file_changed",
            )
        return str(path)
    if file_checksum(path) != placement.checksum:
        raise ValidationError(
            f"{path.name} is not the file of placement {placement.pk} (its SHA-256 differs from "
            f"{placement.checksum[:12]}…): a resume needs the very same file",
            code="placement_file_changed",
        )
    return str(path)


def _client_lock(client_id: int) -> None:
    # Claims of one client's placements take turns (PostgreSQL); SQLite's IMMEDIATE transactions
    # already serialise every writer.
    Client.objects.select_for_update().filter(pk=client_id).first()


def _same_file(placement: Placement) -> QuerySet[Placement]:
    return Placement.objects.filter(
        Q(status=Placement.Status.RUNNING)
        | Q(status=Placement.Status.STALE)
        | Q(status=Placement.Status.FAILED, rows_done__gt=0),
        client_id=placement.client_id,
        checksum=placement.checksum,
    ).select_related("client")


def _stale_or_refuse(placement: Placement, *, now: datetime, worker: Worker) -> None:
    reason = stale_reason(placement, now=now, worker=worker)
    if not reason:
        raise ImportRunningError(_running_message(placement, now))
    _stale_mark(placement, reason)


def _stale_mark(placement: Placement, reason: str) -> None:
    placement.status = Placement.Status.STALE
    placement.failure = stopped_description(placement, reason)
    placement.save(update_fields=["status", "failure"])
    audit_record(
        action="placement.stale",
        system="stale import found by the sweep",
        object_type="placement",
        object_id=placement.pk,
        data={
            "client": placement.client.code,
            "rows_done": placement.rows_done,
            "rows_total": placement.rows_total,
            "worker": f"{placement.worker_host}:{placement.worker_pid}",
            "reason": reason,
        },
    )


def _supersede(placement: Placement, *, by: Placement, now: datetime) -> None:
    """The interrupted run gives its accounts to the run that goes on, and says so."""
    moved = Account.objects.filter(placement=placement).update(placement=by, placed_on=by.placed_on)
    note = f"superseded by placement {by.pk}, which took its {moved:,} accounts"
    placement.failure = f"{placement.failure}; {note}" if placement.failure else note
    placement.status = Placement.Status.SUPERSEDED
    placement.superseded_by = by
    placement.finished_at = now
    placement.save(update_fields=["status", "failure", "superseded_by", "finished_at"])
    audit_record(
        action="placement.superseded",
        system="superseded by a new import of the same file",
        object_type="placement",
        object_id=placement.pk,
        data={"superseded_by": by.pk, "accounts_moved": moved, "checksum": placement.checksum},
    )


def _running_message(placement: Placement, now: datetime) -> str:
    seen = placement.heartbeat_at or placement.created_at
    return (
        f"placement {placement.pk} is importing this file now ({placement.client.code}, "
        f"{placement.rows_done:,} of {placement.rows_total:,} rows, on {placement.worker_host} "
        f"pid {placement.worker_pid}, last batch {int((now - seen).total_seconds())} s ago): "
        "wait for it to finish; if its process has died it is resumable once it is stale"
    )


def _finished_message(placement: Placement) -> str:
    if placement.status == Placement.Status.SUPERSEDED:
        return (
            f"placement {placement.pk} was superseded by placement {placement.superseded_by_id}: "
            "there is nothing left to resume"
        )
    return (
        f"placement {placement.pk} is {placement.status}: there is nothing to resume; import "
        "the file again as a new placement to re-apply it"
    )
