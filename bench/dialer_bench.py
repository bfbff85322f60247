"""Dialer pacing benchmark: Solvent's modes against baselines and a clairvoyant bound, in SimPy.

Two suites of campaign-days (8 hours at --scale 1):

- stress (the default; issue 14): a real day's stresses, each a campaign continuing from 29 days
  of history unless named `new`: the list switched mid-day to half the answer rate, a third of
  the agents pausing at once (unannounced) and coming back, agents logging in late and leaving
  early, answer rates by hour, realistic answering-machine detection (1.5% of people taken for
  machines, 3-5 s to decide) and detection off with machines reaching agents, invalid numbers,
  short and long talk mixes, 5 and 200 agents, the UK 24-hour window;
- grid: the original 36 cold days (5/20/100 agents, 10/25/50% answering, 3/6-minute talks,
  machines or not).

Each scenario runs `--seeds` days (seeds pooled: counts and seconds add up; the abandon targets
hold for every day and every window). Each policy dials the same pre-drawn call fates and the
same agent shifts (common random numbers), so differences are differences of pacing.

Policies: solvent_preview, solvent_progressive (the 1:1 baseline), solvent_predictive, the best
fixed dial level in hindsight (grid search per day), vicidial_adaptive, and clairvoyant. Reported
per scenario: occupancy over the day and its first hour (first eighth), abandon rates (the day,
the worst day, the worst 24-hour window and the 30-day window with history), the ratio to the
clairvoyant bound (day and first hour) and the targets.

Output: the seeds, one JSON line per scenario as it finishes, then one summary JSON line (last).

    .venv/bin/python bench/dialer_bench.py --scale 0.05 --seeds 1
    .venv/bin/python bench/dialer_bench.py --markdown table.md --plot docs/dialer-occupancy-vs-abandon.png
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from solvent.dialer.domain.clairvoyant import clairvoyant_day
from solvent.dialer.domain.pacing import DialMode, MachineHandling, PacingSettings
from solvent.dialer.domain.simulation import SimulationResult, simulate_day
from solvent.dialer.domain.simulation_model import CallStreams, Scenario
from solvent.dialer.domain.simulation_policies import (
    SolventPacing,
    VicidialAdaptive,
    best_fixed_level_in_hindsight,
)

ABANDON_LIMIT = 0.03
FULL_DAY_SECONDS = 8 * 3600.0
SOLVENT_MODES = ("solvent_preview", "solvent_progressive", "solvent_predictive")
POLICY_ORDER = (
    "solvent_preview",
    "solvent_progressive",
    "solvent_predictive",
    "fixed_best_hindsight",
    "vicidial_adaptive",
    "clairvoyant",
)
SEED_STRIDE = 1000
# Answer rates by hour over an 8-hour day: a slow morning, a lunch lull, a strong evening.
HOURLY_PROFILE = (0.7, 0.9, 1.1, 0.8, 0.9, 1.0, 1.3, 1.4)
HISTORY_DAYS = 29


def scenarios(scale: float, seed: int) -> list[Scenario]:
    """The original grid: 36 campaign-days starting cold (no history)."""
    day = max(FULL_DAY_SECONDS * scale, 900.0)
    grid = itertools.product((5, 20, 100), (0.10, 0.25, 0.50), (180.0, 360.0), (False, True))
    return [
        Scenario(
            agents=agents,
            answer_probability=answer,
            mean_talk_seconds=talk,
            answering_machines=machines,
            day_seconds=day,
            seed=seed + number,
        )
        for number, (agents, answer, talk, machines) in enumerate(grid)
    ]


def stress_scenarios(scale: float, seed: int) -> list[Scenario]:
    """The real day's stresses (issue 14), each a campaign continuing from its history unless
    named `new`; 20 agents, 25% answering, 3-minute talks and detection unless named otherwise."""
    day = max(FULL_DAY_SECONDS * scale, 900.0)

    def scenario(number: int, label: str, **changes: Any) -> Scenario:
        base: dict[str, Any] = {
            "agents": 20,
            "answer_probability": 0.25,
            "mean_talk_seconds": 180.0,
            "answering_machines": True,
            "day_seconds": day,
            "seed": seed + 100 + number,
            "history_days": HISTORY_DAYS,
            "label": label,
        }
        base.update(changes)
        return Scenario(**base)

    realistic_amd = {
        "detection_false_positive_rate": 0.015,
        "false_positive_margin": 0.005,
        "detection_delay_seconds": (3.0, 5.0),
        "detection_accuracy": 0.8,
    }
    return [
        scenario(0, "base"),
        scenario(1, "switch", list_switch_at=0.4),
        scenario(2, "switch", agents=100, answer_probability=0.10, list_switch_at=0.4),
        scenario(3, "pause", mass_pause_at=0.35),
        scenario(4, "lateearly", late_early_share=1.0 / 3.0),
        scenario(5, "byhour", answer_by_period=HOURLY_PROFILE),
        scenario(6, "realamd", **realistic_amd),
        scenario(7, "", machine_detection=False),
        scenario(8, "invalid", invalid_share=0.2),
        scenario(9, "quickmix", quick_hangup_share=0.35),
        scenario(10, "longmix", mean_talk_seconds=480.0, quick_hangup_share=0.2),
        scenario(11, "new", agents=5, answer_probability=0.10, history_days=0),
        scenario(12, "hist", agents=5, answer_probability=0.10),
        scenario(13, "new", agents=20, answer_probability=0.10, history_days=0),
        scenario(14, "base", agents=200, answer_probability=0.25),
        scenario(15, "uk24h", enforce_24_hour_window=True, answer_by_period=HOURLY_PROFILE),
        scenario(16, "uk24h", agents=5, enforce_24_hour_window=True, **realistic_amd),
    ]


def settings_for(scenario: Scenario, mode: DialMode) -> PacingSettings:
    if not scenario.uses_detection and scenario.answering_machines:
        handling = MachineHandling.CONNECT
    elif scenario.leave_limited_content_message:
        handling = MachineHandling.LEAVE_MESSAGE
    else:
        handling = MachineHandling.DETECT_AND_DROP
    return PacingSettings(
        mode=mode,
        target_abandon_rate=ABANDON_LIMIT,
        ring_timeout_seconds=scenario.ring_timeout_seconds,
        machine_handling=handling,
        max_lines=scenario.line_cap,
        enforce_24_hour_window=scenario.enforce_24_hour_window,
    )


def run_day(scenario: Scenario) -> dict[str, Any]:
    """Every policy on one scenario-day (one seed)."""
    streams = CallStreams(scenario)
    results: dict[str, SimulationResult] = {}
    modes_used: dict[str, int] = {}
    for mode in DialMode:
        policy = SolventPacing(settings_for(scenario, mode))
        results[policy.name] = simulate_day(scenario, policy, streams)
        if mode is DialMode.PREDICTIVE:
            modes_used = dict(policy.modes_used)
    search = best_fixed_level_in_hindsight(scenario, streams, abandon_limit=ABANDON_LIMIT)
    results["fixed_best_hindsight"] = search.best
    # VICIdial's default adaptive_maximum_level is 3.0; the campaign's line cap applies too.
    vicidial = VicidialAdaptive(maximum_level=min(3.0, scenario.line_cap / scenario.agents))
    results["vicidial_adaptive"] = simulate_day(scenario, vicidial, streams)
    results["clairvoyant"] = clairvoyant_day(scenario, streams)
    return {
        "scenario": scenario,
        "results": results,
        "best_level": search.best_level,
        "levels_tried": len(search.tried),
        "modes_used": modes_used,
    }


def pool(results: list[SimulationResult]) -> SimulationResult:
    """Several seeds' days as one: counts and seconds add up, windows keep their worst."""
    pooled = SimulationResult(policy=results[0].policy, scenario=results[0].scenario)
    for result in results:
        for name in (
            "dials",
            "answered_live",
            "abandoned",
            "machines",
            "no_answer",
            "busy",
            "invalid",
            "in_progress_at_close",
            "unseen_abandons",
            "connected_to_agent",
            "right_party_contacts",
            "talk_seconds",
            "wrap_up_seconds",
            "logged_in_seconds",
            "first_period_seconds",
            "first_busy_seconds",
            "first_logged_in_seconds",
            "first_answered_live",
            "first_abandoned",
        ):
            setattr(pooled, name, getattr(pooled, name) + getattr(result, name))
        pooled.worst_24_hour_rate = max(pooled.worst_24_hour_rate, result.worst_24_hour_rate)
        pooled.rate_30_days = max(pooled.rate_30_days, result.rate_30_days)
    return pooled


def scenario_row(days: list[dict[str, Any]]) -> dict[str, Any]:
    scenario: Scenario = days[0]["scenario"]
    pooled = {name: pool([day["results"][name] for day in days]) for name in POLICY_ORDER}

    def worst_day_rate(name: str) -> float:
        return float(max(day["results"][name].abandon_rate for day in days))

    def worst_window(name: str) -> float:
        """The day's rate, the 30-day window (with history) and, where the campaign keeps the
        UK rule, every 24-hour window: the windows that apply to the scenario."""
        rates = [worst_day_rate(name)]
        if scenario.history_days:
            rates.append(pooled[name].rate_30_days)
            if scenario.enforce_24_hour_window:
                rates.append(pooled[name].worst_24_hour_rate)
        return max(rates)

    predictive = pooled["solvent_predictive"]
    fixed = pooled["fixed_best_hindsight"]
    vici = pooled["vicidial_adaptive"]
    bound = pooled["clairvoyant"]
    targets: dict[str, bool] = {
        "abandon_within_limit_every_day_and_window": all(
            worst_window(name) <= ABANDON_LIMIT for name in SOLVENT_MODES
        ),
        "occupancy_at_least_best_fixed_day": predictive.occupancy >= fixed.occupancy,
        "occupancy_at_least_best_fixed_first_hour": (
            predictive.first_period_occupancy >= fixed.first_period_occupancy
        ),
    }
    if scenario.agents >= 20:
        targets["occupancy_above_vicidial"] = predictive.occupancy > vici.occupancy
    modes = Counter[str]()
    for day in days:
        modes.update(day["modes_used"])
    ticks = sum(modes.values()) or 1

    def ratio(value: float, reference: float) -> float | None:
        return round(value / reference, 4) if reference else None

    policies = {}
    for name in POLICY_ORDER:
        metrics = pooled[name].metrics()
        metrics["worst_day_abandon_rate"] = round(worst_day_rate(name), 4)
        metrics["worst_window_abandon_rate"] = round(worst_window(name), 4)
        policies[name] = metrics
    return {
        "scenario": scenario.name,
        "agents": scenario.agents,
        "answer_probability": scenario.answer_probability,
        "mean_talk_seconds": scenario.mean_talk_seconds,
        "answering_machines": scenario.answering_machines,
        "history_days": scenario.history_days,
        "uk_24_hour_window": scenario.enforce_24_hour_window,
        "day_seconds": scenario.day_seconds,
        "seeds": [day["scenario"].seed for day in days],
        "max_lines": scenario.line_cap,
        "policies": policies,
        "best_fixed_levels": [day["best_level"] for day in days],
        "predictive_share_of_decisions": round(modes.get("predictive", 0) / ticks, 3),
        "ratio_to_clairvoyant": ratio(predictive.occupancy, bound.occupancy),
        "ratio_to_clairvoyant_first_hour": ratio(
            predictive.first_period_occupancy, bound.first_period_occupancy
        ),
        "gap_closed_vicidial_to_clairvoyant": round(
            (predictive.occupancy - vici.occupancy) / (bound.occupancy - vici.occupancy), 3
        )
        if bound.occupancy > vici.occupancy
        else None,
        "every_call_accounted_for": all(
            _books_balance(day["results"][name]) for day in days for name in POLICY_ORDER
        ),
        "targets": targets,
        "targets_met": all(targets.values()),
    }


def _books_balance(result: SimulationResult) -> bool:
    return result.dials == (
        result.answered_live
        + result.machines
        + result.no_answer
        + result.busy
        + result.invalid
        + result.in_progress_at_close
    )


def summarise(rows: list[dict[str, Any]], scale: float, elapsed: float) -> dict[str, Any]:
    def values(policy: str, metric: str) -> list[float]:
        return [row["policies"][policy][metric] for row in rows]

    failures = [
        f"{row['scenario']}:{name}"
        for row in rows
        for name, met in row["targets"].items()
        if not met
    ]
    ratios = [row["ratio_to_clairvoyant"] for row in rows if row["ratio_to_clairvoyant"]]
    first = [
        row["ratio_to_clairvoyant_first_hour"]
        for row in rows
        if row["ratio_to_clairvoyant_first_hour"]
    ]
    gaps = [
        row["gap_closed_vicidial_to_clairvoyant"]
        for row in rows
        if row["gap_closed_vicidial_to_clairvoyant"] is not None and row["agents"] >= 20
    ]
    large = [row for row in rows if row["agents"] >= 20]
    return {
        "summary": True,
        "benchmark": "dialer_pacing",
        "scale": scale,
        "scenarios": len(rows),
        "all_targets_met": not failures,
        "target_failures": failures,
        "max_abandon_rate_any_day_or_window": {
            name: max(values(name, "worst_window_abandon_rate")) for name in POLICY_ORDER
        },
        "mean_abandon_rate": {
            name: round(statistics.fmean(values(name, "abandon_rate")), 4) for name in POLICY_ORDER
        },
        "mean_occupancy": {
            name: round(statistics.fmean(values(name, "occupancy")), 4) for name in POLICY_ORDER
        },
        "mean_first_hour_occupancy": {
            name: round(statistics.fmean(values(name, "first_hour_occupancy")), 4)
            for name in POLICY_ORDER
        },
        "mean_occupancy_20_plus_agents": {
            name: round(statistics.fmean(row["policies"][name]["occupancy"] for row in large), 4)
            for name in POLICY_ORDER
        }
        if large
        else {},
        "mean_rpc_per_agent_hour": {
            name: round(statistics.fmean(values(name, "rpc_per_agent_hour")), 3)
            for name in POLICY_ORDER
        },
        "ratio_to_clairvoyant": {
            "mean": round(statistics.fmean(ratios), 4) if ratios else None,
            "min": min(ratios) if ratios else None,
            "first_hour_mean": round(statistics.fmean(first), 4) if first else None,
            "first_hour_min": min(first) if first else None,
        },
        "mean_gap_closed_vicidial_to_clairvoyant_20_plus": round(statistics.fmean(gaps), 3)
        if gaps
        else None,
        "every_call_accounted_for": all(row["every_call_accounted_for"] for row in rows),
        "elapsed_seconds": round(elapsed, 1),
    }


def plot(rows: list[dict[str, Any]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(10, 6))
    markers = {5: "o", 20: "s", 100: "^", 200: "D"}
    colours = dict(zip(POLICY_ORDER, plt.get_cmap("tab10").colors, strict=False))
    for name in POLICY_ORDER:
        for agents, marker in markers.items():
            points = [
                (
                    row["policies"][name]["worst_window_abandon_rate"] * 100,
                    row["policies"][name]["occupancy"],
                )
                for row in rows
                if row["agents"] == agents
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                axes.scatter(
                    xs,
                    ys,
                    marker=marker,
                    color=colours[name],
                    alpha=0.75,
                    label=f"{name}, {agents} agents",
                )
    axes.axvline(ABANDON_LIMIT * 100, color="red", linestyle="--", linewidth=1)
    axes.annotate(
        "3% limit",
        xy=(ABANDON_LIMIT * 100, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(4, -14),
        textcoords="offset points",
        color="red",
    )
    axes.set_xlabel("abandon rate, % of calls answered by a person (one point per scenario-day)")
    axes.set_ylabel("agent occupancy = (talk + wrap-up) / logged-in")
    axes.set_title(f"Dialer pacing: occupancy against abandon rate, {len(rows)} scenarios")
    axes.set_xlim(left=-0.2)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, ncol=1)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The per-scenario tables of docs/dialer.md: the day, its first hour, the windows."""
    short = {
        "solvent_preview": "preview",
        "solvent_progressive": "progressive (1:1)",
        "solvent_predictive": "**predictive**",
        "fixed_best_hindsight": "best fixed (levels)",
        "vicidial_adaptive": "VICIdial adaptive",
        "clairvoyant": "clairvoyant",
    }
    names = POLICY_ORDER[1:]
    header = (
        "| scenario | "
        + " | ".join(short[name] for name in names)
        + " | ratio day / 1st hour | met |"
    )
    lines = [header, "|" + " --- |" * (len(names) + 3)]
    ordered = sorted(rows, key=lambda row: row["scenario"])
    for row in ordered:
        cells = []
        for name in names:
            metrics = row["policies"][name]
            cell = f"{metrics['occupancy']:.3f} / {metrics['worst_window_abandon_rate'] * 100:.1f}%"
            if name == "fixed_best_hindsight":
                levels = ", ".join(f"{level:g}" for level in row["best_fixed_levels"])
                cell += f" ({levels})"
            cells.append(cell)
        met = "yes" if row["targets_met"] else "**no**"
        first = row["ratio_to_clairvoyant_first_hour"]
        lines.append(
            f"| {row['scenario']} | "
            + " | ".join(cells)
            + f" | {row['ratio_to_clairvoyant']:.3f} / {first or 0:.3f} | {met} |"
        )
    lines += ["", _first_hour_table(ordered)]
    return "\n".join(lines) + "\n"


def _first_hour_table(ordered: list[dict[str, Any]]) -> str:
    """First-hour occupancy, the abandon windows and the share of predictive decisions."""
    header = (
        "| scenario | first hour: predictive / best fixed / progressive / VICIdial | "
        "predictive abandons: day (worst seed), 24 h worst, 30 d | predictive decisions | "
        "targets missed |"
    )
    lines = [header, "|" + " --- |" * 5]
    for row in ordered:
        policies = row["policies"]
        predictive = policies["solvent_predictive"]
        first = " / ".join(
            f"{policies[name]['first_hour_occupancy']:.3f}"
            for name in (
                "solvent_predictive",
                "fixed_best_hindsight",
                "solvent_progressive",
                "vicidial_adaptive",
            )
        )
        windows = f"{predictive['abandon_rate'] * 100:.2f}% ({predictive['worst_day_abandon_rate'] * 100:.2f}%)"
        if row["history_days"]:
            windows += (
                f", {predictive['worst_24_hour_rate'] * 100:.2f}%,"
                f" {predictive['rate_30_days'] * 100:.2f}%"
            )
        missed = ", ".join(name for name, met in row["targets"].items() if not met) or "none"
        lines.append(
            f"| {row['scenario']} | {first} | {windows} | "
            f"{row['predictive_share_of_decisions']:.0%} | {missed} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of an 8-hour day")
    parser.add_argument("--plot", help="write a PNG of occupancy against abandon rate here")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--seeds", type=int, default=3, help="days (seeds) pooled per scenario")
    parser.add_argument(
        "--suite",
        choices=("stress", "grid", "all"),
        default="stress",
        help="the real day's stresses (issue 14), the original 36-scenario grid, or both",
    )
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    parser.add_argument("--markdown", help="write the per-scenario tables (Markdown) here")
    arguments = parser.parse_args(argv)

    started = time.perf_counter()
    grid: list[Scenario] = []
    if arguments.suite in ("stress", "all"):
        grid += stress_scenarios(arguments.scale, arguments.seed)
    if arguments.suite in ("grid", "all"):
        grid += scenarios(arguments.scale, arguments.seed)
    if arguments.only:
        grid = [scenario for scenario in grid if arguments.only in scenario.name]
    days = [
        replace(scenario, seed=scenario.seed + SEED_STRIDE * number)
        for scenario in grid
        for number in range(arguments.seeds)
    ]
    # Largest floors first, so the workers finish together.
    days.sort(key=lambda scenario: (-scenario.agents, scenario.answer_probability))
    print(json.dumps({"seeds": [s.seed for s in grid], "seeds_per_scenario": arguments.seeds}))
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows: list[dict[str, Any]] = []

    def collect(day: dict[str, Any]) -> None:
        name = day["scenario"].name
        by_name[name].append(day)
        if len(by_name[name]) == arguments.seeds:
            row = scenario_row(sorted(by_name[name], key=lambda d: d["scenario"].seed))
            rows.append(row)
            print(json.dumps(row), flush=True)

    if arguments.processes > 1:
        with multiprocessing.Pool(arguments.processes) as pool_of_workers:
            for day in pool_of_workers.imap_unordered(run_day, days):
                collect(day)
    else:
        for scenario in days:
            collect(run_day(scenario))
    if arguments.plot:
        plot(rows, arguments.plot)
    if arguments.markdown:
        with open(arguments.markdown, "w", encoding="utf-8") as table:
            table.write(markdown_table(rows))
    print(json.dumps(summarise(rows, arguments.scale, time.perf_counter() - started)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
