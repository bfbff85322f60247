"""Placement profiles stored and versioned: create one, add a version, find the current one.

A profile is a client's name for how their files are read; its versions are immutable (a
placement names the version it was read with, so an import can always be explained later).
Editing a profile adds a version; saving the spec the current version already has adds nothing.
Every spec is checked with `spec_from_json` before it is stored: a profile that cannot read a file
is refused with every problem named (ProfileError), never stored. Audited:
`placement_profile.created`, `placement_profile.version_added` (docs/placements.md).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from solvent.audit.services import audit_record
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.domain.placement_profile import ProfileError, ProfileSpec, spec_from_json
from solvent.portfolio.models import Client, PlacementProfile, PlacementProfileVersion

NAME_MAX = PlacementProfile._meta.get_field("name").max_length or 100
NOTE_MAX = PlacementProfileVersion._meta.get_field("note").max_length or 200


def spec_checked(spec: ProfileSpec) -> dict[str, object]:
    """The spec as it is stored, once `spec_from_json` accepts it (ProfileError otherwise).

    Checked through the JSON round trip, so what is stored is exactly what will be read back.
    """
    stored = spec.to_json()
    spec_from_json(stored)
    return stored


def _name_checked(name: str) -> str:
    name = name.strip()
    if not name:
        raise ProfileError(["name: required, but empty"])
    if len(name) > NAME_MAX:
        raise ProfileError([f"name: longer than {NAME_MAX} characters ({len(name)})"])
    return name


def _note_checked(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ProfileError([f"note: longer than {NOTE_MAX} characters ({len(note)})"])
    return note


def profile_create(
    *,
    client: Client,
    name: str,
    spec: ProfileSpec,
    created_by: User | None,
    note: str = "",
) -> PlacementProfileVersion:
    """A new profile of `client` with `spec` as its version 1; ProfileError if the name is taken."""
    name = _name_checked(name)
    note = _note_checked(note)
    stored = spec_checked(spec)
    if PlacementProfile.objects.filter(client=client, name__iexact=name).exists():
        raise ProfileError([f"name: {client.code} already has a profile named {name!r}"])
    try:
        with transaction.atomic():
            profile = PlacementProfile.objects.create(client=client, name=name)
            version = PlacementProfileVersion.objects.create(
                profile=profile, number=1, spec=stored, note=note, created_by=created_by
            )
            audit_record(
                action="placement_profile.created",
                system="placement profile created without a signed-in user",
                object_type="placement_profile",
                object_id=profile.pk,
                data={"client": client.code, "name": name, "version": 1, "note": note},
                actor_id=created_by.pk if created_by else None,
            )
    except IntegrityError:
        # Two people created the same name at once: the unique constraint decided.
        raise ProfileError([f"name: {client.code} already has a profile named {name!r}"]) from None
    return version


def profile_version_add(
    *,
    profile: PlacementProfile,
    spec: ProfileSpec,
    created_by: User | None,
    note: str = "",
) -> PlacementProfileVersion:
    """The profile's next version with `spec`; the current version if its spec is the same."""
    note = _note_checked(note)
    stored = spec_checked(spec)
    with transaction.atomic():
        # The profile row's lock orders concurrent edits: each sees the version before it.
        locked = PlacementProfile.objects.select_for_update().get(pk=profile.pk)
        current = locked.versions.order_by("-number").first()
        if current is not None and current.spec == stored:
            return current
        number = current.number + 1 if current is not None else 1
        version = PlacementProfileVersion.objects.create(
            profile=locked, number=number, spec=stored, note=note, created_by=created_by
        )
        audit_record(
            action="placement_profile.version_added",
            system="placement profile edited without a signed-in user",
            object_type="placement_profile",
            object_id=locked.pk,
            data={
                "client_id": locked.client_id,
                "name": locked.name,
                "version": number,
                "note": note,
            },
            actor_id=created_by.pk if created_by else None,
        )
    return version


def profile_version_current(*, client: Client, name: str) -> PlacementProfileVersion:
    """The newest version of the client's active profile `name` (matched without case).

    NotFoundError names the client's profiles, so a mistyped --profile says what exists.
    """
    profile = PlacementProfile.objects.filter(
        client=client, name__iexact=name.strip(), is_active=True
    ).first()
    version = profile.versions.order_by("-number").first() if profile is not None else None
    if version is None:
        names = sorted(
            PlacementProfile.objects.filter(client=client, is_active=True).values_list(
                "name", flat=True
            )
        )
        known = ", ".join(repr(n) for n in names) if names else "none yet"
        raise NotFoundError(
            f"client {client.code} has no placement profile {name!r} (its profiles: {known})"
        )
    return version
