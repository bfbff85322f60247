"""Compliance benchmark: one decision, and the eligibility of a whole portfolio for a day.

Prints one JSON line:

* ``single_decision_median_us`` / ``single_decision_p99_us``: ``decide()`` for a New York debtor
  with a mobile, a home line, two debts, a TCPA consent and a 30-day ledger of 20 attempts (calls,
  texts, emails; a right-party conversation among them), at moments spread over the day.
* ``batch_seconds``: ``batch_eligibility`` for 1,000,000 debtors (3 targets each: call and text to
  the mobile, email) and 10,000,000 ledger events over the last 60 days, plus building the
  canonical profiles of the 1% of debtors with holds or consents from their value objects
  (``batch_profiling_seconds``). Generating the synthetic columns stands for loading them and is
  not timed.
* ``groupby_count_seconds``: a bare ``group_by("debtor_id").len()`` of the same events in the same
  run (median of 5: 3 before the batch, 2 after), and ``batch_to_groupby_ratio``.
* ``peak_rss_mb``: the process's peak resident set size.

``--scale F`` multiplies the debtor and event counts (0.01: 10,000 debtors, 100,000 events).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.model import (
    Address,
    CampaignFigures,
    Channel,
    Consent,
    ConsentKind,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Direction,
    HistoryEvent,
    Hold,
    HoldKind,
    Outcome,
    Place,
    ProposedContact,
)
from solvent.compliance.eligibility.evaluate import batch_eligibility
from solvent.compliance.eligibility.frames import (
    CHANNEL,
    DIRECTION,
    OUTCOME,
    PARTY,
    PLACE,
    POINT_KIND,
    BatchInput,
)
from solvent.compliance.eligibility.profiles import (
    BatchOptions,
    ProfileRegistry,
    Target,
    target_profile,
    target_profiles,
)

DAY = date(2026, 11, 24)
DAY_START = datetime(2026, 11, 24, 5, tzinfo=UTC)
HISTORY_DAYS = 60
RICH_SHARE = 0.01
SEED = 20261124

# (addresses, share of the portfolio)
LOCATIONS: tuple[tuple[tuple[Address, ...], float], ...] = (
    ((Address("h", "US", "NY", city="Albany"),), 0.14),
    ((Address("h", "US", "NY", city="Brooklyn"),), 0.06),
    ((Address("h", "US", "MA", city="Boston"),), 0.05),
    ((Address("h", "US", "WA", city="Seattle"),), 0.04),
    ((Address("h", "US", "CA", city="Fresno"),), 0.14),
    ((Address("h", "US", "FL"),), 0.1),
    ((Address("h", "US", "TX"),), 0.12),
    ((Address("h", "US", "IL"),), 0.08),
    ((Address("h", "US", "GA"),), 0.08),
    ((Address("h", "US", "MA"), Address("w", "US", "WA", place=Place.WORK)), 0.02),
    ((Address("h", "CA", "ON", city="Toronto"),), 0.07),
    ((Address("h", "GB", None, city="Leeds"),), 0.1),
)
POINTS = (
    ContactPoint("0", ContactPointKind.MOBILE, ""),
    ContactPoint("1", ContactPointKind.LANDLINE, "", place=Place.HOME),
    ContactPoint("2", ContactPointKind.EMAIL, "", place=Place.PERSONAL),
)
TARGET_CHANNELS = ((Channel.CALL, 0), (Channel.SMS, 0), (Channel.EMAIL, 2))
EVENT_CHANNELS = (
    (Channel.CALL, 0.6),
    (Channel.SMS, 0.2),
    (Channel.EMAIL, 0.15),
    (Channel.VOICEMAIL, 0.03),
    (Channel.LETTER, 0.02),
)
CALL_OUTCOMES = (
    (Outcome.NO_ANSWER, 0.45),
    (Outcome.BUSY, 0.05),
    (Outcome.VOICEMAIL, 0.25),
    (Outcome.RIGHT_PARTY_CONVERSATION, 0.12),
    (Outcome.THIRD_PARTY_CONVERSATION, 0.05),
    (Outcome.NOT_IN_SERVICE, 0.04),
    (Outcome.WRONG_NUMBER, 0.04),
)


def _single_decision(repeats: int) -> tuple[float, float]:
    situation = DebtorProfile(
        addresses=(Address("h", "US", "NY", city="Albany", postal_code="12207"),),
        contact_points=(
            ContactPoint("m", ContactPointKind.MOBILE, "+15185550142"),
            ContactPoint("l", ContactPointKind.LANDLINE, "+15185550143", place=Place.HOME),
            ContactPoint("e", ContactPointKind.EMAIL, "debtor@example.com"),
        ),
        consents=(Consent(ConsentKind.TCPA_PRIOR_EXPRESS, DAY_START - timedelta(days=400), "m"),),
        debts=(
            Debt("d1", "credit_card", validation_notice_sent_on=DAY - timedelta(days=80)),
            Debt("d2", "medical", validation_notice_sent_on=DAY - timedelta(days=50)),
        ),
    )
    rng = np.random.default_rng(SEED)
    history = []
    for index in range(20):
        channel = (Channel.CALL, Channel.CALL, Channel.CALL, Channel.SMS, Channel.EMAIL)[index % 5]
        outcome = {
            Channel.CALL: (Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.BUSY)[index % 3],
            Channel.SMS: Outcome.DELIVERED,
            Channel.EMAIL: Outcome.SENT,
        }[channel]
        if index == 7:
            outcome = Outcome.RIGHT_PARTY_CONVERSATION
        point = {Channel.CALL: ("m", "l")[index % 2], Channel.SMS: "m", Channel.EMAIL: "e"}
        history.append(
            HistoryEvent(
                DAY_START - timedelta(minutes=int(rng.integers(60, 30 * 24 * 60))),
                channel,
                Direction.OUTBOUND,
                outcome,
                (("d1", "d2")[index % 2],),
                point[channel],
            )
        )
    history.sort(key=lambda event: event.at)
    ledger = tuple(history)
    moments = [DAY_START + timedelta(hours=12, minutes=int(m)) for m in rng.integers(0, 600, 64)]
    # A campaign well under the 3 % abandon limit, so the dialer rules pass and every rule runs.
    campaign = CampaignFigures(abandoned_30d=20, live_answered_30d=1000)
    proposals = [
        ProposedContact(at, Channel.CALL, "d1", "m", autodialled=True, campaign=campaign)
        for at in moments
    ]
    for proposal in proposals:  # warm the caches (zones, phone parsing, pack selection)
        decide(situation, ledger, proposal)
    timings = []
    for index in range(repeats):
        proposal = proposals[index % len(proposals)]
        started = time.perf_counter_ns()
        decide(situation, ledger, proposal)
        timings.append(time.perf_counter_ns() - started)
    timings.sort()
    return statistics.median(timings) / 1000, timings[int(len(timings) * 0.99)] / 1000


def _choice(
    rng: np.random.Generator, weighted: tuple[tuple[object, float], ...], size: int
) -> np.ndarray:
    weights = np.array([weight for _item, weight in weighted])
    return rng.choice(len(weighted), size=size, p=weights / weights.sum())


def _rich_situation(location: int, kind: int) -> DebtorProfile:
    """A debtor with a hold or a consent; ``kind`` picks which (the stand-in for real variety)."""
    addresses = LOCATIONS[location][0]
    received = DAY_START - timedelta(days=3 + kind % 40, minutes=kind * 7 % 1440)
    variants = (
        {"holds": (Hold(HoldKind.CEASE, received),)},
        {"holds": (Hold(HoldKind.DISPUTE, received),)},
        {"holds": (Hold(HoldKind.ATTORNEY, received),)},
        {"holds": (Hold(HoldKind.BANKRUPTCY, received),)},
        {"holds": (Hold(HoldKind.MEDIUM_OPT_OUT, received, channels=(Channel.SMS,)),)},
        {"holds": (Hold(HoldKind.HARDSHIP, received, released_at=DAY_START + timedelta(days=9)),)},
        {"consents": (Consent(ConsentKind.TCPA_PRIOR_EXPRESS, received, "0"),)},
        {
            "consents": (
                Consent(
                    ConsentKind.ELECTRONIC, received, revoked_at=DAY_START + timedelta(hours=15)
                ),
            )
        },
    )
    extra = variants[kind % len(variants)]
    debt = Debt("0", validation_notice_sent_on=DAY - timedelta(days=10 + kind % 90))
    return DebtorProfile(addresses=addresses, contact_points=POINTS, debts=(debt,), **extra)  # type: ignore[arg-type]


def _targets(
    n_debtors: int, rng: np.random.Generator, registry: ProfileRegistry
) -> tuple[pl.DataFrame, float]:
    """The targets frame and the seconds spent canonicalising the profiles (the part of the
    batch that runs on value objects; building the plain columns stands for loading them)."""
    options = BatchOptions()
    location = _choice(
        rng, tuple((index, share) for index, (_a, share) in enumerate(LOCATIONS)), n_debtors
    )
    rich = rng.random(n_debtors) < RICH_SHARE
    # Plain debtors: one canonical profile per (location, channel).
    plain_ids = np.zeros((len(LOCATIONS), len(TARGET_CHANNELS)), dtype=np.uint32)
    for index, (addresses, _share) in enumerate(LOCATIONS):
        situation = DebtorProfile(addresses=addresses, contact_points=POINTS, debts=(Debt("0"),))
        for column, (channel, point) in enumerate(TARGET_CHANNELS):
            target = Target(0, "0", channel, str(point))
            plain_ids[index, column] = registry.intern(
                target_profile(situation, (), target, DAY, options)
            )
    profile_ids = plain_ids[location]  # (n_debtors, 3)
    started = time.perf_counter()
    wanted = [Target(0, "0", channel, str(point)) for channel, point in TARGET_CHANNELS]
    for debtor in np.flatnonzero(rich).tolist():
        situation = _rich_situation(int(location[debtor]), debtor)
        for column, profile in enumerate(target_profiles(situation, (), wanted, DAY, options)):
            profile_ids[debtor, column] = registry.intern(profile)
    profiling_seconds = time.perf_counter() - started
    debtor_ids = np.repeat(np.arange(n_debtors, dtype=np.int64), len(TARGET_CHANNELS))
    rows = np.tile(np.arange(len(TARGET_CHANNELS)), n_debtors)
    channels = pl.Series([channel.value for channel, _p in TARGET_CHANNELS], dtype=CHANNEL)
    points = np.array([point for _c, point in TARGET_CHANNELS], dtype=np.int8)
    frame = pl.DataFrame(
        {
            "debtor_id": debtor_ids,
            "debt_id": pl.repeat("0", len(debtor_ids), eager=True),
            "debt_key": debtor_ids,
            "channel": channels.gather(rows),
            "contact_point_id": points[rows],
            "profile_id": profile_ids.reshape(-1),
        }
    )
    return frame, profiling_seconds


def _coded(values: list[str], dtype: pl.DataType, codes: np.ndarray) -> pl.Series:
    """An enum column from integer codes (fast: no Python strings per row)."""
    return pl.Series(values, dtype=dtype).gather(codes)


def _events(n_debtors: int, n_events: int, rng: np.random.Generator) -> pl.DataFrame:
    channel_names = [channel.value for channel, _w in EVENT_CHANNELS]
    channel = _choice(rng, EVENT_CHANNELS, n_events)
    outcome_names = [outcome.value for outcome, _w in CALL_OUTCOMES] + [
        Outcome.LIMITED_CONTENT_MESSAGE.value,
        Outcome.DELIVERED.value,
    ]
    outcome = np.where(
        channel == channel_names.index("call"),
        _choice(rng, CALL_OUTCOMES, n_events),
        np.where(
            channel == channel_names.index("voicemail"), len(CALL_OUTCOMES), len(CALL_OUTCOMES) + 1
        ),
    )
    email = channel == channel_names.index("email")
    point = np.where(email, 2, np.where(rng.random(n_events) < 0.7, 0, 1)).astype(np.int8)
    debtor = rng.integers(0, n_debtors, n_events, dtype=np.int64)
    offsets = rng.integers(60_000_000, HISTORY_DAYS * 86_400_000_000, n_events)
    # Midnight UTC: before the planning day starts in every zone of the portfolio.
    start = int((DAY_START - timedelta(hours=5)).timestamp() * 1_000_000)
    frame = pl.DataFrame(
        {
            "debtor_id": debtor,
            "at": pl.Series(start - offsets).cast(pl.Datetime("us", "UTC")),
            "channel": _coded(channel_names, CHANNEL, channel),
            "direction": _coded(
                ["outbound", "inbound"], DIRECTION, (rng.random(n_events) >= 0.9).astype(np.int8)
            ),
            "outcome": _coded(outcome_names, OUTCOME, outcome),
            "party": _coded(
                ["consumer", "third_party"], PARTY, (rng.random(n_events) >= 0.95).astype(np.int8)
            ),
            "at_consumer_request": rng.random(n_events) < 0.02,
            "contact_point_id": point,
            "point_kind": _coded(["mobile", "landline", "email"], POINT_KIND, point),
            "point_place": _coded(["personal", "home", "personal"], PLACE, point),
            "point_wrong_number": np.zeros(n_events, dtype=bool),
            "debt_key": debtor,
            "attributed": rng.random(n_events) < 0.95,
        }
    )
    return frame.with_columns(
        debt_keys=pl.when(pl.col("attributed"))
        .then(pl.concat_list("debt_key"))
        .otherwise(pl.lit([], dtype=pl.List(pl.Int64)))
    ).drop("debt_key", "attributed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=20_000)
    arguments = parser.parse_args()
    n_debtors = max(int(1_000_000 * arguments.scale), 1)
    n_events = max(int(10_000_000 * arguments.scale), 1)
    median_us, p99_us = _single_decision(arguments.repeats)

    rng = np.random.default_rng(SEED)
    events = _events(n_debtors, n_events, rng)

    def bare_count() -> float:
        started = time.perf_counter()
        events.group_by("debtor_id").len()
        return time.perf_counter() - started

    # The machine may be shared: time the baseline before and after the batch, take the median.
    baseline = [bare_count() for _ in range(3)]
    registry = ProfileRegistry()
    targets, profiling_seconds = _targets(n_debtors, rng, registry)
    started = time.perf_counter()
    result = batch_eligibility(BatchInput(targets, events, registry.profiles), DAY)
    eligibility_seconds = time.perf_counter() - started
    batch_seconds = profiling_seconds + eligibility_seconds
    allowed = int(result.get_column("allowed_today").sum())
    baseline += [bare_count() for _ in range(2)]
    groupby_seconds = statistics.median(baseline)

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = batch_seconds / groupby_seconds
    print(
        json.dumps(
            {
                "bench": "compliance",
                "scale": arguments.scale,
                "single_decision_median_us": round(median_us, 1),
                "single_decision_p99_us": round(p99_us, 1),
                "single_decision_ledger": "20 attempts over 30 days",
                "batch_debtors": n_debtors,
                "batch_events": n_events,
                "batch_targets": targets.height,
                "batch_profiles": len(registry.profiles),
                "batch_allowed_targets": allowed,
                "batch_seconds": round(batch_seconds, 3),
                "batch_profiling_seconds": round(profiling_seconds, 3),
                "batch_eligibility_seconds": round(eligibility_seconds, 3),
                "groupby_count_seconds": round(groupby_seconds, 3),
                "batch_to_groupby_ratio": round(ratio, 2),
                "peak_rss_mb": round(peak_rss_mb, 1),
                "history_days": HISTORY_DAYS,
                "targets_met": {
                    "single_decision_median_under_50us": median_us < 50,
                    "batch_under_15s": batch_seconds < 15,
                    "ratio_at_most_5x": ratio <= 5,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
