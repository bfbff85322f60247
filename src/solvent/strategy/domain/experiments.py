"""Champion/challenger: stable assignment of accounts to arms, and the statistics that compare arms.

Assignment hashes "<experiment key>:<account id>" with BLAKE2b (8-byte digest, big-endian) into
10,000 buckets, so an account stays in its arm across runs, processes and machines, and percentages
are honoured to 0.01 %. Python's ``hash()`` is salted per process and is never used.

The metrics use the collections glossary's definitions (as docs/wallboard.md does): rates over
attempts, right-party contacts, promises whose due date plus grace has passed, and accounts, with Wilson intervals and a two-sided pooled two-proportion
z-test; collected per account with a normal-approximation interval and Welch's test when the
per-account amounts are given.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, variance

import polars as pl

BUCKETS = 10_000
SIGNIFICANCE = 0.05


def _bucket(account_id: int, experiment_key: str) -> int:
    digest = hashlib.blake2b(f"{experiment_key}:{account_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % BUCKETS


def _thresholds(arms: Sequence[tuple[str, int]]) -> list[tuple[int, str]]:
    """Each arm's upper bucket bound (exclusive), in the order given."""
    if not arms:
        raise ValueError("an experiment needs at least one arm")
    if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for _, p in arms):
        raise ValueError("arm percentages must be whole numbers >= 0")
    total = sum(percent for _, percent in arms)
    if total != 100:
        raise ValueError(f"arm percentages sum to {total}, not 100")
    bounds: list[tuple[int, str]] = []
    upper = 0
    for arm, percent in arms:
        upper += percent * (BUCKETS // 100)
        bounds.append((upper, arm))
    return bounds


def _arm(bucket: int, bounds: list[tuple[int, str]]) -> str:
    for upper, arm in bounds:
        if bucket < upper:
            return arm
    raise AssertionError("percentages sum to 100, so every bucket has an arm")


def arm_for(account_id: int, experiment_key: str, arms: Sequence[tuple[str, int]]) -> str:
    """The arm of this account in this experiment; ``arms`` are (name, percent), summing to 100."""
    return _arm(_bucket(account_id, experiment_key), _thresholds(arms))


def arms_assign(
    account_ids: Sequence[int] | pl.Series, experiment_key: str, arms: Sequence[tuple[str, int]]
) -> list[str]:
    """``arm_for`` for many accounts (the percentages are checked once)."""
    bounds = _thresholds(arms)
    return [_arm(_bucket(int(account_id), experiment_key), bounds) for account_id in account_ids]


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence} must lie between 0 and 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def proportion_interval(
    successes: int, trials: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there are no trials."""
    if successes < 0 or trials < 0 or successes > trials:
        raise ValueError(f"{successes} successes in {trials} trials")
    z = _z(confidence)
    if trials == 0:
        return (0.0, 1.0)
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def _two_sided(z: float) -> float:
    return 2 * (1 - NormalDist().cdf(abs(z)))


def two_proportion_p(s1: int, n1: int, s2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test; 1.0 when it is undefined."""
    if n1 <= 0 or n2 <= 0:
        return 1.0
    pooled = (s1 + s2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 1.0
    error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return _two_sided((s1 / n1 - s2 / n2) / error)


def mean_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) by the normal approximation (mean ± z·s/√n).

    With fewer than 2 values the spread is unknown: the interval is (-inf, inf) (mean 0 for none).
    """
    z = _z(confidence)
    if len(values) < 2:
        mean = float(values[0]) if values else 0.0
        return (mean, -math.inf, math.inf)
    mean = fmean(values)
    half = z * math.sqrt(variance(values) / len(values))
    return (mean, mean - half, mean + half)


def welch_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided p-value of the difference of two means, Welch's statistic read on the normal.

    t = (mean_a - mean_b) / sqrt(s_a²/n_a + s_b²/n_b) with sample variances. Without scipy the
    t distribution is approximated by the standard normal, which is close for the arm sizes of an
    experiment (hundreds of accounts and more) and slightly optimistic below ~30 per arm.
    1.0 when either side has fewer than 2 values; with no spread at all, 0.0 if the means differ.
    """
    if len(a) < 2 or len(b) < 2:
        return 1.0
    error = math.sqrt(variance(a) / len(a) + variance(b) / len(b))
    difference = fmean(a) - fmean(b)
    if error == 0:
        return 1.0 if difference == 0 else 0.0
    return _two_sided(difference / error)


@dataclass(frozen=True)
class ArmFigures:
    """One arm's counts over the experiment's period (money in minor units).

    ``complaints`` counts accounts with at least one complaint (the complaint rate is a proportion
    of accounts); ``promises_due`` are promises whose due date plus grace has passed.
    """

    arm: str
    accounts: int
    attempts: int
    contacts: int
    rpcs: int
    promises: int
    promises_due: int
    promises_kept: int
    collected_minor: int
    cost_minor: int
    complaints: int


@dataclass(frozen=True)
class MetricComparison:
    """One metric for both arms: numerators, denominators, rates, intervals, and the test.

    ``difference`` is challenger minus champion. Rates are None when the denominator is 0;
    intervals and the p-value are None when the data cannot give them (cost per unit collected,
    or collected per account without per-account amounts). ``challenger_better`` is True only when
    the difference is significant and goes the metric's good way (``higher_is_better``).
    """

    metric: str
    label: str
    champion_numerator: int
    champion_denominator: int
    challenger_numerator: int
    challenger_denominator: int
    champion_rate: float | None
    challenger_rate: float | None
    champion_interval: tuple[float, float] | None
    challenger_interval: tuple[float, float] | None
    difference: float | None
    p_value: float | None
    significant: bool
    higher_is_better: bool

    @property
    def challenger_better(self) -> bool:
        if not self.significant or self.difference is None:
            return False
        return (self.difference > 0) == self.higher_is_better


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _difference(champion: float | None, challenger: float | None) -> float | None:
    return None if champion is None or challenger is None else challenger - champion


# (metric, label, numerator field, denominator field, higher is better)
_PROPORTIONS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("contact_rate", "contact rate", "contacts", "attempts", True),
    ("rpc_rate", "right-party contact rate", "rpcs", "attempts", True),
    ("promise_rate", "promise rate", "promises", "rpcs", True),
    ("kept_rate", "kept rate", "promises_kept", "promises_due", True),
    ("complaint_rate", "complaint rate", "complaints", "accounts", False),
)


def _proportion(
    metric: str, label: str, champion: tuple[int, int], challenger: tuple[int, int], higher: bool
) -> MetricComparison:
    (s1, n1), (s2, n2) = champion, challenger
    # A count above its denominator (two complaints from one account) is a data error upstream;
    # the rate shows it as given, the interval and the test read it as "every one".
    capped1, capped2 = min(s1, n1), min(s2, n2)
    p_value = two_proportion_p(capped2, n2, capped1, n1)
    rate1, rate2 = _rate(s1, n1), _rate(s2, n2)
    return MetricComparison(
        metric,
        label,
        s1,
        n1,
        s2,
        n2,
        rate1,
        rate2,
        proportion_interval(capped1, n1),
        proportion_interval(capped2, n2),
        _difference(rate1, rate2),
        p_value,
        p_value < SIGNIFICANCE,
        higher,
    )


def _collected_per_account(
    champion: ArmFigures,
    challenger: ArmFigures,
    per_account_collected: dict[str, Sequence[int]] | None,
) -> MetricComparison:
    """Collected per account in currency units; intervals and Welch's test from per-account sums."""
    rate1 = _rate(champion.collected_minor, champion.accounts)
    rate2 = _rate(challenger.collected_minor, challenger.accounts)
    rate1 = None if rate1 is None else rate1 / 100
    rate2 = None if rate2 is None else rate2 / 100
    intervals: list[tuple[float, float] | None] = [None, None]
    p_value: float | None = None
    per_account = per_account_collected or {}
    if champion.arm in per_account and challenger.arm in per_account:
        samples = [
            [v / 100 for v in per_account[figures.arm]] for figures in (champion, challenger)
        ]
        intervals = [mean_interval(sample)[1:] for sample in samples]
        p_value = welch_p(samples[1], samples[0])
    return MetricComparison(
        "collected_per_account",
        "collected per account",
        champion.collected_minor,
        champion.accounts,
        challenger.collected_minor,
        challenger.accounts,
        rate1,
        rate2,
        intervals[0],
        intervals[1],
        _difference(rate1, rate2),
        p_value,
        p_value is not None and p_value < SIGNIFICANCE,
        True,
    )


def compare(
    champion: ArmFigures,
    challenger: ArmFigures,
    per_account_collected: dict[str, Sequence[int]] | None = None,
) -> list[MetricComparison]:
    """Every metric of the two arms, in the order a results page shows them.

    ``per_account_collected`` maps an arm's name to the amount (minor units) collected from each of
    its accounts, zeros included; without it collected per account has no interval or test.
    Cost per currency unit collected (cost / collected) is a ratio of sums with no test here.
    """
    comparisons = [
        _proportion(
            metric,
            label,
            (getattr(champion, top), getattr(champion, bottom)),
            (getattr(challenger, top), getattr(challenger, bottom)),
            higher,
        )
        for metric, label, top, bottom, higher in _PROPORTIONS
    ]
    comparisons.insert(4, _collected_per_account(champion, challenger, per_account_collected))
    cost1 = _rate(champion.cost_minor, champion.collected_minor)
    cost2 = _rate(challenger.cost_minor, challenger.collected_minor)
    comparisons.insert(
        5,
        MetricComparison(
            "cost_per_collected",
            "cost per currency unit collected",
            champion.cost_minor,
            champion.collected_minor,
            challenger.cost_minor,
            challenger.collected_minor,
            cost1,
            cost2,
            None,
            None,
            _difference(cost1, cost2),
            None,
            False,
            False,
        ),
    )
    return comparisons
