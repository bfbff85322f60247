"""Recordings: registering a connected call's audio, playing it to who may hear it, the retention purge.

The telephony adapter writes the audio to the recording store (``adapters.recordings``) and calls
``recording_register`` with its reference: a ``Recording`` row with its retention date
(``SOLVENT_RECORDING_RETENTION_DAYS`` after now, 730 days unless configured), and the reference on
the call and on its Interaction in the contact history (when the call was already closed; else
the call's ``recording_ref`` is what ``call_outcome_record`` puts on the Interaction it writes).
``recording_open`` is the one way to listen: the account must be one the person sees, and their
role one that listens (supervisors, compliance officers, admins, and the agent who took the call);
every play is in the audit log. ``recordings_purge`` deletes what is past its retention date.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.dialer.adapters.recordings import recording_store
from solvent.dialer.models import Call, Recording
from solvent.dialer.ports import RecordingStore
from solvent.portfolio.access import access_account_by_id

DEFAULT_RETENTION_DAYS = 730
# Roles that listen to any recording of an account they see; an agent hears their own calls.
RECORDING_LISTEN_ROLES = frozenset({Role.SUPERVISOR, Role.COMPLIANCE_OFFICER, Role.ADMIN})
PURGE_BATCH = 500
SYSTEM = "dialer recordings"


def recording_retention_days() -> int | None:
    """Days a recording is kept (a setting or the environment; 0 or less: kept for ever)."""
    configured = getattr(settings, "SOLVENT_RECORDING_RETENTION_DAYS", None)
    if configured is None:
        configured = os.environ.get("SOLVENT_RECORDING_RETENTION_DAYS", "")
    days = int(configured) if str(configured).strip() else DEFAULT_RETENTION_DAYS
    return days if days > 0 else None


def recording_register(
    *, call_id: int, ref: str, seconds: float, size_bytes: int, content_type: str = "audio/wav"
) -> Recording:
    """Record that ``ref`` holds the call's audio; the reference goes on the call and its
    Interaction. Registering the same reference again answers the row it made (idempotent)."""
    now = clock.now()
    days = recording_retention_days()
    if size_bytes <= 0:
        size_bytes = _stored_size(ref)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        recording, created = Recording.objects.get_or_create(
            ref=ref,
            defaults={
                "call": call,
                "content_type": content_type,
                "seconds": seconds,
                "size_bytes": size_bytes,
                "created_at": now,
                "delete_after": now + timedelta(days=days) if days is not None else None,
            },
        )
        if not created:
            return recording
        if call.recording_ref != ref:
            call.recording_ref = ref
            call.save(update_fields=["recording_ref"])
        if call.interaction_id is not None:
            Interaction.objects.filter(pk=call.interaction_id).update(recording_ref=ref)
        audit_record(
            action="recording.registered",
            object_type="dialer.recording",
            object_id=recording.pk,
            data={
                "call_id": call.pk,
                "account_id": call.account_id,
                "seconds": seconds,
                "size_bytes": size_bytes,
                "delete_after": recording.delete_after,
            },
            system=SYSTEM,
        )
    return recording


def _stored_size(ref: str) -> int:
    """The stored file's size, for a caller that did not say it (0 when it cannot be read)."""
    try:
        with recording_store().open(ref) as audio:
            return os.fstat(audio.fileno()).st_size
    except (OSError, ValueError):
        return 0


@dataclass
class RecordingPlayback:
    recording: Recording
    audio: BinaryIO  # the caller closes it (FileResponse does)
    size: int


def recording_may_listen(*, user: User | AnonymousUser, call_agent_id: int | None) -> bool:
    """Whether this person's role hears a call taken by ``call_agent_id`` (the account's
    visibility is checked apart: ``recording_open`` does both)."""
    role = staff_role_get(user=user)
    if role in RECORDING_LISTEN_ROLES:
        return True
    return role == Role.AGENT and call_agent_id is not None and call_agent_id == user.pk


def recording_open(
    *, user: User | AnonymousUser, recording_id: int, store: RecordingStore | None = None
) -> RecordingPlayback:
    """The audio of a recording, for this person: NotFoundError for a recording they may not see
    (another client's, a deleted one), PermissionDeniedError for a role that does not listen.
    The play is audited ("recording.played") before a byte is sent."""
    recording = Recording.objects.select_related("call").filter(pk=recording_id).first()
    if recording is None or recording.call is None:
        raise NotFoundError(f"recording {recording_id} not found")
    call = recording.call
    access_account_by_id(user=user, account_id=call.account_id)
    if not recording_may_listen(user=user, call_agent_id=call.agent_id):
        raise PermissionDeniedError("your role does not listen to recordings of other calls")
    if recording.deleted_at is not None:
        raise NotFoundError(f"recording {recording_id} was deleted after its retention period")
    store = store or recording_store()
    try:
        audio = store.open(recording.ref)
    except (FileNotFoundError, ValueError) as error:
        raise NotFoundError(f"recording {recording_id} is missing from the store") from error
    try:
        size = os.fstat(audio.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = recording.size_bytes
    try:
        with transaction.atomic():
            audit_record(
                action="recording.played",
                object_type="dialer.recording",
                object_id=recording.pk,
                data={"call_id": call.pk, "account_id": call.account_id},
                actor_id=user.pk,
            )
    except BaseException:
        audio.close()
        raise
    return RecordingPlayback(recording=recording, audio=audio, size=size)


def recordings_purge(
    *, now: datetime | None = None, dry_run: bool = False, store: RecordingStore | None = None
) -> int:
    """Delete the recordings past their retention date (file, then the row marked deleted); the
    count. Batches of ``PURGE_BATCH``, one transaction and one audit entry each; a purge stopped
    half-way deletes the rest next time (deleting a missing file is not an error)."""
    now = now or clock.now()
    due = Recording.objects.filter(deleted_at__isnull=True, delete_after__lte=now)
    if dry_run:
        return due.count()
    store = store or recording_store()
    purged = 0
    while True:
        batch = list(due.order_by("pk").values_list("pk", "ref")[:PURGE_BATCH])
        if not batch:
            return purged
        for _, ref in batch:
            # A reference the store never made names no file: nothing to delete.
            with contextlib.suppress(ValueError):
                store.delete(ref)
        ids = [pk for pk, _ in batch]
        with transaction.atomic():
            Recording.objects.filter(pk__in=ids).update(deleted_at=now)
            audit_record(
                action="recording.purged",
                object_type="dialer.recording",
                object_id=ids[0],
                data={"recording_ids": ids, "count": len(ids)},
                system=SYSTEM,
            )
        purged += len(ids)


def recording_save(
    *, call_id: int, audio: bytes, seconds: float, store: RecordingStore | None = None
) -> Recording:
    """Write a call's audio (WAV bytes) to the recording store and register it: for audio that
    comes from outside the telephony adapter (the demo's recorded past calls, an import)."""
    store = store or recording_store()
    ref = store.new_ref(f"call-{call_id}")
    size = store.write(ref, audio)
    return recording_register(call_id=call_id, ref=ref, seconds=seconds, size_bytes=size)
