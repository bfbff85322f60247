"""Placement import services: create a placement from a file and run it, batch by batch.

Unlike most services this one is not a single transaction: a million rows in one transaction would
hold locks for minutes and lose everything on a crash. Each batch (its accounts, debtors, contact
points and the placement's counters and progress) commits on its own. A run that stopped half-way
is resumed on the same placement: every row is validated again (so the error report is whole) but
the rows its committed batches hold are not written again, so the resumed placement ends with the
counts and accounts of one clean run (docs/adr/0004-placement-import.md, 0019-stale-imports.md).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.imports.batches import Progress, default_batch_rows, file_import
from solvent.portfolio.imports.report import ErrorReport
from solvent.portfolio.imports.runs import (
    RunTakenOverError,
    file_checksum,
    placement_claim,
    placement_running_refuse,
    placement_source_check,
)
from solvent.portfolio.imports.source import PlacementFileError
from solvent.portfolio.models import Client, Placement, PlacementProfileVersion


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
    profile_version: PlacementProfileVersion | None = None,
    full_refresh: bool = False,
) -> Placement:
    """Import a placement file now, in this process; returns the finished (or failed) placement.

    The file is read through `profile_version` (None: Solvent's own format). With `full_refresh`
    the file is the client's whole inventory: their accounts absent from it are recalled.
    Refused (ImportRunningError, nothing created) while a live run imports the same file for the
    client; an interrupted run of it is superseded by this one.
    """
    path = Path(path)
    checksum = file_checksum(path)
    with transaction.atomic():
        placement = placement_claim(
            placement=Placement.objects.create(
                client=client,
                placed_on=placed_on or clock.today(),
                source_name=path.name,
                source_path=str(path),
                checksum=checksum,
                status=Placement.Status.PENDING,
                created_by=created_by,
                profile_version=profile_version,
                full_refresh=full_refresh,
            )
        )
    return _run(
        placement,
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
    profile_version: PlacementProfileVersion | None = None,
    full_refresh: bool = False,
) -> Placement:
    """Keep an uploaded file and queue its import; the task runs once the upload has committed.

    The file is read through `profile_version` (None: Solvent's own format); with
    `full_refresh` it is the client's whole inventory (the accounts it omits are recalled).
    """
    from solvent.portfolio.tasks import placement_import_task

    if profile_version is not None and profile_version.profile.client_id != client.pk:
        # A version of another client's profile would read this file with the wrong mapping.
        raise ValidationError(
            f"profile version {profile_version.pk} is not a profile of client {client.code}"
        )
    target = _upload_store(name, content)
    checksum = file_checksum(target)
    try:
        placement_running_refuse(client=client, checksum=checksum)
    except Exception:
        target.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        placement = Placement.objects.create(
            client=client,
            placed_on=placed_on or clock.today(),
            source_name=Path(name).name[:255],
            source_path=str(target),
            checksum=checksum,
            status=Placement.Status.PENDING,
            created_by=created_by,
            profile_version=profile_version,
            full_refresh=full_refresh,
        )
        audit_record(
            action="placement.uploaded",
            system="placement upload without a signed-in user",
            object_type="placement",
            object_id=placement.pk,
            data={
                "client": client.code,
                "source_name": placement.source_name,
                "profile_version": profile_version.pk if profile_version else None,
                "full_refresh": full_refresh,
            },
            actor_id=created_by.pk if created_by else None,
        )
        transaction.on_commit(lambda: placement_import_task.enqueue(placement.pk))
    return placement


def placement_run(
    *,
    placement: Placement,
    source_path: str | None = None,
    errors_path: Path | None = None,
    progress: Progress | None = None,
    batch_rows: int | None = None,
    workers: int | None = None,
    background_writer: bool | None = None,
) -> Placement:
    """Run the import of a pending placement, or resume a stale or failed one where it stopped.

    The file is `source_path` if given (checked by the caller), else `placement.source_path`.
    Refused while another live run holds the placement or its file (runs.placement_claim).
    """
    claimed = placement_claim(placement=placement, source_path=source_path)
    return _run(
        claimed,
        errors_path=errors_path,
        progress=progress,
        batch_rows=batch_rows,
        workers=workers,
        background_writer=background_writer,
    )


def placement_resume(
    *,
    placement_id: int,
    path: Path | None = None,
    errors_path: Path | None = None,
    progress: Progress | None = None,
    batch_rows: int | None = None,
) -> Placement:
    """Resume a stopped import now, in this process, from its stored file or the same file again."""
    placement = placement_for_run(placement_id=placement_id)
    source = placement_source_check(placement=placement, path=path)
    return placement_run(
        placement=placement,
        source_path=source,
        errors_path=errors_path,
        progress=progress,
        batch_rows=batch_rows,
    )


def placement_resume_request(
    *,
    placement: Placement,
    name: str | None = None,
    content: Iterable[bytes] | None = None,
    requested_by: User | None,
) -> Placement:
    """Queue the resume of a stopped import; `content` is the same file again if its upload is gone."""
    from solvent.portfolio.tasks import placement_import_task

    given = None
    if content is not None:
        given = _upload_store(name or "upload.csv", content)
    try:
        source = placement_source_check(placement=placement, path=given)
        # Refuses now, with the reason, what the task's claim would refuse later.
        placement_running_refuse(client=placement.client, checksum=placement.checksum)
    except Exception:
        if given is not None:
            given.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(source_path=source)
        audit_record(
            action="placement.resume_requested",
            system="import resume asked from the command line",
            object_type="placement",
            object_id=placement.pk,
            data={"client": placement.client.code, "rows_done": placement.rows_done},
            actor_id=requested_by.pk if requested_by else None,
        )
        transaction.on_commit(lambda: placement_import_task.enqueue(placement.pk))
    placement.refresh_from_db()
    return placement


def _run(
    placement: Placement,
    *,
    errors_path: Path | None,
    progress: Progress | None,
    batch_rows: int | None,
    workers: int | None,
    background_writer: bool | None,
) -> Placement:
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as stream:
        report = ErrorReport(stream)
        failure = ""
        try:
            file_import(
                placement,
                report,
                progress,
                batch_rows or default_batch_rows(),
                workers,
                background_writer,
            )
        except PlacementFileError as problem:
            report.add(problem.errors)
            failure = problem.message
        except RunTakenOverError:
            raise  # another run owns the placement now: it writes the outcome, not this one
        except Exception as problem:
            # The file stays: the import stopped for a reason of ours and can be run again.
            _finish(placement, report, errors_path, failure=f"import stopped: {problem}")
            raise
        if not failure and placement.full_refresh:
            from solvent.portfolio.imports.recall import accounts_absent_recall

            try:
                accounts_absent_recall(placement=placement)
            except Exception as problem:
                # The rows are in; the recall is what stopped: say so rather than stay running.
                _finish(placement, report, errors_path, failure=f"recall stopped: {problem}")
                raise
        finished = _finish(placement, report, errors_path, failure=failure)
        _upload_discard(finished)
        return finished


def _upload_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "placements"


def _upload_store(name: str, content: Iterable[bytes]) -> Path:
    folder = _upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in {".csv", ".xlsx"} else ""
    target = folder / f"{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as handle:
        for chunk in content:
            handle.write(chunk)
    return target


def _upload_discard(placement: Placement) -> None:
    """Delete an uploaded file once its import has finished: its rows are in the database now.

    The file holds every debtor's date of birth and national id in plain text; kept, it would be
    the one unencrypted copy of them (docs/adr/0018). Only our own copies of uploads are deleted,
    never a file that `solvent import` was pointed at. The checksum stays on the placement.
    """
    path = Path(placement.source_path)
    if path.parent.resolve() == _upload_folder().resolve():
        path.unlink(missing_ok=True)


def _finish(
    placement: Placement, report: ErrorReport, errors_path: Path | None, *, failure: str
) -> Placement:
    kept = report.finish(errors_path)
    with transaction.atomic():
        attempt = placement.attempt
        placement = (
            Placement.objects.select_for_update().select_related("client").get(pk=placement.pk)
        )
        if placement.attempt != attempt or placement.status != Placement.Status.RUNNING:
            raise RunTakenOverError(f"placement {placement.pk}: run {attempt} was taken over")
        placement.status = Placement.Status.FAILED if failure else Placement.Status.DONE
        placement.failure = failure
        placement.error_report = kept
        placement.finished_at = clock.now()
        placement.save()
        audit_record(
            action="placement.failed" if failure else "placement.imported",
            system="placement import from the command line or a task",
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


def placement_for_run(*, placement_id: int) -> Placement:
    placement = Placement.objects.select_related("client").filter(pk=placement_id).first()
    if placement is None:
        raise NotFoundError(f"placement {placement_id} not found")
    return placement
