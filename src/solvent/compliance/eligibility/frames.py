"""The input frames of the batch and how to build them from the engine's value objects.

``targets`` (one row per candidate contact of the planning day)
    ``debtor_id`` (any type), ``debt_id`` (str, nullable), ``debt_key`` (the debt's counting key,
    nullable; same type as the event keys), ``channel`` (``CHANNEL``), ``contact_point_id``
    (nullable; same type as in ``events``) and ``profile_id`` (``UInt32``, a row of the profile
    list, see ``profiles.ProfileRegistry``).

``events`` (the contact ledger as of the start of the planning day)
    ``debtor_id``, ``at`` (``Datetime("us", "UTC")``), ``channel``, ``direction``, ``outcome``,
    ``party`` (the enums below), ``at_consumer_request`` (bool), ``contact_point_id``, the event's
    contact point as the debtor's profile knows it (``point_kind``, ``point_place``,
    ``point_wrong_number``; all null when the point is unknown) and ``debt_keys`` (a list of
    distinct counting keys; null or empty when the event is not attributed to a debt, so it
    counts toward every debt). Events at or after the debtor's planning-day start are ignored.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from solvent.compliance.domain.model import (
    Channel,
    ContactPointKind,
    DebtorProfile,
    Direction,
    HistoryEvent,
    Outcome,
    Party,
    Place,
)
from solvent.compliance.eligibility.profiles import (
    BatchOptions,
    ProfileRegistry,
    Target,
    TargetProfile,
    target_profile,
)

CHANNEL = pl.Enum([item.value for item in Channel])
DIRECTION = pl.Enum([item.value for item in Direction])
OUTCOME = pl.Enum([item.value for item in Outcome])
PARTY = pl.Enum([item.value for item in Party])
POINT_KIND = pl.Enum([item.value for item in ContactPointKind])
PLACE = pl.Enum([item.value for item in Place])
UTC_TIME = pl.Datetime("us", "UTC")


@dataclass(frozen=True, slots=True)
class BatchInput:
    targets: pl.DataFrame
    events: pl.DataFrame
    profiles: Sequence[TargetProfile]


def _event_row(
    debtor_id: Hashable, profile: DebtorProfile, event: HistoryEvent
) -> dict[str, object]:
    point = profile.contact_point(event.contact_point_id) if event.contact_point_id else None
    keys = {item.id: item.counting_key for item in profile.debts}
    return {
        "debtor_id": debtor_id,
        "at": event.at,
        "channel": event.channel.value,
        "direction": event.direction.value,
        "outcome": event.outcome.value,
        "party": event.party.value,
        "at_consumer_request": event.at_consumer_request,
        "contact_point_id": event.contact_point_id,
        "point_kind": point.kind.value if point else None,
        "point_place": point.place.value if point else None,
        "point_wrong_number": point.wrong_number if point else None,
        "debt_keys": sorted({keys.get(debt_id, debt_id) for debt_id in event.debt_ids}),
    }


def events_schema(
    key_type: pl.DataType, point_type: pl.DataType, debtor_type: pl.DataType
) -> dict[str, pl.DataType]:
    return {
        "debtor_id": debtor_type,
        "at": UTC_TIME,
        "channel": CHANNEL,
        "direction": DIRECTION,
        "outcome": OUTCOME,
        "party": PARTY,
        "at_consumer_request": pl.Boolean(),
        "contact_point_id": point_type,
        "point_kind": POINT_KIND,
        "point_place": PLACE,
        "point_wrong_number": pl.Boolean(),
        "debt_keys": pl.List(key_type),
    }


def batch_input(
    situations: Mapping[Hashable, DebtorProfile],
    histories: Mapping[Hashable, Iterable[HistoryEvent]],
    targets: Iterable[Target],
    day: date,
    options: BatchOptions | None = None,
    registry: ProfileRegistry | None = None,
) -> BatchInput:
    """Frames and profiles for a batch run from value objects (tests, small portfolios).

    Debtor ids must all be of one type (``str`` or ``int``); debt and contact-point ids are
    strings, as in the engine's model.
    """
    options = options or BatchOptions()
    registry = registry or ProfileRegistry()
    history_of = {debtor_id: tuple(events) for debtor_id, events in histories.items()}
    target_rows: list[dict[str, object]] = []
    for target in targets:
        situation = situations[target.debtor_id]
        history = history_of.get(target.debtor_id, ())
        debt = situation.debt(target.debt_id)
        profile = target_profile(situation, history, target, day, options)
        target_rows.append(
            {
                "debtor_id": target.debtor_id,
                "debt_id": target.debt_id,
                "debt_key": debt.counting_key if debt is not None else target.debt_id,
                "channel": target.channel.value,
                "contact_point_id": target.contact_point_id,
                "profile_id": registry.intern(profile),
            }
        )
    event_rows = [
        _event_row(debtor_id, situations[debtor_id], event)
        for debtor_id, events in history_of.items()
        if debtor_id in situations
        for event in events
    ]
    debtor_type = _debtor_type(list(situations))
    target_frame = pl.DataFrame(
        target_rows,
        schema={
            "debtor_id": debtor_type,
            "debt_id": pl.String(),
            "debt_key": pl.String(),
            "channel": CHANNEL,
            "contact_point_id": pl.String(),
            "profile_id": pl.UInt32(),
        },
    )
    event_frame = pl.DataFrame(
        event_rows, schema=events_schema(pl.String(), pl.String(), debtor_type)
    )
    return BatchInput(target_frame, event_frame, registry.profiles)


def _debtor_type(debtor_ids: Sequence[Hashable]) -> pl.DataType:
    if debtor_ids and all(isinstance(item, int) for item in debtor_ids):
        return pl.Int64()
    return pl.String()
