"""The fairness report of a propensity model: outcomes by protected-proxy group, computed OUTSIDE it.

The groups (age band from the date of birth, region from the current address, preferred language)
are never model inputs (``propensity.EXCLUDED_FIELDS``); they are joined to the validation snapshot
only to show, per group, how many accounts, the mean score, the observed pay rate and the share of
the group's accounts in the top decile of the score (the accounts the plan works first), with that
share's ratio to the best-served group's (the "four-fifths" yardstick). It shows disparities; it
does not prove their cause or their absence in the real population (see the ADR).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import polars as pl

UNKNOWN = "unknown"
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (25, "18-24"),
    (35, "25-34"),
    (45, "35-44"),
    (55, "45-54"),
    (65, "55-64"),
)
OLDEST_BAND = "65+"
GROUP_DIMENSIONS: tuple[str, ...] = ("age_band", "region", "language")

# US Census Bureau regions by state code: wide enough that each group has accounts in it.
_CENSUS_REGIONS: dict[str, str] = {
    "US-Northeast": "CT ME MA NH RI VT NJ NY PA",
    "US-Midwest": "IL IN MI OH WI IA KS MN MO NE ND SD",
    "US-South": "DE DC FL GA MD NC SC VA WV AL KY MS TN AR LA OK TX",
    "US-West": "AZ CO ID MT NV NM UT WY AK CA HI OR WA",
}
_REGION_OF_STATE = {
    state: region for region, states in _CENSUS_REGIONS.items() for state in states.split()
}


def age_band(date_of_birth: str | None, on: date) -> str:
    """The age band on ``on`` of an ISO date of birth ("" or unreadable: unknown)."""
    if not date_of_birth:
        return UNKNOWN
    try:
        born = date.fromisoformat(date_of_birth)
    except ValueError:
        return UNKNOWN
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age < 18:
        return UNKNOWN
    for upper, band in AGE_BANDS:
        if age < upper:
            return band
    return OLDEST_BAND


def region_group(country: str | None, region: str | None) -> str:
    """The census region of a US state, else the country (no address: unknown)."""
    country_code = (country or "").upper()
    if not country_code:
        return UNKNOWN
    if country_code == "US":
        return _REGION_OF_STATE.get((region or "").upper(), "US-other")
    return country_code


def top_decile(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """True for the accounts in the top tenth by score (ties broken by position, stable)."""
    p = np.asarray(scores, dtype=np.float64)
    chosen = np.zeros(len(p), dtype=bool)
    count = int(np.ceil(len(p) / 10))
    if count:
        chosen[np.argsort(-p, kind="mergesort")[:count]] = True
    return chosen


def fairness_table(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Per dimension and group: accounts, mean score, observed pay rate, top-decile accounts and
    share, and that share over the highest group's share of the same dimension.

    ``frame`` has one row per validation account: ``score``, ``label`` (0/1) and one column per
    ``GROUP_DIMENSIONS``."""
    if frame.is_empty():
        return []
    scored = frame.with_columns(top=pl.Series(top_decile(frame.get_column("score").to_numpy())))
    rows: list[dict[str, Any]] = []
    for dimension in GROUP_DIMENSIONS:
        groups = (
            scored.group_by(pl.col(dimension).fill_null(UNKNOWN).alias("group"))
            .agg(
                accounts=pl.len(),
                mean_score=pl.col("score").mean(),
                observed_rate=pl.col("label").mean(),
                top_decile=pl.col("top").sum(),
            )
            .with_columns(top_decile_share=pl.col("top_decile") / pl.col("accounts"))
            .sort("group")
        )
        best = groups.get_column("top_decile_share").max()
        for group in groups.iter_rows(named=True):
            share = float(group["top_decile_share"])
            rows.append(
                {
                    "dimension": dimension,
                    "group": group["group"],
                    "accounts": int(group["accounts"]),
                    "mean_score": float(group["mean_score"]),
                    "observed_rate": float(group["observed_rate"]),
                    "top_decile": int(group["top_decile"]),
                    "top_decile_share": share,
                    "ratio_to_highest": share / float(best) if best else None,  # type: ignore[arg-type]
                }
            )
    return rows
