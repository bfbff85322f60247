"""Champion/challenger: stable assignment and the statistics that compare two arms."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

import polars as pl
import pytest

from solvent.strategy.domain.experiments import (
    ArmFigures,
    arm_for,
    arms_assign,
    compare,
    mean_interval,
    proportion_interval,
    two_proportion_p,
    welch_p,
)

HALVES = [("champion", 50), ("challenger", 50)]


@pytest.mark.parametrize(
    ("account_id", "bucket_arm"),
    [
        (1, "challenger"),
        (2, "challenger"),
        (3, "challenger"),
        (42, "champion"),
        (1_000_000, "challenger"),
    ],
)
def test_assignment_is_pinned_so_it_never_changes_between_releases_or_machines(
    account_id, bucket_arm
):
    # Buckets 6692, 9612, 7390, 875 and 7037 of BLAKE2b-64("early-sms-first:<id>") mod 10,000.
    assert arm_for(account_id, "early-sms-first", HALVES) == bucket_arm


def test_the_bucket_boundaries_follow_the_percentages_in_the_order_given():
    # Bucket 875: inside the first 10 % (0-999), outside the first 5 % (0-499).
    assert arm_for(42, "early-sms-first", [("a", 10), ("b", 90)]) == "a"
    assert arm_for(42, "early-sms-first", [("a", 5), ("b", 95)]) == "b"
    assert arm_for(42, "early-sms-first", [("a", 0), ("b", 100)]) == "b"


def test_another_experiment_shuffles_the_accounts_afresh():
    ids = range(1, 2001)
    first = [arm_for(i, "one", HALVES) for i in ids]
    second = [arm_for(i, "two", HALVES) for i in ids]

    agreement = sum(a == b for a, b in zip(first, second, strict=True)) / len(first)

    assert 0.45 < agreement < 0.55


def test_proportions_hold_within_tolerance_over_100_000_accounts():
    arms = [("champion", 70), ("challenger_a", 20), ("challenger_b", 10)]

    counts = Counter(arms_assign(pl.Series(range(100_000)), "spread", arms))

    # Three standard errors of a binomial share at n = 100,000 are under 0.45 points.
    for arm, percent in arms:
        assert abs(counts[arm] / 100_000 - percent / 100) < 0.0045, (arm, counts[arm])


def test_arms_assign_equals_arm_for_one_by_one():
    ids = random.Random(12).sample(range(10**9), 500)

    assert arms_assign(ids, "k", HALVES) == [arm_for(i, "k", HALVES) for i in ids]


@pytest.mark.parametrize(
    "arms", [[("a", 60), ("b", 30)], [("a", 50), ("b", 51)], [], [("a", 110), ("b", -10)]]
)
def test_percentages_that_do_not_sum_to_100_are_refused(arms):
    with pytest.raises(ValueError, match=r"percentages|arm"):
        arm_for(1, "k", arms)


def test_the_wilson_interval_matches_the_textbook_values():
    low, high = proportion_interval(10, 100)

    assert (round(low, 4), round(high, 4)) == (0.0552, 0.1744)
    assert proportion_interval(0, 0) == (0.0, 1.0)
    assert proportion_interval(0, 50)[0] == 0.0
    assert proportion_interval(50, 50)[1] == 1.0


def test_a_wider_confidence_gives_a_wider_interval():
    narrow = proportion_interval(30, 200, 0.90)
    wide = proportion_interval(30, 200, 0.99)

    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_the_pooled_two_proportion_test_matches_a_hand_computation():
    # p = 0.15 pooled, se = sqrt(.15 * .85 * (2/100)) = 0.0505; z = 0.10 / 0.0505 = 1.980.
    assert two_proportion_p(10, 100, 20, 100) == pytest.approx(0.0477, abs=1e-4)
    assert two_proportion_p(0, 100, 0, 100) == 1.0
    assert two_proportion_p(3, 0, 1, 10) == 1.0


def test_mean_interval_and_welch_read_the_spread_of_the_values():
    mean, low, high = mean_interval([1.0, 2.0, 3.0, 4.0])

    # s = 1.291; s / sqrt(4) = 0.6455; 1.96 * 0.6455 = 1.265.
    assert (mean, round(low, 3), round(high, 3)) == (2.5, 1.235, 3.765)
    assert mean_interval([5.0])[1:] == (-math.inf, math.inf)
    assert welch_p([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 1.0
    assert welch_p([1.0], [2.0, 3.0]) == 1.0
    assert welch_p([2.0, 2.0], [3.0, 3.0]) == 0.0
    far_apart = welch_p([float(v) for v in range(100)], [float(v) + 30 for v in range(100)])
    assert far_apart < 1e-9


def figures(arm: str, **values: int) -> ArmFigures:
    base = {
        "accounts": 1000,
        "attempts": 5000,
        "contacts": 1500,
        "rpcs": 600,
        "promises": 200,
        "promises_due": 150,
        "promises_kept": 90,
        "collected_minor": 5_000_000,
        "cost_minor": 500_000,
        "complaints": 10,
    }
    return ArmFigures(arm, **{**base, **values})


def test_compare_reports_every_metric_with_numerator_and_denominator():
    champion = figures("champion")
    challenger = figures("challenger", rpcs=700, complaints=3, collected_minor=6_000_000)

    by_metric = {m.metric: m for m in compare(champion, challenger, None)}

    assert list(by_metric) == [
        "contact_rate",
        "rpc_rate",
        "promise_rate",
        "kept_rate",
        "collected_per_account",
        "cost_per_collected",
        "complaint_rate",
    ]
    rpc = by_metric["rpc_rate"]
    assert (rpc.champion_numerator, rpc.champion_denominator) == (600, 5000)
    assert rpc.difference == pytest.approx(0.02)
    assert rpc.significant and rpc.challenger_better
    assert by_metric["promise_rate"].challenger_denominator == 700
    complaints = by_metric["complaint_rate"]
    assert complaints.difference == pytest.approx(-0.007)
    # 10 vs 3 in 1,000: z = 0.007 / 0.00359 = 1.95, just short of significance at 5 %.
    assert complaints.p_value == pytest.approx(0.0514, abs=1e-3)
    assert not complaints.significant and not complaints.challenger_better
    assert by_metric["collected_per_account"].champion_rate == 50.0
    assert by_metric["collected_per_account"].p_value is None
    cost = by_metric["cost_per_collected"]
    assert cost.champion_rate == 0.1
    assert cost.challenger_rate == pytest.approx(0.0833, abs=1e-4)
    assert not cost.higher_is_better


def test_collected_per_account_is_tested_from_the_per_account_amounts():
    rng = random.Random(7)
    per_account: dict[str, Sequence[int]] = {
        "champion": [rng.choice([0, 0, 0, 10_000]) for _ in range(400)],
        "challenger": [rng.choice([0, 0, 10_000, 10_000]) for _ in range(400)],
    }
    champion = figures("champion", accounts=400, collected_minor=sum(per_account["champion"]))
    challenger = figures("challenger", accounts=400, collected_minor=sum(per_account["challenger"]))

    metric = next(
        m for m in compare(champion, challenger, per_account) if m.metric == "collected_per_account"
    )

    assert metric.p_value is not None and metric.p_value < 0.001
    assert metric.challenger_better
    assert metric.champion_interval is not None and metric.champion_rate is not None
    assert metric.champion_interval[0] < metric.champion_rate < metric.champion_interval[1]


def test_an_arm_with_no_attempts_has_no_rate_and_nothing_significant():
    empty = figures(
        "challenger", attempts=0, contacts=0, rpcs=0, promises=0, promises_due=0, promises_kept=0
    )

    contact = compare(figures("champion"), empty)[0]

    assert contact.challenger_rate is None and contact.difference is None
    assert contact.p_value == 1.0 and not contact.significant
