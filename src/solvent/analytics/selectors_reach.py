"""Reads for the best-time model: what counts as reached, the attempts, zones, segments, the model.

"Reached" (docs/model-best-time.md), from the compliance ledger only:

- a call: the attempt's outcome is a right-party conversation (not any contact: a third party, a
  voicemail or an abandoned call is not the debtor on the line);
- a text or an e-mail: its outcome is a right-party conversation, or the debtor contacted us
  (an inbound ledger row on any channel: a reply, a call back, a chat from the portal) within
  24 hours after it. Delivery is not reach: nearly everything is delivered and says nothing of the
  hour. A payment is not counted either: it is not in the contact history, and a payment made from
  a letter or a call a day earlier would credit the wrong message.

Letters are not timed by the model (they go with the morning's print batch) and are not read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

from solvent.analytics.models import ModelRun
from solvent.compliance.models import ContactAttempt
from solvent.portfolio.models import AccountDebtor, Phone
from solvent.strategy.domain.timing import COUNTS_SCHEMA, Shrinkage
from solvent.strategy.models import PlanItem

TIMED_CHANNELS = ("call", "sms", "email")
MESSAGE_CHANNELS = ("sms", "email")
REPLY_WINDOW = timedelta(hours=24)
RPC = ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION
# The time zone of a debtor with no phone zone known (their attempts still count for the channel).
FALLBACK_ZONE = "UTC"
CHUNK_ROWS = 100_000
CHUNK_IDS = 20_000


def _outbound(start: datetime, end: datetime) -> QuerySet[ContactAttempt]:
    """Outbound attempts in [start, end) on a timed channel, each with ``is_reached``."""
    replied = ContactAttempt.objects.filter(
        debtor_id=OuterRef("debtor_id"),
        direction=ContactAttempt.Direction.INBOUND,
        at__gt=OuterRef("at"),
        at__lte=ExpressionWrapper(OuterRef("at") + REPLY_WINDOW, output_field=DateTimeField()),
    )
    return (
        ContactAttempt.objects.filter(
            direction=ContactAttempt.Direction.OUTBOUND,
            channel__in=TIMED_CHANNELS,
            at__gte=start,
            at__lt=end,
        )
        .exclude(status=ContactAttempt.Status.CANCELLED)
        .annotate(replied=Exists(replied))
    )


def _reached() -> Q:
    return Q(outcome=RPC) | Q(channel__in=MESSAGE_CHANNELS, replied=True)


def reach_counts_utc(
    *, debtor_ids: Sequence[int] | QuerySet[Any, int] | None, start: datetime, end: datetime
) -> pl.DataFrame:
    """Attempts and reached by debtor, channel, UTC ISO weekday (1-7) and UTC hour, in [start, end)."""
    rows = _outbound(start, end)
    if isinstance(debtor_ids, QuerySet):
        rows = rows.filter(debtor_id__in=debtor_ids)  # a subquery, however many debtors
    elif debtor_ids is not None:
        rows = rows.filter(debtor_id__in=list(debtor_ids))
    counted = (
        rows.annotate(utc_weekday=ExtractIsoWeekDay("at"), utc_hour=ExtractHour("at"))
        .values("debtor_id", "channel", "utc_weekday", "utc_hour")
        .annotate(attempts=Count("pk"), reached=Count("pk", filter=_reached()))
        .values_list("debtor_id", "channel", "utc_weekday", "utc_hour", "attempts", "reached")
        .order_by()
    )
    return pl.DataFrame(
        list(counted),
        schema={
            "debtor_id": pl.Int64(),
            "channel": pl.String(),
            "utc_weekday": pl.Int16(),
            "utc_hour": pl.Int16(),
            "attempts": pl.Int64(),
            "reached": pl.Int64(),
        },
        orient="row",
    )


def reach_counts_local(
    counts: pl.DataFrame, zones: dict[int, str], segments: dict[int, str], day: date
) -> pl.DataFrame:
    """``reach_counts_utc``'s rows in the debtors' local hours of week (``COUNTS_SCHEMA``).

    One offset per debtor, that of ``day``'s noon in their zone (a DST change inside the history
    moves its other side by an hour: the price of counting in SQL). A debtor without a zone: UTC.
    """
    noon = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    ids = counts.get_column("debtor_id").unique().to_list()
    offsets = []
    for debtor_id in ids:
        offset = noon.astimezone(ZoneInfo(zones.get(debtor_id, FALLBACK_ZONE))).utcoffset()
        offsets.append(int((offset or timedelta(0)).total_seconds() // 3600))
    shifts = pl.DataFrame(
        {
            "debtor_id": ids,
            "offset": offsets,
            "segment": [segments.get(debtor_id) for debtor_id in ids],
        },
        schema={"debtor_id": pl.Int64(), "offset": pl.Int64(), "segment": pl.String()},
    )
    utc_week = (pl.col("utc_weekday").cast(pl.Int64) - 1) * 24 + pl.col("utc_hour").cast(pl.Int64)
    return (
        counts.join(shifts, on="debtor_id")
        .with_columns(hour_of_week=((utc_week + pl.col("offset")) % 168))
        .group_by("debtor_id", "segment", "channel", "hour_of_week")
        .agg(pl.col("attempts").sum(), pl.col("reached").sum())
        .select([pl.col(name).cast(dtype) for name, dtype in COUNTS_SCHEMA.items()])
    )


def reach_attempts(*, start: datetime, end: datetime) -> pl.DataFrame:
    """One row per outbound attempt in [start, end): debtor_id, channel, at (UTC), reached."""
    rows = (
        _outbound(start, end)
        .annotate(
            is_reached=Case(
                When(_reached(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values_list("debtor_id", "channel", "at", "is_reached")
        .order_by()
    )
    schema: dict[str, pl.DataType] = {
        "debtor_id": pl.Int64(),
        "channel": pl.String(),
        "at": pl.Datetime("us", "UTC"),
        "reached": pl.Boolean(),
    }
    # A frame per chunk, so a long history is never one list of Python tuples (a few hundred
    # bytes a row) but columns (about 30 bytes a row).
    frames = [pl.DataFrame(schema=schema)]
    chunk: list[tuple[object, ...]] = []
    for row in rows.iterator(chunk_size=CHUNK_ROWS):
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            frames.append(pl.DataFrame(chunk, schema=schema, orient="row"))
            chunk = []
    if chunk:
        frames.append(pl.DataFrame(chunk, schema=schema, orient="row"))
    return pl.concat(frames, rechunk=True)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """The ids in lists of CHUNK_IDS: no query names more (SQLite caps a statement's variables)."""
    chunk: list[int] = []
    for debtor_id in ids:
        chunk.append(debtor_id)
        if len(chunk) == CHUNK_IDS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def debtor_zones(*, debtor_ids: Iterable[int]) -> dict[int, str]:
    """Each debtor's zone: the first zone of their first phone that has one (the number's area)."""
    zones: dict[int, str] = {}
    for chunk in _chunks(debtor_ids):
        rows = (
            Phone.objects.filter(debtor_id__in=chunk)
            .order_by("debtor_id", "pk")
            .values_list("debtor_id", "time_zones")
        )
        for debtor_id, time_zones in rows.iterator(chunk_size=20_000):
            if debtor_id not in zones and time_zones:
                zones[debtor_id] = str(time_zones[0])
    return zones


def debtor_segments(*, debtor_ids: Iterable[int] | None, as_of: date) -> dict[int, str]:
    """Each debtor's segment in the latest stored plan on or before ``as_of`` (none: not planned)."""
    items = PlanItem.objects.filter(plan_date__lte=as_of, debtor_id__isnull=False).exclude(
        segment_key=""
    )
    chunks = (
        [items]
        if debtor_ids is None
        else [items.filter(debtor_id__in=chunk) for chunk in _chunks(debtor_ids)]
    )
    segments: dict[int, str] = {}
    for chosen in chunks:
        rows = chosen.order_by("debtor_id", "-plan_date", "pk").values_list(
            "debtor_id", "segment_key"
        )
        for debtor_id, segment in rows.iterator(chunk_size=20_000):
            segments.setdefault(int(debtor_id or 0), segment)
    return segments


def client_debtor_ids(*, client_ids: frozenset[int] | None) -> QuerySet[Any, int] | None:
    """The debtors owing one of ``client_ids`` as a subquery (None: every debtor, agency-wide)."""
    if client_ids is None:
        return None
    return (
        AccountDebtor.objects.filter(account__client_id__in=client_ids)
        .values_list("debtor_id", flat=True)
        .distinct()
    )


def reach_run_active() -> ModelRun | None:
    """The reach model the plan uses now (the latest training that beat the flat baseline)."""
    return ModelRun.objects.filter(kind=ModelRun.Kind.REACH, active=True).first()


def reach_shrinkage_active() -> Shrinkage:
    """The active model's K's; the fixed defaults before any training."""
    run = reach_run_active()
    if run is None:
        return Shrinkage()
    return Shrinkage.from_dict(dict(run.parameters.get("shrinkage", {})))


def reach_run_list(*, limit: int = 20) -> list[ModelRun]:
    """The latest reach trainings, newest first."""
    return list(
        ModelRun.objects.filter(kind=ModelRun.Kind.REACH).order_by("-trained_at", "-pk")[:limit]
    )
