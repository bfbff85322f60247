"""Dialer pacing benchmark: Solvent's modes against baselines and a clairvoyant bound, in SimPy.

Every scenario is one working day (8 hours at --scale 1) of a campaign: 5, 20 or 100 agents;
10%, 25% or 50% of dials answered by a person; 3- or 6-minute mean conversations; with or
without answering machines (and detection). Each policy dials the same pre-drawn call fates and
the same agent shifts (common random numbers), so differences are differences of pacing.

Policies: solvent_preview, solvent_progressive (the 1:1 baseline), solvent_predictive, the best
fixed dial level in hindsight (grid search per scenario), vicidial_adaptive, and clairvoyant.

Output: one JSON line per scenario as it finishes, then one summary JSON line (last).

    .venv/bin/python bench/dialer_bench.py --scale 0.05
    .venv/bin/python bench/dialer_bench.py --plot docs/dialer-occupancy-vs-abandon.png
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import statistics
import sys
import time
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
OCCUPANCY_TOLERANCE = 0.01  # "within 1 point" of the best fixed level in hindsight
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


def scenarios(scale: float, seed: int) -> list[Scenario]:
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


def settings_for(scenario: Scenario, mode: DialMode) -> PacingSettings:
    return PacingSettings(
        mode=mode,
        target_abandon_rate=ABANDON_LIMIT,
        ring_timeout_seconds=scenario.ring_timeout_seconds,
        machine_handling=(
            MachineHandling.LEAVE_MESSAGE
            if scenario.leave_limited_content_message
            else MachineHandling.DETECT_AND_DROP
        ),
        max_lines=scenario.line_cap,
    )


def run_scenario(scenario: Scenario) -> dict[str, Any]:
    started = time.perf_counter()
    streams = CallStreams(scenario)
    results: dict[str, SimulationResult] = {}
    modes_used: dict[str, dict[str, int]] = {}
    for mode in DialMode:
        policy = SolventPacing(settings_for(scenario, mode))
        results[policy.name] = simulate_day(scenario, policy, streams)
        modes_used[policy.name] = dict(policy.modes_used)
    search = best_fixed_level_in_hindsight(scenario, streams, abandon_limit=ABANDON_LIMIT)
    results["fixed_best_hindsight"] = search.best
    # VICIdial's default adaptive_maximum_level is 3.0; the campaign's line cap applies too.
    vicidial = VicidialAdaptive(maximum_level=min(3.0, scenario.line_cap / scenario.agents))
    results["vicidial_adaptive"] = simulate_day(scenario, vicidial, streams)
    results["clairvoyant"] = clairvoyant_day(scenario, streams)

    predictive = results["solvent_predictive"]
    fixed = results["fixed_best_hindsight"]
    vici = results["vicidial_adaptive"]
    bound = results["clairvoyant"]
    targets: dict[str, bool] = {
        "abandon_within_limit_every_solvent_mode": all(
            results[name].abandon_rate <= ABANDON_LIMIT for name in SOLVENT_MODES
        )
    }
    if scenario.agents >= 20:
        targets["occupancy_at_least_best_fixed_minus_1pt"] = (
            predictive.occupancy >= fixed.occupancy - OCCUPANCY_TOLERANCE
        )
        targets["occupancy_above_vicidial"] = predictive.occupancy > vici.occupancy
    accounted = all(_books_balance(result) for result in results.values())
    predictive_ticks = sum(modes_used["solvent_predictive"].values()) or 1
    return {
        "scenario": scenario.name,
        "agents": scenario.agents,
        "answer_probability": scenario.answer_probability,
        "mean_talk_seconds": scenario.mean_talk_seconds,
        "answering_machines": scenario.answering_machines,
        "day_seconds": scenario.day_seconds,
        "max_lines": scenario.line_cap,
        "policies": {name: results[name].metrics() for name in POLICY_ORDER},
        "best_fixed_level": search.best_level,
        "fixed_levels_tried": len(search.tried),
        "predictive_share_of_decisions": round(
            modes_used["solvent_predictive"].get("predictive", 0) / predictive_ticks, 3
        ),
        "ratio_to_clairvoyant": round(predictive.occupancy / bound.occupancy, 4)
        if bound.occupancy
        else None,
        "every_call_accounted_for": accounted,
        "targets": targets,
        "targets_met": all(targets.values()),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _books_balance(result: SimulationResult) -> bool:
    return result.dials == (
        result.answered_live
        + result.machines
        + result.no_answer
        + result.busy
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
    large = [row for row in rows if row["agents"] >= 20]
    return {
        "summary": True,
        "benchmark": "dialer_pacing",
        "scale": scale,
        "scenarios": len(rows),
        "all_targets_met": not failures,
        "target_failures": failures,
        "max_abandon_rate": {name: max(values(name, "abandon_rate")) for name in POLICY_ORDER},
        "mean_abandon_rate": {
            name: round(statistics.fmean(values(name, "abandon_rate")), 4) for name in POLICY_ORDER
        },
        "mean_occupancy": {
            name: round(statistics.fmean(values(name, "occupancy")), 4) for name in POLICY_ORDER
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
        },
        "every_call_accounted_for": all(row["every_call_accounted_for"] for row in rows),
        "elapsed_seconds": round(elapsed, 1),
    }


def plot(rows: list[dict[str, Any]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(10, 6))
    markers = {5: "o", 20: "s", 100: "^"}
    colours = dict(zip(POLICY_ORDER, plt.get_cmap("tab10").colors, strict=False))
    for name in POLICY_ORDER:
        for agents, marker in markers.items():
            points = [
                (row["policies"][name]["abandon_rate"] * 100, row["policies"][name]["occupancy"])
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
    axes.set_title("Dialer pacing: occupancy against abandon rate, 36 scenarios")
    axes.set_xlim(left=-0.2)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, ncol=1)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The per-scenario table of docs/dialer.md: occupancy / abandon rate for every policy."""
    short = {
        "solvent_preview": "preview",
        "solvent_progressive": "progressive (1:1)",
        "solvent_predictive": "**predictive**",
        "fixed_best_hindsight": "best fixed (level)",
        "vicidial_adaptive": "VICIdial adaptive",
        "clairvoyant": "clairvoyant",
    }
    header = "| scenario | " + " | ".join(short[name] for name in POLICY_ORDER) + " | ratio | met |"
    lines = [header, "|" + " --- |" * (len(POLICY_ORDER) + 3)]
    ordered = sorted(
        rows,
        key=lambda row: (
            row["agents"],
            row["answer_probability"],
            row["mean_talk_seconds"],
            row["answering_machines"],
        ),
    )
    for row in ordered:
        cells = []
        for name in POLICY_ORDER:
            metrics = row["policies"][name]
            cell = f"{metrics['occupancy']:.3f} / {metrics['abandon_rate'] * 100:.1f}%"
            if name == "fixed_best_hindsight":
                cell += f" ({row['best_fixed_level']:g})"
            cells.append(cell)
        met = "yes" if row["targets_met"] else "**no**"
        lines.append(
            f"| {row['scenario']} | "
            + " | ".join(cells)
            + f" | {row['ratio_to_clairvoyant']:.3f} | {met} |"
        )
    lines += ["", _contacts_table(ordered)]
    return "\n".join(lines) + "\n"


def _contacts_table(ordered: list[dict[str, Any]]) -> str:
    """Right-party contacts per agent hour and idle seconds between calls, per scenario."""
    names = (
        "solvent_progressive",
        "solvent_predictive",
        "fixed_best_hindsight",
        "vicidial_adaptive",
    )
    header = "| scenario | " + " | ".join(f"{name}: RPC/h, idle s" for name in names) + " |"
    lines = [header, "|" + " --- |" * (len(names) + 1)]
    for row in ordered:
        cells = [
            f"{row['policies'][name]['rpc_per_agent_hour']:.2f}, "
            f"{row['policies'][name]['idle_seconds_between_calls']:.0f}"
            for name in names
        ]
        lines.append(f"| {row['scenario']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of an 8-hour day")
    parser.add_argument("--plot", help="write a PNG of occupancy against abandon rate here")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    parser.add_argument("--markdown", help="write the per-scenario table (Markdown) here")
    arguments = parser.parse_args(argv)

    started = time.perf_counter()
    grid = scenarios(arguments.scale, arguments.seed)
    if arguments.only:
        grid = [scenario for scenario in grid if arguments.only in scenario.name]
    # Largest floors first, so the two workers finish together.
    grid.sort(key=lambda scenario: (-scenario.agents, scenario.answer_probability))
    rows: list[dict[str, Any]] = []
    if arguments.processes > 1:
        with multiprocessing.Pool(arguments.processes) as pool:
            for row in pool.imap_unordered(run_scenario, grid):
                rows.append(row)
                print(json.dumps(row), flush=True)
    else:
        for scenario in grid:
            row = run_scenario(scenario)
            rows.append(row)
            print(json.dumps(row), flush=True)
    if arguments.plot:
        plot(rows, arguments.plot)
    if arguments.markdown:
        with open(arguments.markdown, "w", encoding="utf-8") as table:
            table.write(markdown_table(rows))
    print(json.dumps(summarise(rows, arguments.scale, time.perf_counter() - started)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
