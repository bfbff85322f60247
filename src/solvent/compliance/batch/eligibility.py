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


def _profile_frame(
    days: dict[int, ProfileDay], rules: HistoryRules, day: date
) -> tuple[pl.DataFrame, dict[int, tuple[int, ...]]]:
    cap_index = {cap: k for k, cap in enumerate(rules.caps)}
    cooldown_index = {cooldown: j for j, cooldown in enumerate(rules.cooldowns)}
    signatures: dict[tuple[int, ...], int] = {}
    rows: list[dict[str, object]] = []
    for profile_id, profile_day in days.items():
        row: dict[str, object] = {
            "profile_id": profile_id,
            "exact": profile_day.exact,
            "located": profile_day.counting_zone is not None,
            "day_start": profile_day.day_start,
            "windows": [{"start": start, "end": end} for start, end in profile_day.windows],
            "profile_blocking": list(profile_day.blocking),
            "exact_caps": [
                {"rule_id": s.rule_id, "limit": s.limit, "used": s.used, "remaining": s.remaining}
                for s in profile_day.cap_states
            ],
        }
        signature: tuple[int, ...] = ()
        if not profile_day.exact:
            signature = tuple(cap_index[cap] for cap in profile_day.caps)
            tz = zone(profile_day.counting_zone) if profile_day.counting_zone else None
            for cap, applies in zip(profile_day.caps, profile_day.caps_apply, strict=True):
                k = cap_index[cap]
                row[f"applies_cap{k}"] = applies
                if tz is not None:
                    row[f"since_cap{k}"] = local_midnight(day - (cap.window_days - 1) * ONE_DAY, tz)
            for cooldown, applies in zip(
                profile_day.cooldowns, profile_day.cooldowns_apply, strict=True
            ):
                j = cooldown_index[cooldown]
                row[f"applies_cd{j}"] = applies
                if tz is not None:
                    row[f"since_cd{j}"] = local_midnight(day - (cooldown.days - 1) * ONE_DAY, tz)
        row["signature"] = signatures.setdefault(signature, len(signatures))
        rows.append(row)
    schema: dict[str, pl.DataType] = {
        "profile_id": pl.UInt32(),
        "exact": pl.Boolean(),
        "located": pl.Boolean(),
        "day_start": UTC_TIME,
        "windows": pl.List(WINDOW),
        "profile_blocking": pl.List(pl.String()),
        "exact_caps": pl.List(CAP),
        "signature": pl.UInt32(),
    }
    for name in (*rules.cap_columns, *rules.cooldown_columns):
        schema[f"applies_{name}"] = pl.Boolean()
        schema[f"since_{name}"] = UTC_TIME
    frame = pl.DataFrame(rows, schema=schema)
    return frame.with_columns(
        pl.col(f"applies_{name}").fill_null(value=False)
        for name in (*rules.cap_columns, *rules.cooldown_columns)
    ), _signature_table(signatures)


def _signature_table(signatures: dict[tuple[int, ...], int]) -> dict[int, tuple[int, ...]]:
    return {number: signature for signature, number in signatures.items()}


def _used(rules: HistoryRules, counts_present: bool) -> list[pl.Expr]:
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
    joined = (
        frame.join(debtor, on="debtor_id", how="left")
        .join(keyed, on=["debtor_id", "debt_key"], how="left")
        .join(unattributed, on="debtor_id", how="left")
        .join(point, on=["debtor_id", "contact_point_id"], how="left", nulls_equal=True)
        .join(
            counts.conversed.with_columns(conversed=pl.lit(value=True)), on="debtor_id", how="left"
        )
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


def _caps_list(rules: HistoryRules, signatures: dict[int, tuple[int, ...]]) -> pl.Expr:
    expression: pl.Expr = pl.lit([], dtype=pl.List(CAP))
    for number, signature in signatures.items():
        if not signature:
            continue
        items = [
            pl.struct(
                pl.lit(rules.caps[k].rule_id).alias("rule_id"),
                pl.lit(rules.caps[k].limit, pl.Int64).alias("limit"),
                pl.col(f"used{k}").alias("used"),
                pl.max_horizontal(
                    pl.lit(rules.caps[k].limit, pl.Int64) - pl.col(f"used{k}"), pl.lit(0, pl.Int64)
                ).alias("remaining"),
            )
            for k in signature
        ]
        expression = (
            pl.when(pl.col("signature") == number).then(pl.concat_list(items)).otherwise(expression)
        )
    return expression


def _history_blocking(rules: HistoryRules) -> tuple[pl.Expr, pl.Expr]:
    """(any history rule blocks, the list of their rule ids)."""
    blocked: list[pl.Expr] = []
    ids: list[pl.Expr] = []
    for k, cap in enumerate(rules.caps):
        if cap.severity is not Severity.BLOCK:
            continue
        hit = pl.col(f"applies_cap{k}") & (pl.col(f"used{k}") >= cap.limit)
        blocked.append(hit)
        ids.append(pl.when(hit).then(pl.lit(cap.rule_id)))
    for j, cooldown in enumerate(rules.cooldowns):
        hit = pl.col(f"active{j}")
        blocked.append(hit)
        ids.append(pl.when(hit).then(pl.lit(cooldown.rule_id)))
    if not blocked:
        return pl.lit(value=False), pl.lit([], dtype=pl.List(pl.String()))
    return pl.any_horizontal(blocked), pl.concat_list(ids).list.drop_nulls()


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
    profiles, signatures = _profile_frame(days, rules, day)
    frame = targets.join(profiles, on="profile_id", how="left")
    located = frame.filter(~pl.col("exact") & pl.col("located"))
    since = [f"since_{name}" for name in (*rules.cap_columns, *rules.cooldown_columns)]
    debtors = located.select("debtor_id", "day_start", *since).unique("debtor_id", keep="any")
    counts = history_counts(batch.events, debtors, rules)
    frame = _missing_columns(_attach_counts(frame, counts, rules), rules)
    frame = frame.with_columns(*_used(rules, True), *_cooldown_active(rules))
    blocked, blocking_ids = _history_blocking(rules)
    vector = frame.with_columns(history_blocked=blocked, history_ids=blocking_ids)
    result = vector.sort("target_row").select(
        "debtor_id",
        "debt_id",
        "channel",
        "contact_point_id",
        pl.when(pl.col("exact") | ~pl.col("history_blocked"))
        .then(pl.col("windows"))
        .otherwise(pl.lit([], dtype=pl.List(WINDOW)))
        .alias("windows"),
        pl.when(pl.col("exact"))
        .then(pl.col("exact_caps"))
        .otherwise(_caps_list(rules, signatures))
        .alias("caps"),
        pl.when(pl.col("exact"))
        .then(pl.col("profile_blocking"))
        .otherwise(pl.concat_list("profile_blocking", "history_ids").list.unique().list.sort())
        .alias("blocking_rule_ids"),
    )
    return result.with_columns(allowed_today=pl.col("windows").list.len() > 0).select(
        RESULT_COLUMNS
    )
