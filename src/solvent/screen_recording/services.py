"""Writes of screen recordings: start one, append the recorder's chunks, watch one, purge them.

``screen_recording_start`` opens a recording of the signed-in agent's page (an account they see,
or the dialer page: no account), tied to their live dialer call on that account if any, with the
call recordings' retention. ``screen_chunk_append`` stores a chunk of rrweb events after the
domain's checks (``domain.chunks``) and the server's masking (``domain.scrub``): a chunk sent
again (same sequence) changes nothing and answers the stored one. Only the recording's own agent
appends to it. ``screen_recording_watch`` is the one way to read a recording's events: it checks
who may watch (``selectors.screen_recording_access``) and audits every view.
``screen_recordings_purge`` deletes what is past its retention date.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.dialer.services.agents import agent_live_call
from solvent.dialer.services.recordings import recording_retention_days
from solvent.portfolio.access import access_account_by_id
from solvent.portfolio.models import Account
from solvent.screen_recording.domain.chunks import ChunkLimits, chunk_check
from solvent.screen_recording.domain.scrub import PersonalData, events_scrub
from solvent.screen_recording.models import ScreenChunk, ScreenRecording
from solvent.screen_recording.selectors import screen_recording_access

# Whose desk is recorded: who takes calls (the dialer's agents and supervisors).
RECORDED_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
SYSTEM = "screen recordings"
PURGE_BATCH = 500
_PAGE_MAX = 255


def _setting(name: str, default: int) -> int:
    """A limit from the settings or the environment (a deployment may change it)."""
    configured = getattr(settings, name, None)
    if configured is None:
        configured = os.environ.get(name, "")
    return int(configured) if str(configured).strip() else default


def screen_limits() -> ChunkLimits:
    """Chunks of 1 MB (an account screen's first full snapshot is ~100-300 kB), recordings of
    50 MB (hours of a busy desk), 5,000 events a chunk."""
    return ChunkLimits(
        chunk_bytes=_setting("SOLVENT_SCREEN_CHUNK_MAX_BYTES", 1_000_000),
        recording_bytes=_setting("SOLVENT_SCREEN_RECORDING_MAX_BYTES", 50_000_000),
        events_per_chunk=_setting("SOLVENT_SCREEN_CHUNK_MAX_EVENTS", 5_000),
    )


def _user_id(user: User | AnonymousUser) -> int:
    if user.pk is None:
        raise PermissionDeniedError("sign in first")
    return int(user.pk)


def _recorded_role_require(user: User | AnonymousUser) -> None:
    if staff_role_get(user=user) not in RECORDED_ROLES:
        raise PermissionDeniedError("only the desks of agents and supervisors are recorded")


def screen_recording_start(
    *, user: User | AnonymousUser, account_id: int | None, page: str, now: datetime | None = None
) -> ScreenRecording:
    """A new recording of this person's page: NotFoundError for an account they do not see,
    PermissionDeniedError for a role whose desk is not recorded. Audited."""
    now = now or clock.now()
    account = (
        access_account_by_id(user=user, account_id=account_id) if account_id is not None else None
    )
    _recorded_role_require(user)
    agent_id = _user_id(user)
    call = agent_live_call(agent_id=agent_id, account_id=account.pk) if account else None
    days = recording_retention_days()
    with transaction.atomic():
        recording = ScreenRecording.objects.create(
            agent_id=agent_id,
            call=call,
            account_id=account.pk if account else None,
            page=page[:_PAGE_MAX],
            started_at=now,
            delete_after=now + timedelta(days=days) if days is not None else None,
        )
        audit_record(
            action="screen_recording.started",
            object_type="screen_recording.screenrecording",
            object_id=recording.pk,
            data={
                "account_id": recording.account_id,
                "call_id": recording.call_id,
                "page": recording.page,
                "delete_after": recording.delete_after,
            },
            actor_id=agent_id,
        )
    return recording


@dataclass(frozen=True)
class ChunkStored:
    chunk: ScreenChunk
    created: bool  # False: the same sequence was stored before (a resend)
    strings_masked: int  # strings the server's masking changed


def _recording_of_agent(
    user: User | AnonymousUser, recording_id: int
) -> tuple[ScreenRecording, Account | None]:
    """The recording, if it is this person's, and its account: 404 for a missing one or one on an
    account they do not see, 403 for a role not recorded or a recording of someone else."""
    recording = ScreenRecording.objects.filter(pk=recording_id).first()
    if recording is None:
        raise NotFoundError(f"screen recording {recording_id} not found")
    account = None
    if recording.account_id is not None:
        account = access_account_by_id(user=user, account_id=recording.account_id)
    elif recording.agent_id != user.pk:
        raise NotFoundError(f"screen recording {recording_id} not found")
    _recorded_role_require(user)
    if recording.agent_id != user.pk:
        raise PermissionDeniedError("only the agent recorded writes their own recording")
    return recording, account


def personal_data_of_account(account: Account | None) -> PersonalData:
    """Everything known about the people of an account (loaded through portfolio.access) that a
    desk page could show: every contact point on file (any client's: masking more is safe), the
    decrypted date of birth and national id (in memory only), the attorney's details."""
    if account is None:
        return PersonalData()
    names: list[str] = []
    phones: list[str] = []
    emails: list[str] = []
    lines: list[str] = []
    births: list[str] = []
    ids: list[str] = []
    for debtor in account.debtors.prefetch_related("phones", "emails", "addresses"):
        names += [debtor.full_name, debtor.first_name, debtor.middle_name, debtor.last_name]
        names += [debtor.attorney_name]
        phones += [phone.e164 for phone in debtor.phones.all()] + [debtor.attorney_phone]
        emails += [email.address for email in debtor.emails.all()] + [debtor.attorney_email]
        for address in debtor.addresses.all():
            lines += [address.line1, address.line2, address.postal_code]
        births.append(debtor.date_of_birth or "")
        ids.append(debtor.national_id or "")
    return PersonalData(
        names=tuple(v for v in names if v),
        phones=tuple(v for v in phones if v),
        emails=tuple(v for v in emails if v),
        address_lines=tuple(v for v in lines if v),
        dates_of_birth=tuple(v for v in births if v),
        national_ids=tuple(v for v in ids if v),
    )


def screen_chunk_append(
    *,
    user: User | AnonymousUser,
    recording_id: int,
    sequence: Any,
    events: Any,
    size_bytes: int,
    now: datetime | None = None,
) -> ChunkStored:
    """Store one chunk of the recorder's events, masked; a resend of a stored sequence is a
    no-op that answers the stored chunk. ChunkRefusedError for a chunk that breaks the limits."""
    now = now or clock.now()
    recording, account = _recording_of_agent(user, recording_id)
    if isinstance(sequence, int) and not isinstance(sequence, bool) and sequence >= 0:
        stored = ScreenChunk.objects.filter(recording=recording, sequence=sequence).first()
        if stored is not None:
            return ChunkStored(chunk=stored, created=False, strings_masked=0)
    summary = chunk_check(
        sequence=sequence,
        events=events,
        size_bytes=size_bytes,
        recorded_bytes=recording.size_bytes,
        started_ms=int(recording.started_at.timestamp() * 1000),
        now_ms=int(now.timestamp() * 1000),
        limits=screen_limits(),
    )
    if recording.call_id is None and recording.account_id is not None:
        # The call may have been dialled after the page opened (a preview dial).
        call = agent_live_call(agent_id=recording.agent_id, account_id=recording.account_id)
    else:
        call = None
    scrubbed = events_scrub(events, personal_data_of_account(account))
    stored_bytes = len(json.dumps(scrubbed.events, separators=(",", ":")))
    try:
        with transaction.atomic():
            locked = ScreenRecording.objects.select_for_update().get(pk=recording.pk)
            chunk = ScreenChunk.objects.create(
                recording=locked,
                sequence=summary.sequence,
                events=scrubbed.events,
                first_event_ms=summary.first_event_ms,
                last_event_ms=summary.last_event_ms,
                received_at=now,
            )
            first, last = locked.first_event_ms, locked.last_event_ms
            locked.first_event_ms = min(summary.first_event_ms, first or summary.first_event_ms)
            locked.last_event_ms = max(summary.last_event_ms, last or summary.last_event_ms)
            locked.event_count += summary.event_count
            locked.size_bytes += max(stored_bytes, summary.size_bytes)
            locked.ended_at = now
            fields = ["first_event_ms", "last_event_ms", "event_count", "size_bytes", "ended_at"]
            if call is not None:
                locked.call = call
                fields.append("call")
            locked.save(update_fields=fields)
    except IntegrityError:
        # The same sequence stored by a request racing this one: that one stands.
        chunk = ScreenChunk.objects.get(recording=recording, sequence=summary.sequence)
        return ChunkStored(chunk=chunk, created=False, strings_masked=0)
    return ChunkStored(chunk=chunk, created=True, strings_masked=scrubbed.strings_changed)


@dataclass(frozen=True)
class Watched:
    recording: ScreenRecording
    events: list[Any]


def screen_recording_watch(*, user: User | AnonymousUser, recording_id: int) -> Watched:
    """A recording's events in order, for who may watch it (NotFoundError / PermissionDenied
    as ``screen_recording_access``). Every view is audited before an event is returned."""
    recording = screen_recording_access(user=user, recording_id=recording_id)
    events: list[Any] = []
    for chunk_events in (
        ScreenChunk.objects.filter(recording=recording)
        .order_by("sequence")
        .values_list("events", flat=True)
    ):
        events.extend(chunk_events)
    with transaction.atomic():
        audit_record(
            action="screen_recording.viewed",
            object_type="screen_recording.screenrecording",
            object_id=recording.pk,
            data={
                "account_id": recording.account_id,
                "call_id": recording.call_id,
                "agent_id": recording.agent_id,
                "events": len(events),
            },
            actor_id=_user_id(user),
        )
    return Watched(recording=recording, events=events)


def screen_recordings_purge(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete the recordings (and their chunks) past their retention date; the count. Batches
    of ``PURGE_BATCH``, one transaction and one audit entry each."""
    now = now or clock.now()
    due = ScreenRecording.objects.filter(delete_after__lte=now)
    if dry_run:
        return due.count()
    purged = 0
    while True:
        ids = list(due.order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
        if not ids:
            return purged
        with transaction.atomic():
            ScreenChunk.objects.filter(recording_id__in=ids).delete()
            ScreenRecording.objects.filter(pk__in=ids).delete()
            audit_record(
                action="screen_recording.purged",
                object_type="screen_recording.screenrecording",
                object_id=ids[0],
                data={"recording_ids": ids, "count": len(ids)},
                system=SYSTEM,
            )
        purged += len(ids)
