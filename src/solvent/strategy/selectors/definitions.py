"""Reads of the strategy's definitions: segments with their live counts, strategies, experiments.

Who may: the strategy pages and endpoints are for ``STRATEGY_READ_ROLES``; changes are for
``STRATEGY_WRITE_ROLES`` (``strategy_role_require``). Strategies and segments for every client are
the agency's; a segment kept to one client is seen only by the users who see that client, and
"missing" and "not yours" are the same NotFoundError. Counting accounts is tenant-scoped: a
segment's count is of the accounts of the user's clients only.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.portfolio.access import access_client_ids
from solvent.portfolio.models import Client, Team
from solvent.strategy.domain.segments import (
    SegmentError,
    SegmentSpec,
    segment_count,
    segment_parse,
)
from solvent.strategy.features import features_frame
from solvent.strategy.models import Experiment, Segment, Strategy

# Who opens the strategy pages and reads the API: supervisors read, to see what their floor will do.
STRATEGY_READ_ROLES = frozenset({Role.STRATEGY_MANAGER, Role.ADMIN, Role.SUPERVISOR})
# Who changes segments, paths, experiments and capacity.
STRATEGY_WRITE_ROLES = frozenset({Role.STRATEGY_MANAGER, Role.ADMIN})

AnyUser = User | AnonymousUser


def strategy_role_require(*, user: AnyUser, write: bool = False) -> int:
    """The acting user's id once their role reads (or, with ``write``, changes) strategies."""
    role = staff_role_get(user=user)
    if role not in STRATEGY_READ_ROLES or user.pk is None:
        raise PermissionDeniedError("your role does not use the strategy pages")
    if write and role not in STRATEGY_WRITE_ROLES:
        raise PermissionDeniedError(
            "your role reads strategies: a strategy manager changes them",
            code="strategy_write_forbidden",
        )
    return int(user.pk)


def _client_filter(user: AnyUser) -> Q:
    """Segments for every client, and those kept to a client the user serves."""
    client_ids = access_client_ids(user=user)
    if client_ids is None:
        return Q()
    return Q(client__isnull=True) | Q(client_id__in=client_ids)


def segment_list(*, user: AnyUser) -> QuerySet[Segment]:
    """The segments the user sees, in the order the plan tries them (priority, key)."""
    return (
        Segment.objects.filter(_client_filter(user))
        .select_related("strategy", "client")
        .order_by("priority", "key")
    )


def segment_get(*, user: AnyUser, key: str) -> Segment:
    segment = segment_list(user=user).filter(key=key).first()
    if segment is None:
        raise NotFoundError(f"segment '{key}' not found")
    return segment


def client_get(*, user: AnyUser, code: str) -> Client:
    """A client the user serves, by code (404 for one they do not, as for one that is missing)."""
    client_ids = access_client_ids(user=user)
    clients = Client.objects.filter(code=code)
    if client_ids is not None:
        clients = clients.filter(pk__in=client_ids)
    client = clients.first()
    if client is None:
        raise NotFoundError(f"client '{code}' not found")
    return client


def client_choices(*, user: AnyUser) -> QuerySet[Client]:
    client_ids = access_client_ids(user=user)
    clients = Client.objects.order_by("name")
    return clients if client_ids is None else clients.filter(pk__in=client_ids)


def team_list(*, user: AnyUser) -> QuerySet[Team]:
    """The teams serving the user's clients, with their staffed capacity (if set)."""
    client_ids = access_client_ids(user=user)
    teams = Team.objects.select_related("capacity").order_by("name")
    return teams if client_ids is None else teams.filter(clients__in=client_ids).distinct()


def team_get(*, user: AnyUser, team_id: int) -> Team:
    team = team_list(user=user).filter(pk=team_id).first()
    if team is None:
        raise NotFoundError(f"team {team_id} not found")
    return team


def strategy_list() -> QuerySet[Strategy]:
    return Strategy.objects.order_by("key")


def strategy_get(*, key: str) -> Strategy:
    strategy = Strategy.objects.filter(key=key).first()
    if strategy is None:
        raise NotFoundError(f"strategy '{key}' not found")
    return strategy


def experiment_list(*, user: AnyUser) -> QuerySet[Experiment]:
    """Experiments on the segments the user sees, running ones first, newest first."""
    segments = Segment.objects.filter(_client_filter(user))
    return (
        Experiment.objects.filter(segment__in=segments)
        .select_related("segment", "segment__strategy")
        .order_by("-status", "-started_on", "key")
    )


def experiment_get(*, user: AnyUser, key: str) -> Experiment:
    experiment = experiment_list(user=user).filter(key=key).first()
    if experiment is None:
        raise NotFoundError(f"experiment '{key}' not found")
    return experiment


def experiment_running_by_segment(*, user: AnyUser) -> dict[int, Experiment]:
    return {
        experiment.segment_id: experiment
        for experiment in experiment_list(user=user).filter(status=Experiment.Status.RUNNING)
    }


# --- counting accounts --------------------------------------------------------------------------


# A large portfolio's features take seconds to read: the editor's live count, asked as a manager
# types, reuses them for a few minutes. A small one is read afresh each time (exact, and cheap).
FRAME_CACHE_MIN_ROWS = 50_000
FRAME_CACHE_SECONDS = 300.0
_FRAME_CACHE_ENTRIES = 4
_frames: OrderedDict[tuple[date, tuple[int, ...] | None], tuple[float, pl.DataFrame]] = (
    OrderedDict()
)
_frames_lock = threading.Lock()
_seconds = time.monotonic  # the cache's clock (a test moves it)


def features_for(*, user: AnyUser, day: date) -> pl.DataFrame:
    """The features of the open accounts of the user's clients on ``day`` (one row each).

    A frame of FRAME_CACHE_MIN_ROWS rows or more is kept for FRAME_CACHE_SECONDS in this process
    (the last few sets of clients): counts on a large portfolio are then minutes old at most.
    """
    client_ids = access_client_ids(user=user)
    chosen = None if client_ids is None else tuple(sorted(client_ids))
    key = (day, chosen)
    with _frames_lock:
        cached = _frames.get(key)
        if cached is not None and _seconds() - cached[0] < FRAME_CACHE_SECONDS:
            _frames.move_to_end(key)
            return cached[1]
    frame = features_frame(day=day, client_ids=None if chosen is None else list(chosen))
    if frame.height >= FRAME_CACHE_MIN_ROWS:
        with _frames_lock:
            _frames[key] = (_seconds(), frame)
            while len(_frames) > _FRAME_CACHE_ENTRIES:
                _frames.popitem(last=False)
    return frame


@dataclass(frozen=True)
class SegmentPreview:
    """What the editor shows while conditions change: the count, or the error naming a condition."""

    count: int | None
    total: int
    error: str = ""
    error_index: int | None = None


def segment_preview(
    *, features: pl.DataFrame, key: str, name: str, conditions: Sequence[Mapping[str, Any]]
) -> SegmentPreview:
    """How many of ``features``' accounts the conditions match, or why they cannot be read."""
    try:
        spec = segment_parse(key or "preview", name or "preview", conditions, 0)
    except SegmentError as error:
        return SegmentPreview(None, features.height, str(error), error.index)
    return SegmentPreview(segment_count(features, spec), features.height)


def segment_spec(segment: Segment) -> SegmentSpec:
    """The segment as the domain evaluates it; one kept to a client also tests the client.

    Raises ``SegmentError`` when its stored conditions no longer parse (a feature was retired)."""
    conditions = list(segment.conditions)
    if segment.client is not None:
        conditions.append({"field": "client", "op": "eq", "value": segment.client.code})
    return segment_parse(segment.key, segment.name, conditions, segment.priority)


def segment_counts(*, features: pl.DataFrame, segments: Sequence[Segment]) -> dict[str, int | None]:
    """Each segment's matching accounts among ``features`` (None when its stored conditions no
    longer parse, e.g. a feature was retired): each counted on its own, not first-match."""
    counts: dict[str, int | None] = {}
    for segment in segments:
        try:
            spec = segment_spec(segment)
        except SegmentError:
            counts[segment.key] = None
            continue
        counts[segment.key] = segment_count(features, spec)
    return counts
