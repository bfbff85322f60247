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
ledger is counted with group-bys (``history.py``), and the two are combined with expressions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from solvent.compliance.batch.day import ProfileDay, evaluate_profile_day
from solvent.compliance.batch.frames import UTC_TIME, BatchInput
from solvent.compliance.batch.history import HistoryCounts, HistoryRules, history_counts
from solvent.compliance.batch.profiles import TargetProfile
from solvent.compliance.domain.localtime import ONE_DAY, local_midnight, zone
from solvent.compliance.domain.model import CapScope, Severity
from solvent.compliance.domain.packs import ALL_PACKS
from solvent.compliance.domain.rules import RulePack

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
    return {index: evaluate_profile_day(profiles[index], day, packs) for index in profile_ids}


def _profile_frame(days: dict[int, ProfileDay], rules: HistoryRules, day: date) -> pl.DataFrame:
    """One row per profile: exact or not, the day's start and, per cap and cool-down, whether it
    applies to the target and the instant its counting window opens (null when absent)."""
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
            for cap, applies in zip(profile_day.caps, profile_day.caps_apply, strict=True):
                k = cap_index[cap]
                row[f"applies_cap{k}"] = applies
                row[f"since_cap{k}"] = local_midnight(day - (cap.window_days - 1) * ONE_DAY, tz)
            for cooldown, applies in zip(
                profile_day.cooldowns, profile_day.cooldowns_apply, strict=True
            ):
                j = cooldown_index[cooldown]
                row[f"applies_cd{j}"] = applies
                row[f"since_cd{j}"] = local_midnight(day - (cooldown.days - 1) * ONE_DAY, tz)
        rows.append(row)
    schema: dict[str, pl.DataType] = {
        "profile_id": pl.UInt32(),
        "exact": pl.Boolean(),
        "located": pl.Boolean(),
        "day_start": UTC_TIME,
    }
    for name in (*rules.cap_columns, *rules.cooldown_columns):
        schema[f"applies_{name}"] = pl.Boolean()
        schema[f"since_{name}"] = UTC_TIME
    frame = pl.DataFrame(rows, schema=schema)
    return frame.with_columns(
        pl.col(f"applies_{name}").fill_null(value=False)
        for name in (*rules.cap_columns, *rules.cooldown_columns)
    )


def _used(rules: HistoryRules) -> list[pl.Expr]:
    """``used{k}``: the usage of cap k for each target, by the cap's scope."""
    expressions = []
    for k, cap in enumerate(rules.caps):
        name = f"cap{k}"
        if cap.scope is CapScope.PER_DEBT:
            used = (
                pl.when(pl.col("debt_key").is_null())
                .then(pl.col(f"{name}_debtor"))
                .otherwise(pl.col(f"{name}_key") + pl.col(f"{name}_unattributed"))
            )
        elif cap.scope is CapScope.PER_CONTACT_POINT:
            used = pl.col(f"{name}_point")
        else:
            used = pl.col(f"{name}_debtor")
        if cap.after_first_conversation:
            used = pl.when(pl.col("conversed")).then(used).otherwise(0)
        expressions.append(used.alias(f"used{k}"))
    return expressions


def _cooldown_active(rules: HistoryRules) -> list[pl.Expr]:
    expressions = []
    for j, cooldown in enumerate(rules.cooldowns):
        name = f"cd{j}"
        if cooldown.scope is CapScope.PER_DEBT:
            count = (
                pl.when(pl.col("debt_key").is_null())
                .then(pl.col(f"{name}_debtor"))
                .otherwise(pl.col(f"{name}_key") + pl.col(f"{name}_unattributed"))
            )
        else:
            count = pl.col(f"{name}_debtor")
        expressions.append((pl.col(f"applies_{name}") & (count > 0)).alias(f"active{j}"))
    return expressions


def _attach_counts(frame: pl.DataFrame, counts: HistoryCounts, rules: HistoryRules) -> pl.DataFrame:
    flags = rules.cap_columns + rules.cooldown_columns
    debtor = counts.per_debtor.rename({flag: f"{flag}_debtor" for flag in flags})
    keyed = counts.per_debt.filter(pl.col("debt_key").is_not_null())
    debt_flags = rules.per_debt()
    unattributed = (
        counts.per_debt.filter(pl.col("debt_key").is_null())
        .drop("debt_key")
        .rename({flag: f"{flag}_unattributed" for flag in debt_flags})
    )
    keyed = keyed.rename({flag: f"{flag}_key" for flag in debt_flags})
    point = counts.per_point.rename({flag: f"{flag}_point" for flag in rules.per_point()})
    # Debtor-level counts are merged first (a few hundred thousand rows) and joined once.
    per_debtor = debtor.join(unattributed, on="debtor_id", how="full", coalesce=True)
    if rules.needs_conversation:
        per_debtor = per_debtor.join(
            counts.conversed.with_columns(conversed=pl.lit(value=True)),
            on="debtor_id",
            how="full",
            coalesce=True,
        )
    else:
        per_debtor = per_debtor.with_columns(conversed=pl.lit(value=False))
    joined = frame.join(per_debtor, on="debtor_id", how="left")
    if debt_flags:
        joined = joined.join(keyed, on=["debtor_id", "debt_key"], how="left")
    if rules.per_point():
        joined = joined.join(
            point, on=["debtor_id", "contact_point_id"], how="left", nulls_equal=True
        )
    count_columns = [
        name
        for name in joined.columns
        if name.endswith(("_debtor", "_key", "_unattributed", "_point"))
    ]
    return joined.with_columns(
        *[pl.col(name).fill_null(0) for name in count_columns],
        pl.col("conversed").fill_null(value=False),
    )


def _missing_columns(frame: pl.DataFrame, rules: HistoryRules) -> pl.DataFrame:
    """Zero columns for counts a run did not need (no per-point cap, ...)."""
    wanted = []
    for k, _cap in enumerate(rules.caps):
        wanted += [f"cap{k}_debtor", f"cap{k}_key", f"cap{k}_unattributed", f"cap{k}_point"]
    for j, _cooldown in enumerate(rules.cooldowns):
        wanted += [f"cd{j}_debtor", f"cd{j}_key", f"cd{j}_unattributed"]
    return frame.with_columns(
        pl.lit(0, pl.Int64).alias(name) for name in wanted if name not in frame.columns
    )


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
        for cooldown in profile_day.cooldowns:
            if active[rules.cooldowns.index(cooldown)]:
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
    targets = batch.targets.with_row_index("target_row")
    profile_ids = targets.get_column("profile_id").unique().sort().to_list()
    days = evaluate_profiles(batch.profiles, profile_ids, day, packs)
    vector_days = [profile_day for profile_day in days.values() if not profile_day.exact]
    rules = HistoryRules.of(
        (cap for d in vector_days for cap in d.caps),
        (cooldown for d in vector_days for cooldown in d.cooldowns),
    )
    profiles = _profile_frame(days, rules, day)
    frame = targets.join(
        profiles.drop([name for name in profiles.columns if name.startswith("since_")]),
        on="profile_id",
        how="left",
    )
    debtors = (
        frame.filter(~pl.col("exact") & pl.col("located"))
        .select("debtor_id", "profile_id")
        .unique("debtor_id", keep="any")
    )
    bounds = profiles.filter(~pl.col("exact") & pl.col("located")).drop(
        "exact",
        "located",
        *[f"applies_{name}" for name in (*rules.cap_columns, *rules.cooldown_columns)],
    )
    counts = history_counts(batch.events, debtors, bounds, rules)
    frame = _missing_columns(_attach_counts(frame, counts, rules), rules)
    # Exact rows carry their own answer: zero their counts so they share one key per profile.
    keys = [
        "profile_id",
        *[f"used{k}" for k in range(len(rules.caps))],
        *[f"active{j}" for j in range(len(rules.cooldowns))],
    ]
    frame = frame.select(
        "target_row",
        "debtor_id",
        "debt_id",
        "channel",
        "contact_point_id",
        "profile_id",
        *[
            pl.when(pl.col("exact"))
            .then(pl.lit(0, pl.Int64))
            .otherwise(used)
            .alias(used.meta.output_name())
            for used in _used(rules)
        ],
        *[
            (~pl.col("exact") & active).alias(active.meta.output_name())
            for active in _cooldown_active(rules)
        ],
    )
    outcomes = _outcomes(frame.select(keys).unique(), days, rules)
    return frame.join(outcomes, on=keys, how="left").sort("target_row").select(RESULT_COLUMNS)
