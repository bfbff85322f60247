"""Reading placement profiles: the ones a user may use, one by id, and what a version changed.

Tenant-scoped through `portfolio.access` like every client's record: a profile of a client the
user does not serve is "not found", the same answer as a missing id (ADR 0022). Profiles are
operations' work (DESIGN.md): only admins use them (`PROFILE_ROLES`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.portfolio.access import access_client_queryset
from solvent.portfolio.models import Client, PlacementProfile, PlacementProfileVersion

# Who loads placements and keeps the profiles they are read with.
PROFILE_ROLES = frozenset({Role.ADMIN})


def profile_role_require(*, user: User | AnonymousUser) -> None:
    if staff_role_get(user=user) not in PROFILE_ROLES:
        raise PermissionDeniedError("only operations staff (admins) load placements and profiles")


def placement_client_get(*, user: User | AnonymousUser, code: str) -> Client:
    """A client the user serves, by code; NotFoundError for one they do not (or none)."""
    client = access_client_queryset(user=user).filter(code=code).first()
    if client is None:
        raise NotFoundError("client not found: not a client code you serve")
    return client


def profile_queryset(*, user: User | AnonymousUser) -> QuerySet[PlacementProfile]:
    versions = PlacementProfileVersion.objects.select_related("created_by").order_by("-number")
    return (
        PlacementProfile.objects.filter(client__in=access_client_queryset(user=user))
        .select_related("client")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("client__code", "name")
    )


def profile_get(*, user: User | AnonymousUser, profile_id: int) -> PlacementProfile:
    profile = profile_queryset(user=user).filter(pk=profile_id).first()
    if profile is None:
        raise NotFoundError(f"placement profile {profile_id} not found")
    return profile


def profile_list(*, client: Client) -> QuerySet[PlacementProfile]:
    """The client's profiles, each with its versions (newest first)."""
    versions = PlacementProfileVersion.objects.select_related("created_by").order_by("-number")
    return (
        PlacementProfile.objects.filter(client=client)
        .select_related("client")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("name")
    )


def profile_version_current_get(*, profile: PlacementProfile) -> PlacementProfileVersion | None:
    return profile.versions.order_by("-number").first()


def profile_version_for_use(
    *, user: User | AnonymousUser, client: Client, version_id: int
) -> PlacementProfileVersion:
    """A version of one of the client's active profiles; NotFoundError otherwise."""
    version = (
        PlacementProfileVersion.objects.filter(
            pk=version_id,
            profile__client=client,
            profile__is_active=True,
            profile__client__in=access_client_queryset(user=user),
        )
        .select_related("profile")
        .first()
    )
    if version is None:
        raise NotFoundError(f"placement profile version {version_id} not found")
    return version


def spec_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """What `after` changed from `before`, one line per setting, in words a person reads."""
    if before is None:
        return ["first version"]
    lines: list[str] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) or isinstance(new, dict):
            lines.extend(_mapping_changes(key, old or {}, new or {}))
        else:
            lines.append(f"{key}: {_shown(old)} → {_shown(new)}")
    return lines or ["no change"]


def _mapping_changes(key: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            lines.append(f"{key}: {name} removed (was {_shown(old[name])})")
        elif name not in old:
            lines.append(f"{key}: {name} = {_shown(new[name])} added")
        elif old[name] != new[name]:
            lines.append(f"{key}: {name} {_shown(old[name])} → {_shown(new[name])}")
    return lines


def _shown(value: Any) -> str:
    if value is None:
        return "found in the file"
    if isinstance(value, list):
        return ", ".join(repr(item) for item in value) or "none"
    return repr(value)
