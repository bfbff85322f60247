"""Eligibility of a whole portfolio for one planning day: profiles once, history in Polars.

``batch_eligibility`` answers, for every target (debtor, debt, channel, contact point):

* ``windows``: the UTC intervals ``[start, end)`` of the planning day in which ``decide()``
  allows the contact;
* ``allowed_today``: whether there is any such interval;
* ``caps``: every frequency cap the engine evaluates for the target, in the engine's order, as
  ``rule_id``, ``limit``, ``used`` and ``remaining`` (the same figures as ``Decision.caps``);
* ``blocking_rule_ids``: every rule ``decide()`` reports as blocking at some moment of the day.

The planning day is the local date ``day`` in each debtor's counting zone; the ledger is taken as
of the start of that day. Each distinct profile is decided once over the day (``day.py``), the
ledger is counted with group-bys (``history.py``) and attached to the targets (``attach.py``), and
each distinct combination of profile, cap usage and active cool-downs is answered once and joined
back (``_outcome``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from solvent.compliance.domain.localtime import ONE_DAY, local_midnight, zone
from solvent.compliance.domain.model import Severity
from solvent.compliance.domain.packs import ALL_PACKS
from solvent.compliance.domain.rules import RulePack
from solvent.compliance.eligibility.attach import cooldown_columns, used_columns, with_counts
from solvent.compliance.eligibility.day import ProfileDay, evaluate_profile_day
from solvent.compliance.eligibility.frames import UTC_TIME, BatchInput
from solvent.compliance.eligibility.history import HistoryRules, history_counts
from solvent.compliance.eligibility.profiles import TargetProfile

WINDOW = pl.Struct({"start": UTC_TIME, "end": UTC_TIME})
CAP = pl.Struct(
    {"rule_id": pl.String(), "limit": pl.Int64(), "used": pl.Int64(), "remaining": pl.Int64()}
)
RESULT_COLUMNS = (
    "debtor_id",
    "debt_id",
    "channel",
    "contact_point_id",
    "allowed_today",
    "windows",
    "caps",
    "blocking_rule_ids",
)


def evaluate_profiles(
    profiles: Sequence[TargetProfile],
    profile_ids: Sequence[int],
    day: date,
    packs: tuple[RulePack, ...],
) -> dict[int, ProfileDay]:
    """Each profile in use, decided over the planning day."""
    return {index: evaluate_profile_day(profiles[index], day, packs) for index in profile_ids}


def _profile_frame(days: dict[int, ProfileDay], rules: HistoryRules, day: date) -> pl.DataFrame:
    """One row per profile: exact or not, the day's start and, per cap and cool-down, the instant
    its counting window opens (null when the rule is not in the profile's packs)."""
    cap_index = {cap: k for k, cap in enumerate(rules.caps)}
    cooldown_index = {cooldown: j for j, cooldown in enumerate(rules.cooldowns)}
    rows: list[dict[str, object]] = []
    for profile_id, profile_day in days.items():
        row: dict[str, object] = {
            "profile_id": profile_id,
            "exact": profile_day.exact,
            "located": profile_day.counting_zone is not None,
            "day_start": profile_day.day_start,
        }
        if not profile_day.exact and profile_day.counting_zone is not None:
            tz = zone(profile_day.counting_zone)
            for cap in profile_day.caps:
                opens = local_midnight(day - (cap.window_days - 1) * ONE_DAY, tz)
                row[f"since_cap{cap_index[cap]}"] = opens
            for cooldown in profile_day.cooldowns:
                opens = local_midnight(day - (cooldown.days - 1) * ONE_DAY, tz)
                row[f"since_cd{cooldown_index[cooldown]}"] = opens
        rows.append(row)
    schema: dict[str, pl.DataType] = {
        "profile_id": pl.UInt32(),
        "exact": pl.Boolean(),
        "located": pl.Boolean(),
        "day_start": UTC_TIME,
    }
    for name in (*rules.cap_columns, *rules.cooldown_columns):
        schema[f"since_{name}"] = UTC_TIME
    return pl.DataFrame(rows, schema=schema)


def _outcome(
    profile_day: ProfileDay,
    used: tuple[int, ...],
    active: tuple[bool, ...],
    rules: HistoryRules,
) -> dict[str, object]:
    """The answer for one profile under one combination of cap usage and active cool-downs."""
    if profile_day.exact:
        caps = [
            {"rule_id": s.rule_id, "limit": s.limit, "used": s.used, "remaining": s.remaining}
            for s in profile_day.cap_states
        ]
        windows = profile_day.windows
        blocking = list(profile_day.blocking)
    else:
        caps = []
        blockers: set[str] = set()
        for cap, applies in zip(profile_day.caps, profile_day.caps_apply, strict=True):
            count = used[rules.caps.index(cap)]
            remaining = max(cap.limit - count, 0)
            caps.append(
                {"rule_id": cap.rule_id, "limit": cap.limit, "used": count, "remaining": remaining}
            )
            if applies and cap.severity is Severity.BLOCK and count >= cap.limit:
                blockers.add(cap.rule_id)
        for cooldown, applies in zip(
            profile_day.cooldowns, profile_day.cooldowns_apply, strict=True
        ):
            if applies and active[rules.cooldowns.index(cooldown)]:
                blockers.add(cooldown.rule_id)
        windows = () if blockers else profile_day.windows
        blocking = sorted(blockers.union(profile_day.blocking))
    return {
        "allowed_today": bool(windows),
        "windows": [{"start": start, "end": end} for start, end in windows],
        "caps": caps,
        "blocking_rule_ids": blocking,
    }


def _outcomes(keys: pl.DataFrame, days: dict[int, ProfileDay], rules: HistoryRules) -> pl.DataFrame:
    """The answers of every distinct (profile, usage, cool-downs) combination, keyed by it."""
    used_columns = [f"used{k}" for k in range(len(rules.caps))]
    active_columns = [f"active{j}" for j in range(len(rules.cooldowns))]
    answers = [
        _outcome(
            days[row[0]],
            tuple(row[1 : 1 + len(used_columns)]),
            tuple(row[1 + len(used_columns) :]),
            rules,
        )
        for row in keys.select("profile_id", *used_columns, *active_columns).iter_rows()
    ]
    schema = {
        "allowed_today": pl.Boolean(),
        "windows": pl.List(WINDOW),
        "caps": pl.List(CAP),
        "blocking_rule_ids": pl.List(pl.String()),
    }
    return pl.concat([keys, pl.DataFrame(answers, schema=schema)], how="horizontal")


def batch_eligibility(
    batch: BatchInput, day: date, *, packs: tuple[RulePack, ...] = ALL_PACKS
) -> pl.DataFrame:
    """Eligibility of every target in ``batch`` on the planning ``day`` (see the module doc)."""
    targets = batch.targets
    profile_ids = targets.get_column("profile_id").unique().sort().to_list()
    other_days = {batch.profiles[index].day for index in profile_ids} - {day, None}
    if other_days:
        raise ValueError(f"profiles were made for {sorted(other_days)}, not for {day}")
    days = evaluate_profiles(batch.profiles, profile_ids, day, packs)
    vector_days = [profile_day for profile_day in days.values() if not profile_day.exact]
    rules = HistoryRules.of(
        (cap for d in vector_days for cap in d.caps),
        (cooldown for d in vector_days for cooldown in d.cooldowns),
    )
    profiles = _profile_frame(days, rules, day)
    vector = profiles.filter(~pl.col("exact") & pl.col("located"))
    debtors = (
        targets.lazy()
        .filter(pl.col("profile_id").is_in(vector.get_column("profile_id").implode()))
        .select("debtor_id", "profile_id")
        .unique("debtor_id", keep="any")
        .collect()
    )
    bounds = vector.select(
        "profile_id",
        "day_start",
        *[f"since_{name}" for name in (*rules.cap_columns, *rules.cooldown_columns)],
    )
    counts = history_counts(batch.events, debtors, bounds, rules)
    exact_ids = [profile_id for profile_id, profile_day in days.items() if profile_day.exact]
    keys = [
        "profile_id",
        *[f"used{k}" for k in range(len(rules.caps))],
        *[f"active{j}" for j in range(len(rules.cooldowns))],
    ]
    counted = with_counts(targets, counts, rules, exact_ids)
    columns = set(counted.collect_schema().names())
    frame = counted.select(
        "debtor_id",
        "debt_id",
        "channel",
        "contact_point_id",
        "profile_id",
        *used_columns(rules, columns),
        *cooldown_columns(rules, columns),
    ).collect()
    combination, radices = _combination(frame, keys)
    frame = frame.with_columns(combination)
    if radices is not None:
        join_on = ["combination"]
        distinct = _decoded(frame.get_column("combination").unique(), keys, radices)
        outcomes = _outcomes(distinct, days, rules).drop(keys)
    else:
        join_on = ["combination", *keys]
        distinct = frame.select(join_on).unique(join_on, keep="any")
        outcomes = _outcomes(distinct, days, rules)
    return frame.join(outcomes, on=join_on, how="left", maintain_order="left").select(
        RESULT_COLUMNS
    )


def _combination(frame: pl.DataFrame, keys: list[str]) -> tuple[pl.Expr, list[int] | None]:
    """One exact integer per distinct combination of ``keys`` (mixed radix over the observed
    ranges, returned so the integer can be decoded), so that finding and joining the distinct
    answers is a one-column operation. ``None``: the ranges are too wide, the key is a hash."""
    highest = frame.select(pl.col(key).cast(pl.Int64).max() for key in keys).row(0)
    expression: pl.Expr = pl.lit(0, pl.UInt64)
    radices: list[int] = []
    capacity = 1
    for key, top in zip(keys, highest, strict=True):
        radix = int(top or 0) + 1
        capacity *= radix
        if capacity >= 2**63:
            # Too many combinations for one integer: a hash, with every key joined as well.
            return pl.struct(keys).hash().alias("combination"), None
        radices.append(radix)
        expression = expression * radix + pl.col(key).cast(pl.UInt64)
    return expression.alias("combination"), radices


def _decoded(codes: pl.Series, keys: list[str], radices: list[int]) -> pl.DataFrame:
    """The key columns of each distinct combination integer (mixed radix, last key fastest)."""
    rows = []
    for code in codes.to_list():
        digits = []
        for radix in reversed(radices):
            code, digit = divmod(code, radix)
            digits.append(digit)
        rows.append(digits[::-1])
    columns = {key: [row[index] for row in rows] for index, key in enumerate(keys)}
    frame = pl.DataFrame({"combination": codes, **columns})
    return frame.with_columns(
        pl.col(key).cast(pl.Boolean) for key in keys if key.startswith("active")
    )
