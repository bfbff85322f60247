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


def cap_flag(cap: CapDefinition, since: str) -> pl.Expr:
    counted = (
        _within("channel", cap.channels)
        & _within("outcome", cap.outcomes)
        & _within("direction", cap.directions)
        & ~_excluded()
        & _point_class(cap.point_class)
        & (pl.col("at") >= pl.col(since))
    )
    if cap.exclude_consumer_requested:
        counted = counted & ~pl.col("at_consumer_request")
    return counted.fill_null(value=False)


def cooldown_flag(cooldown: CooldownDefinition, since: str) -> pl.Expr:
    return (
        _within("outcome", cooldown.trigger_outcomes)
        & _within("channel", cooldown.trigger_channels)
        & ~_excluded()
        & (pl.col("at") >= pl.col(since))
    ).fill_null(value=False)


@dataclass(frozen=True, slots=True)
class HistoryCounts:
    """Sums of each flag column per debtor, per (debtor, debt key) and per (debtor, point)."""

    per_debtor: pl.DataFrame
    per_debt: pl.DataFrame  # includes the null key: unattributed events
    per_point: pl.DataFrame
    conversed: pl.DataFrame  # debtor ids with a right-party conversation before the day


def history_counts(
    events: pl.DataFrame, debtors: pl.DataFrame, rules: HistoryRules
) -> HistoryCounts:
    """Count the ledger for ``debtors`` (``debtor_id``, ``day_start``, ``since_cap{k}``, ...)."""
    flags = rules.cap_columns + rules.cooldown_columns
    since_columns = [f"since_{name}" for name in flags]
    lower = debtors.select(pl.min_horizontal(since_columns).min()).item() if flags else None
    upper = debtors.get_column("day_start").max()
    lazy = events.lazy()
    if lower is not None:
        lazy = lazy.filter(pl.col("at") >= lower)
    if upper is not None:
        lazy = lazy.filter(pl.col("at") < upper)
    flagged = (
        lazy.join(debtors.lazy(), on="debtor_id", how="inner")
        .filter(pl.col("at") < pl.col("day_start"))
        .with_columns(
            *[cap_flag(cap, f"since_cap{k}").alias(f"cap{k}") for k, cap in enumerate(rules.caps)],
            *[
                cooldown_flag(cooldown, f"since_cd{j}").alias(f"cd{j}")
                for j, cooldown in enumerate(rules.cooldowns)
            ],
        )
        .select("debtor_id", "contact_point_id", "debt_keys", *flags)
    )
    if flags:
        flagged = flagged.filter(pl.any_horizontal(flags))
    counted = flagged.collect()
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
        _conversed(events, debtors)
        if rules.needs_conversation
        else debtors.select("debtor_id").clear()
    )
    return HistoryCounts(per_debtor, per_debt, per_point, conversed)


def _sums(frame: pl.DataFrame, keys: list[str], flags: list[str]) -> pl.DataFrame:
    return frame.group_by(keys).agg(pl.col(flag).sum().cast(pl.Int64) for flag in flags)


def _conversed(events: pl.DataFrame, debtors: pl.DataFrame) -> pl.DataFrame:
    """Debtors with a right-party conversation before the day (caps counted only after one)."""
    return (
        events.lazy()
        .filter(pl.col("outcome") == Outcome.RIGHT_PARTY_CONVERSATION.value)
        .join(debtors.lazy().select("debtor_id", "day_start"), on="debtor_id", how="inner")
        .filter(pl.col("at") < pl.col("day_start"))
        .select("debtor_id")
        .unique()
        .collect()
    )
