"""Placement profile endpoints: how each client's files are read (docs/placements.md).

GET  /api/placement-profiles                  the profiles of the user's clients (?client=code)
POST /api/placement-profiles                  JSON {client, name, spec, note} -> 201, version 1
GET  /api/placement-profiles/{id}             one profile with its versions (newest first)
POST /api/placement-profiles/{id}/versions    JSON {spec, note} -> 201 a new version; 200 and the
                                              current version when the spec is the same
POST /api/placement-profiles/suggest          multipart: file (a sample), client -> a suggested
                                              spec with a note per column; nothing is stored

Operations' work: admins only (403 for other roles), tenant-scoped (a client or profile the user
does not serve is a 404). A spec that cannot read a file is a 422 naming every problem.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from solvent.core.schemas import RowId, Text
from solvent.portfolio.api_placements import ClientCode, UploadRefusedOut
from solvent.portfolio.domain.placement_profile import ProfileError, spec_from_json
from solvent.portfolio.imports.profiles import profile_create, profile_version_add
from solvent.portfolio.models import PlacementProfile, PlacementProfileVersion
from solvent.portfolio.selectors_profiles import (
    placement_client_get,
    profile_get,
    profile_queryset,
    profile_role_require,
)

router = Router(tags=["placement profiles"])

# A sample is the head of a file: enough rows to recognise every column, not a whole placement.
SAMPLE_MAX_BYTES = 20 * 1024 * 1024


class ProfileRefusedOut(Schema):
    """A 422: a profile that cannot be used (code profile_invalid, every problem listed), a sample
    that cannot be read (placement_file_invalid), or a field refused by its schema (no code; the
    detail is the list of fields and why, as for every endpoint)."""

    code: str | None = None
    detail: str | list[dict[str, Any]]
    problems: list[str] | None = None


class VersionOut(Schema):
    id: int
    number: int
    spec: dict[str, Any]
    note: str
    created_by: str | None = None
    created_at: datetime

    @staticmethod
    def resolve_created_by(obj: PlacementProfileVersion) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class ProfileOut(Schema):
    id: int
    client_code: str = Field(..., alias="client.code")
    name: str
    is_active: bool
    created_at: datetime
    current_version: int | None = None
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: PlacementProfile) -> list[PlacementProfileVersion]:
        return sorted(obj.versions.all(), key=lambda version: -version.number)

    @staticmethod
    def resolve_current_version(obj: PlacementProfile) -> int | None:
        numbers = [version.number for version in obj.versions.all()]
        return max(numbers) if numbers else None


class ProfileIn(Schema):
    client: ClientCode
    name: Text = Field(..., max_length=100)
    spec: dict[str, Any]
    note: Text = Field("", max_length=200)


class VersionIn(Schema):
    spec: dict[str, Any]
    note: Text = Field("", max_length=200)


class SuggestionOut(Schema):
    client_code: str
    spec: dict[str, Any]
    notes: dict[str, str]
    unmapped: list[str]


def _refused(error: ProfileError) -> Status[ProfileRefusedOut]:
    detail = "the profile cannot be used: " + "; ".join(error.problems)
    return Status(
        422, ProfileRefusedOut(code="profile_invalid", detail=detail, problems=error.problems)
    )


@router.get("/placement-profiles", response=list[ProfileOut])
def profiles(request: HttpRequest, client: ClientCode | None = None) -> list[PlacementProfile]:
    if client:
        placement_client_get(user=request.user, code=client)
    profile_role_require(user=request.user)
    found = profile_queryset(user=request.user)
    if client:
        found = found.filter(client__code=client)
    return list(found)


@router.post("/placement-profiles", response={201: ProfileOut, 422: ProfileRefusedOut})
def profile_new(
    request: HttpRequest, body: ProfileIn
) -> Status[PlacementProfile] | Status[ProfileRefusedOut]:
    creditor = placement_client_get(user=request.user, code=body.client)
    profile_role_require(user=request.user)
    try:
        version = profile_create(
            client=creditor,
            name=body.name,
            spec=spec_from_json(body.spec),
            created_by=_user(request.user),
            note=body.note,
        )
    except ProfileError as error:
        return _refused(error)
    return Status(201, profile_get(user=request.user, profile_id=version.profile_id))


# Before the {profile_id} routes: Django matches in order, and "suggest" is no id.
@router.post(
    "/placement-profiles/suggest",
    response={200: SuggestionOut, 413: UploadRefusedOut, 422: ProfileRefusedOut},
)
def profile_suggest(
    request: HttpRequest, file: File[UploadedFile], client: Form[ClientCode]
) -> Status[SuggestionOut] | Status[UploadRefusedOut] | Status[ProfileRefusedOut]:
    from solvent.portfolio.imports.source import PlacementFileError
    from solvent.portfolio.imports.suggest import profile_suggest_from_file

    creditor = placement_client_get(user=request.user, code=client)
    profile_role_require(user=request.user)
    if file.size is None or file.size > SAMPLE_MAX_BYTES:
        detail = f"a sample is at most {SAMPLE_MAX_BYTES:,} bytes: send the file's first rows"
        return Status(413, UploadRefusedOut(code="upload_too_large", detail=detail))
    suffix = Path(file.name or "").suffix.lower()
    # The sample holds personal data: read from a temporary file that is gone when we answer.
    with tempfile.TemporaryDirectory(dir=_scratch()) as folder:
        path = Path(folder) / f"sample{suffix if suffix in {'.csv', '.xlsx'} else '.csv'}"
        with path.open("wb") as handle:
            for chunk in file.chunks():
                handle.write(chunk)
        try:
            suggestion = profile_suggest_from_file(path, client_country=creditor.country)
        except PlacementFileError as problem:
            refused = ProfileRefusedOut(code=problem.code, detail=problem.message)
            return Status(422, refused)
    return Status(
        200,
        SuggestionOut(
            client_code=creditor.code,
            spec=suggestion.spec.to_json(),
            notes=dict(suggestion.notes),
            unmapped=list(suggestion.unmapped),
        ),
    )


@router.get("/placement-profiles/{profile_id}", response=ProfileOut)
def profile(request: HttpRequest, profile_id: RowId) -> PlacementProfile:
    found = profile_get(user=request.user, profile_id=profile_id)
    profile_role_require(user=request.user)
    return found


@router.post(
    "/placement-profiles/{profile_id}/versions",
    response={200: VersionOut, 201: VersionOut, 422: ProfileRefusedOut},
)
def profile_version_new(
    request: HttpRequest, profile_id: RowId, body: VersionIn
) -> Status[PlacementProfileVersion] | Status[ProfileRefusedOut]:
    found = profile_get(user=request.user, profile_id=profile_id)
    profile_role_require(user=request.user)
    before = found.versions.order_by("-number").values_list("pk", flat=True).first()
    try:
        version = profile_version_add(
            profile=found,
            spec=spec_from_json(body.spec),
            created_by=_user(request.user),
            note=body.note,
        )
    except ProfileError as error:
        return _refused(error)
    return Status(200 if version.pk == before else 201, version)


def _scratch() -> str:
    folder = Path(settings.MEDIA_ROOT) / "placements"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


def _user(user: User | AnonymousUser) -> User | None:
    return user if isinstance(user, User) else None
