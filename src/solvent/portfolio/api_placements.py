"""Placement endpoints: upload a file (imported in the background), follow its status, fetch errors.

POST /api/placements               multipart: file, client (code), placed_on, profile (the name
                                   of one of the client's profiles: its current version reads the
                                   file; none: Solvent's own format), full_refresh (the file is the
                                   client's whole inventory), dry_run -> 202;
                                   dry_run=true: 200 and the preview (the first rows as they will be
                                   stored, the errors, the counts), nothing written, the file
                                   deleted; 413 when the file is over SOLVENT_PLACEMENT_MAX_BYTES;
                                   409 while a live run imports the same file for the client;
                                   404 naming the client's profiles for a profile it does not have
GET  /api/placements/{id}          status, counts and liveness (rows_done, heartbeat_at)
GET  /api/placements/{id}/errors   the error report, CSV (row, column, value, reason)
POST /api/placements/{id}/resume   resume a stale or failed import in the background -> 202;
                                   multipart `file` (optional): the same file again if the upload
                                   is gone; 409 while it runs alive, or when done or superseded
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params.functions import File as FileParam
from pydantic import StringConstraints

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.schemas import RowId
from solvent.core.selectors import staff_role_get
from solvent.portfolio import selectors
from solvent.portfolio.access import access_client_queryset
from solvent.portfolio.imports.preview import (
    placement_file_discard,
    placement_file_stage,
    placement_file_staged,
    placement_preview,
)
from solvent.portfolio.imports.profiles import profile_version_current
from solvent.portfolio.imports.report import REPORT_HEADER, report_text_masked
from solvent.portfolio.imports.runs import ImportRunningError, ImportStateError
from solvent.portfolio.imports.services import placement_resume_request, placement_upload
from solvent.portfolio.models import Client, Placement, PlacementProfileVersion

router = Router(tags=["placements"])

# Loading placements is the back office's job (DESIGN.md: operations / admin).
_UPLOAD_ROLES = frozenset({Role.ADMIN})


# A client code is a slug (Client.code): anything else, a NUL byte included, is a 422 here rather
# than a query PostgreSQL refuses with a 500.
ClientCode = Annotated[str, StringConstraints(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


class UploadRefusedOut(Schema):
    code: str
    detail: str


# An import of the same file already running, or nothing left to resume.
_CONFLICTS = (ImportRunningError, ImportStateError)


class PlacementOut(Schema):
    id: int
    client_code: str = Field(..., alias="client.code")
    placed_on: date
    source_name: str
    checksum: str
    status: str
    rows_total: int
    rows_imported: int
    rows_rejected: int
    accounts_created: int
    accounts_updated: int
    failure: str
    created_at: datetime
    finished_at: datetime | None
    rows_done: int
    attempt: int
    heartbeat_at: datetime | None
    superseded_by: int | None = Field(None, alias="superseded_by_id")
    kind: str
    profile_version: int | None = Field(None, alias="profile_version_id")
    full_refresh: bool
    rows_skipped: int
    rows_unchanged: int
    accounts_recalled: int
    warnings: str
    errors_url: str

    @staticmethod
    def resolve_errors_url(obj: Placement) -> str:
        return f"/api/placements/{obj.pk}/errors"


class RowErrorOut(Schema):
    row: int
    column: str
    value: str
    reason: str


class PreviewOut(Schema):
    """A dry run: what the import would store and refuse; dates of birth and ids masked."""

    dry_run: bool = True
    client_code: str
    profile: str | None
    profile_version: int | None
    failure: str
    encoding: str
    header_row: int
    columns: list[str]
    sources: dict[str, str]
    constants: dict[str, str]
    records: list[dict[str, str]]
    errors: list[RowErrorOut]
    rows_total: int
    rows_checked: int
    rows_valid: int
    rows_rejected: int
    rows_skipped: int
    complete: bool
    warnings: list[str]


ProfileName = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")]


@router.post(
    "/placements",
    response={
        200: PreviewOut,
        202: PlacementOut,
        409: UploadRefusedOut,
        413: UploadRefusedOut,
    },
)
def placement_create(
    request: HttpRequest,
    file: File[UploadedFile],
    client: Form[ClientCode],
    placed_on: Form[date | None] = None,
    profile: Form[ProfileName | None] = None,
    full_refresh: Form[bool] = False,
    dry_run: Form[bool] = False,
) -> Status[Placement] | Status[UploadRefusedOut] | Status[PreviewOut]:
    user = request.user
    # The client first: a code the user does not serve is a 404 like any id not theirs (ADR 0022).
    creditor = access_client_queryset(user=user).filter(code=client).first()
    if creditor is None:
        raise NotFoundError(f"client {client!r} not found")
    if staff_role_get(user=user) not in _UPLOAD_ROLES:
        raise PermissionDeniedError("only operations staff may load placements")
    limit = settings.SOLVENT_PLACEMENT_MAX_BYTES  # settings.py holds the default
    if file.size is None or file.size > limit:
        # Refused before anything is written under MEDIA_ROOT: Django has spooled the upload to a
        # temporary file, which it deletes at the end of the request.
        detail = (
            f"the file is {file.size or 0:,} bytes; the limit is {limit:,} bytes "
            "(SOLVENT_PLACEMENT_MAX_BYTES): split the placement into smaller files"
        )
        return Status(413, UploadRefusedOut(code="upload_too_large", detail=detail))
    version = profile_version_current(client=creditor, name=profile) if profile else None
    if dry_run:
        return Status(200, _dry_run(creditor, file, version, placed_on))
    try:
        placement = placement_upload(
            client=creditor,
            name=file.name or "upload.csv",
            content=file.chunks(),
            placed_on=placed_on,
            created_by=_user(user),
            profile_version=version,
            full_refresh=full_refresh,
        )
    except _CONFLICTS as refused:
        return Status(409, UploadRefusedOut(code=refused.code, detail=refused.message))
    return Status(202, placement)


@router.post(
    "/placements/{placement_id}/resume",
    response={202: PlacementOut, 409: UploadRefusedOut, 413: UploadRefusedOut},
)
def placement_resume(
    request: HttpRequest,
    placement_id: RowId,
    file: Annotated[UploadedFile | None, FileParam(None)] = None,
) -> Status[Placement] | Status[UploadRefusedOut]:
    """Resume a stopped import where its last committed batch ended (ADR 0019)."""
    placement = selectors.placement_get(user=request.user, placement_id=placement_id)
    if staff_role_get(user=request.user) not in _UPLOAD_ROLES:
        raise PermissionDeniedError("only operations staff may resume placements")
    if file is not None and (file.size is None or file.size > settings.SOLVENT_PLACEMENT_MAX_BYTES):
        detail = "the file is over SOLVENT_PLACEMENT_MAX_BYTES: it cannot be the placement's file"
        return Status(413, UploadRefusedOut(code="upload_too_large", detail=detail))
    try:
        resumed = placement_resume_request(
            placement=placement,
            name=file.name if file is not None else None,
            content=file.chunks() if file is not None else None,
            requested_by=_user(request.user),
        )
    except _CONFLICTS as refused:
        return Status(409, UploadRefusedOut(code=refused.code, detail=refused.message))
    return Status(202, resumed)


@router.get("/placements/{placement_id}", response=PlacementOut)
def placement_status(request: HttpRequest, placement_id: RowId) -> Placement:
    return selectors.placement_get(user=request.user, placement_id=placement_id)


@router.get("/placements/{placement_id}/errors")
def placement_errors(request: HttpRequest, placement_id: RowId) -> HttpResponse:
    placement = selectors.placement_get(user=request.user, placement_id=placement_id)
    body = report_text_masked(placement.error_report or ",".join(REPORT_HEADER) + "\n")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="placement-{placement.pk}-errors.csv"'
    return response


def _dry_run(
    client: Client,
    file: UploadedFile,
    version: PlacementProfileVersion | None,
    placed_on: date | None,
) -> PreviewOut:
    """The preview of the uploaded file; the file is deleted before the answer leaves."""
    token = placement_file_stage(name=file.name or "upload.csv", content=file.chunks())
    try:
        preview = placement_preview(
            client=client,
            path=placement_file_staged(token=token),
            profile_version=version,
            placed_on=placed_on,
        )
    finally:
        placement_file_discard(token=token)
    return PreviewOut(
        client_code=client.code,
        profile=version.profile.name if version else None,
        profile_version=version.number if version else None,
        failure=preview.failure,
        encoding=preview.encoding,
        header_row=preview.header_row,
        columns=preview.columns,
        sources=preview.sources,
        constants=preview.constants,
        records=preview.records,
        errors=[RowErrorOut(**asdict(error)) for error in preview.errors],
        rows_total=preview.rows_total,
        rows_checked=preview.rows_checked,
        rows_valid=preview.rows_valid,
        rows_rejected=preview.rows_rejected,
        rows_skipped=preview.rows_skipped,
        complete=preview.complete,
        warnings=preview.warnings,
    )


def _user(user: User | AnonymousUser) -> User | None:
    return user if isinstance(user, User) else None
