"""The history-dependent part, vectorised: cap usage and cool-downs from the contact ledger.

Mirrors the engine's evaluators for a ledger that ends before the planning day: an event counts
toward a cap when its channel, outcome and direction are in the cap's sets, it was with the
consumer on a number not known to be wrong, it was not made at the consumer's request (when the
cap excludes those), its contact point is in the cap's class, and its local date in the counting
zone lies in the ``window_days`` days ending on the planning day. With every event before the day,
the binding rolling window is the one ending on the day (E-03), so that is a comparison of the
event's instant with the local midnight starting the window. A cool-down is active when a trigger
event falls in its ``days`` days ending on the planning day (the event's date is day 1).

Counting happens at three granularities, each only over the rows that can count there: per
debtor (every flag, also serving targets without a debt), per debtor and debt key (exploded
``debt_keys``; unattributed events form the null key and count toward every debt) and per debtor
and contact point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from solvent.compliance.domain.model import CapScope, ContactPointKind, Outcome, Party, Place
from solvent.compliance.domain.rules import CapDefinition, CooldownDefinition, PointClass


@dataclass(frozen=True, slots=True)
class HistoryRules:
    """The distinct caps and cool-downs of a run; column ``cap{k}`` / ``cd{j}`` is rule k / j."""

    caps: tuple[CapDefinition, ...]
    cooldowns: tuple[CooldownDefinition, ...]

    @classmethod
    def of(
        cls, caps: Iterable[CapDefinition], cooldowns: Iterable[CooldownDefinition]
    ) -> HistoryRules:
        return cls(tuple(dict.fromkeys(caps)), tuple(dict.fromkeys(cooldowns)))

    @property
    def cap_columns(self) -> list[str]:
        return [f"cap{index}" for index in range(len(self.caps))]

    @property
    def cooldown_columns(self) -> list[str]:
        return [f"cd{index}" for index in range(len(self.cooldowns))]

    def per_debt(self) -> list[str]:
        caps = [f"cap{k}" for k, cap in enumerate(self.caps) if cap.scope is CapScope.PER_DEBT]
        cooldowns = [
            f"cd{j}" for j, cd in enumerate(self.cooldowns) if cd.scope is CapScope.PER_DEBT
        ]
        return caps + cooldowns

    def per_point(self) -> list[str]:
        return [
            f"cap{k}" for k, cap in enumerate(self.caps) if cap.scope is CapScope.PER_CONTACT_POINT
        ]

    @property
    def needs_conversation(self) -> bool:
        return any(cap.after_first_conversation for cap in self.caps)


def _within(column: str, values: Iterable[str]) -> pl.Expr:
    return pl.col(column).is_in(sorted(values))


def _excluded() -> pl.Expr:
    return (
        (pl.col("party") != Party.CONSUMER.value)
        | (pl.col("outcome") == Outcome.WRONG_NUMBER.value)
        | pl.col("point_wrong_number").fill_null(value=False)
    )


def _point_class(point_class: PointClass) -> pl.Expr:
    if point_class is PointClass.ANY:
        return pl.lit(value=True)
    unknown = pl.col("point_kind").is_null()
    if point_class is PointClass.WORKPLACE:
        return unknown | (pl.col("point_place") == Place.WORK.value)
    residence_or_cell = (pl.col("point_kind") == ContactPointKind.MOBILE.value) | (
        pl.col("point_place") == Place.HOME.value
    )
    if point_class is PointClass.RESIDENCE_OR_CELL:
        return unknown | residence_or_cell
    return unknown | ~residence_or_cell


def cap_counts(cap: CapDefinition) -> pl.Expr:
    """Would this event count toward ``cap``, its date aside?"""
    counted = (
        _within("channel", cap.channels)
        & _within("outcome", cap.outcomes)
        & _within("direction", cap.directions)
        & ~_excluded()
        & _point_class(cap.point_class)
    )
    if cap.exclude_consumer_requested:
        counted = counted & ~pl.col("at_consumer_request")
    return counted.fill_null(value=False)


def cooldown_triggers(cooldown: CooldownDefinition) -> pl.Expr:
    """Would this event start ``cooldown``, its date aside?"""
    return (
        _within("outcome", cooldown.trigger_outcomes)
        & _within("channel", cooldown.trigger_channels)
        & ~_excluded()
    ).fill_null(value=False)


@dataclass(frozen=True, slots=True)
class HistoryCounts:
    """Sums of each flag column per debtor, per (debtor, debt key) and per (debtor, point)."""

    per_debtor: pl.DataFrame
    per_debt: pl.DataFrame  # includes the null key: unattributed events
    per_point: pl.DataFrame
    conversed: pl.DataFrame  # debtor ids with a right-party conversation before the day


def history_counts(
    events: pl.DataFrame, debtors: pl.DataFrame, bounds: pl.DataFrame, rules: HistoryRules
) -> HistoryCounts:
    """Count the ledger of ``debtors`` (``debtor_id``, ``profile_id``).

    ``bounds`` gives per profile the planning day's start and, per rule column, the instant its
    window opens (``since_<column>``, null when the rule does not apply to the profile).
    """
    flags = rules.cap_columns + rules.cooldown_columns
    opening: dict[str, datetime] = {}
    if flags and not debtors.is_empty():
        lowest = bounds.select(pl.col(f"since_{flag}").min() for flag in flags).row(0)
        opening = {
            flag: moment for flag, moment in zip(flags, lowest, strict=True) if moment is not None
        }
    if opening:
        counted = _counted(events, debtors, bounds, rules, flags, opening)
    else:
        counted = events.select(
            "debtor_id",
            "contact_point_id",
            "debt_keys",
            *[pl.lit(value=False).alias(flag) for flag in flags],
        ).clear()
    return _counts(counted, events, debtors, bounds, rules, flags)


def _counted(
    events: pl.DataFrame,
    debtors: pl.DataFrame,
    bounds: pl.DataFrame,
    rules: HistoryRules,
    flags: list[str],
    opening: dict[str, datetime],
) -> pl.DataFrame:
    """One row per event that counts somewhere, with a boolean column per rule."""
    latest = bounds.get_column("day_start").max()
    rules_by_flag: dict[str, pl.Expr] = {
        **{f"cap{k}": cap_counts(cap) for k, cap in enumerate(rules.caps)},
        **{f"cd{j}": cooldown_triggers(cd) for j, cd in enumerate(rules.cooldowns)},
    }
    live = list(opening)
    # Cheap, conservative filters first (the earliest window of any debtor), the join after.
    candidates = (
        events.lazy()
        .filter((pl.col("at") >= min(opening.values())) & (pl.col("at") < latest))
        .select(
            "debtor_id",
            "at",
            "contact_point_id",
            "debt_keys",
            *[(rules_by_flag[flag] & (pl.col("at") >= opening[flag])).alias(flag) for flag in live],
        )
        .filter(pl.any_horizontal(live))
    )
    return (
        candidates.join(debtors.lazy(), on="debtor_id", how="inner")
        .join(bounds.lazy(), on="profile_id", how="left")
        .filter(pl.col("at") < pl.col("day_start"))
        .select(
            "debtor_id",
            "contact_point_id",
            "debt_keys",
            *[
                (pl.col(flag) & (pl.col("at") >= pl.col(f"since_{flag}")))
                .fill_null(value=False)
                .alias(flag)
                for flag in live
            ],
            *[pl.lit(value=False).alias(flag) for flag in flags if flag not in opening],
        )
        .filter(pl.any_horizontal(live))
        .collect()
    )


def _counts(
    counted: pl.DataFrame,
    events: pl.DataFrame,
    debtors: pl.DataFrame,
    bounds: pl.DataFrame,
    rules: HistoryRules,
    flags: list[str],
) -> HistoryCounts:
    per_debtor = _sums(counted, ["debtor_id"], flags)
    debt_flags = rules.per_debt()
    per_debt = _sums(
        (counted.filter(pl.any_horizontal(debt_flags)) if debt_flags else counted.clear()).explode(
            "debt_keys", empty_as_null=True
        ),
        ["debtor_id", "debt_keys"],
        debt_flags,
    ).rename({"debt_keys": "debt_key"})
    point_flags = rules.per_point()
    per_point = _sums(
        counted.filter(pl.any_horizontal(point_flags)) if point_flags else counted.clear(),
        ["debtor_id", "contact_point_id"],
        point_flags,
    )
    conversed = (
        _conversed(events, debtors, bounds)
        if rules.needs_conversation
        else debtors.select("debtor_id").clear()
    )
    return HistoryCounts(per_debtor, per_debt, per_point, conversed)


def _sums(frame: pl.DataFrame, keys: list[str], flags: list[str]) -> pl.DataFrame:
    return frame.group_by(keys).agg(pl.col(flag).sum().cast(pl.Int64) for flag in flags)


def _conversed(events: pl.DataFrame, debtors: pl.DataFrame, bounds: pl.DataFrame) -> pl.DataFrame:
    """Debtors with a right-party conversation before the day (caps counted only after one)."""
    return (
        events.lazy()
        .filter(pl.col("outcome") == Outcome.RIGHT_PARTY_CONVERSATION.value)
        .select("debtor_id", "at")
        .join(debtors.lazy(), on="debtor_id", how="inner")
        .join(bounds.lazy().select("profile_id", "day_start"), on="profile_id", how="left")
        .filter(pl.col("at") < pl.col("day_start"))
        .select("debtor_id")
        .unique()
        .collect()
    )
