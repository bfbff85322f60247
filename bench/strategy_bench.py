"""Strategy benchmark: the default strategies against "call every open account every day", run for
30 days against a simulated world, with an independent check of the basic US contact rules.

The world (``bench/strategy_world.py``) draws debtors with hidden traits (when and on which channel
they answer, ability and willingness to pay, promise keeping, fatigue that turns pressure into
complaints and STOPs, hardship) and renders them as two placements: the same debtors and debts, as
twins with other identities, for two clients. A fresh SQLite database is migrated; both files are
imported. Client ``strategy`` runs the default segments and paths; client ``baseline`` runs one
client-scoped segment on the default path ``call_daily`` (one call a day, within the caps). Both
get the same staffed capacity.

Then, day by day, with Solvent's clock moved to the day (time-machine, as the tests do):
``plan_run(day=..., dry_run=True, csv_path=...)`` per client -> the world executes each planned row
at its planned UTC time -> the results file -> ``plan_results_import(path=...)`` (the next morning).

At the end the world's own tally (the truth, not Solvent's bookkeeping) gives per arm the amount
collected, collected per attempt, right-party contacts, promises and kept promises, complaints and
STOP requests, attempts per channel; ``bench/strategy_checker.py`` finds Reg F violations in what
was executed. Prints one JSON line. Target: collected per attempt >= 1.3 x the baseline's, fewer
complaints, zero violations.

    .venv/bin/python bench/strategy_bench.py --scale 0.05
    .venv/bin/python bench/strategy_bench.py --scale 1 --days 30
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "src")]

from bench.bench_keys import bench_keys_set  # noqa: E402
from bench.strategy_behaviour import ActionResult, PlannedAction, Tally  # noqa: E402
from bench.strategy_checker import Violation, violations_count, violations_find  # noqa: E402
from bench.strategy_world import World, planned_action_from_row, results_write  # noqa: E402

FULL_ACCOUNTS = 4000
TARGET_RATIO = 1.3
AS_OF = date(2026, 11, 1)
FIRST_DAY = date(2026, 11, 2)  # a Monday
STRATEGY = "strategy"
BASELINE = "baseline"
BASELINE_PATH = "call_daily"
# Solvent's clock for each step: the plan before the US day starts, results the next morning
# (after 9 p.m. in Honolulu).
PLAN_HOUR_UTC = 9
RESULTS_HOUR_UTC = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 4,000 accounts per arm")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    args = parser.parse_args()
    bench_keys_set()
    os.environ.setdefault("SOLVENT_LOG_LEVEL", "ERROR")
    accounts = max(40, round(FULL_ACCOUNTS * args.scale))
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = _run(args.keep, accounts, args)
    else:
        with tempfile.TemporaryDirectory(prefix="solvent-strategy-bench-") as work:
            figures = _run(Path(work), accounts, args)
    print(json.dumps(figures, default=str))


class _Stages:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


def _run(work: Path, accounts: int, args: argparse.Namespace) -> dict[str, Any]:
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(SOLVENT_VAR_DIR=str(work), DJANGO_SETTINGS_MODULE="solvent.config.settings")
    import django

    django.setup()
    import time_machine
    from django.core.management import call_command

    stages = _Stages()
    with stages("migrate"):
        call_command("migrate", verbosity=0)
    with stages("world"):
        world = World(accounts=accounts, seed=args.seed, as_of=AS_OF, clients=(STRATEGY, BASELINE))
    with stages("setup"), time_machine.travel(_utc(AS_OF, 12), tick=False):
        _setup(world, work, accounts)

    from solvent.strategy.services.plan import plan_run
    from solvent.strategy.services.results import plan_results_import

    executed: dict[str, list[ActionResult]] = {client: [] for client in world.clients}
    skipped: dict[str, Counter[str]] = {client: Counter() for client in world.clients}
    planned: dict[str, Counter[str]] = {client: Counter() for client in world.clients}
    imports: dict[str, Counter[str]] = {client: Counter() for client in world.clients}
    rejected_examples: list[str] = []
    for offset in range(args.days):
        day = FIRST_DAY + timedelta(days=offset)
        actions: list[PlannedAction] = []
        for client in world.clients:
            plan_path = work / f"plan-{client}-{day}.csv"
            with stages("plan"), time_machine.travel(_utc(day, PLAN_HOUR_UTC), tick=False):
                plan_run(day=day, client_codes=[client], dry_run=True, csv_path=plan_path)
            for row in _csv_rows(plan_path):
                action = planned_action_from_row(row)
                if action is None:
                    skipped[client][row.get("reason", "")] += 1
                    continue
                planned[client][action.channel] += 1
                actions.append(action)
        with stages("world"):
            results = world.day_run(day, actions)
        for client in world.clients:
            mine = [result for result in results if result.client == client]
            executed[client] += [result for result in mine if result.channel != "payment"]
            path = results_write(work / f"results-{client}-{day}.csv", mine)
            with (
                stages("results_import"),
                time_machine.travel(_utc(day + timedelta(days=1), RESULTS_HOUR_UTC), tick=False),
            ):
                summary = plan_results_import(path=path)
            for name in ("accepted", "duplicates", "refused", "payments", "promises"):
                imports[client][name] += _count(getattr(summary, name, 0))
            errors = list(getattr(summary, "rejected", []) or [])
            imports[client]["rejected"] += len(errors)
            rejected_examples += [
                str(error) for error in errors[: max(0, 5 - len(rejected_examples))]
            ]
        print(
            f"{day}: {len(actions)} actions planned, {sum(stages.seconds.values()):.0f} s so far",
            file=sys.stderr,
        )
    with stages("check"):
        violations = {client: _check(world, client, executed[client]) for client in world.clients}
    for client in world.clients:
        imports[client]["accounts_attempted"] = len({r.account_number for r in executed[client]})
    arms = {
        client: _arm_figures(
            world.tallies[client],
            planned[client],
            skipped[client],
            imports[client],
            violations[client],
        )
        for client in world.clients
    }
    strategy, baseline = arms[STRATEGY], arms[BASELINE]
    ratio = (
        strategy["collected_per_attempt"] / baseline["collected_per_attempt"]
        if baseline["collected_per_attempt"]
        else None
    )
    return {
        "benchmark": "strategy",
        "accounts_per_arm": accounts,
        "days": args.days,
        "seed": args.seed,
        "arms": arms,
        "ratio_collected_per_attempt": round(ratio, 3) if ratio is not None else None,
        "target_ratio": TARGET_RATIO,
        "meets_ratio": ratio is not None and ratio >= TARGET_RATIO,
        "fewer_complaints": strategy["complaints"] < baseline["complaints"],
        "zero_violations": strategy["violations"] == 0 and baseline["violations"] == 0,
        "drivers": {
            **_drivers(strategy, baseline),
            "calls_by_local_hour": {
                client: _call_timing(world, client, executed[client]) for client in world.clients
            },
        },
        "results_rejected_examples": rejected_examples,
        "seconds": {name: round(value, 1) for name, value in stages.seconds.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _setup(world: World, work: Path, accounts: int) -> None:
    """Two clients, their placements, the default strategies, the baseline's segment, capacity."""
    from solvent.portfolio.imports.services import placement_import
    from solvent.portfolio.models import Client, Team
    from solvent.strategy.domain.defaults import BASELINE as BASELINE_DEFINITION
    from solvent.strategy.models import Strategy
    from solvent.strategy.services.definitions import (
        segment_save,
        strategy_defaults_install,
        strategy_save,
        team_capacity_save,
    )

    strategy_defaults_install()
    if not Strategy.objects.filter(key=BASELINE_PATH).exists():
        strategy_save(
            key=BASELINE_PATH,
            name=BASELINE_DEFINITION["name"],
            objective=BASELINE_DEFINITION["objective"],
            definition=BASELINE_DEFINITION,
            actor_id=None,
        )
    # Enough staff for a call to every account every day (12 calls an hour, 8:00-20:00).
    agents = accounts // (12 * 12) + 2
    for code in world.clients:
        client = Client.objects.create(
            code=code, name=f"Bench {code}", country="US", currency="USD"
        )
        placement = placement_import(
            client=client,
            path=world.placement_write(work / f"placement-{code}.csv", client=code),
            placed_on=AS_OF,
            workers=1,
        )
        if placement.rows_imported != len(world.rows[code]):
            raise SystemExit(
                f"placement {code}: {placement.rows_imported} of {len(world.rows[code])} rows "
                f"imported ({placement.failure or 'see the error report'})"
            )
        team = Team.objects.create(name=f"Bench {code} floor")
        team.clients.add(client)
        team_capacity_save(
            team_id=team.pk,
            agents=agents,
            start_hour=8,
            end_hour=20,
            calls_per_hour=12,
            time_zone="America/Chicago",
            actor_id=None,
        )
    segment_save(
        key="bench-baseline-all",
        name="Baseline: every account",
        conditions=[],
        priority=-1,
        strategy_key=BASELINE_PATH,
        client_code=BASELINE,
        actor_id=None,
    )


def _check(world: World, client: str, executed: list[ActionResult]) -> list[Violation]:
    """Violations in what was executed for one arm, judged against what its debtors asked."""
    return violations_find(*world.checker_inputs(client, executed))


def _arm_figures(
    tally: Tally,
    planned: Counter[str],
    skipped: Counter[str],
    imports: Counter[str],
    violations: list[Violation],
) -> dict[str, Any]:
    attempts = sum(tally.attempts.values())
    collected = tally.collected
    return {
        "collected": str(collected),
        "placed": str(tally.placed),
        "recovery_rate": round(float(collected / tally.placed), 4) if tally.placed else 0.0,
        "attempts": attempts,
        "attempts_by_channel": dict(sorted(tally.attempts.items())),
        "collected_per_attempt": round(float(collected / attempts), 2) if attempts else 0.0,
        "collected_by_channel": {k: str(v) for k, v in sorted(tally.collected_by_channel.items())},
        "right_party_contacts": tally.right_party_contacts,
        "promises": tally.promises,
        "promises_kept": tally.promises_kept,
        "promises_broken": tally.promises_broken,
        "payments": tally.payments,
        "accounts_paid_in_full": tally.accounts_paid_in_full,
        "complaints": tally.complaints,
        "complaints_by_channel": dict(sorted(tally.complaints_by_channel.items())),
        "stop_requests": sum(tally.stops.values()),
        "stop_requests_by_channel": dict(sorted(tally.stops.items())),
        "withheld_after_same_day_stop": tally.withheld_after_stop,
        "plan_rows_unknown_to_world": tally.unknown_accounts,
        "accounts_attempted": imports["accounts_attempted"],
        "planned_by_channel": dict(sorted(planned.items())),
        "skipped_by_reason": dict(skipped.most_common(12)),
        "results_accepted": imports["accepted"],
        "results_rejected": imports["rejected"],
        # Executed contacts Solvent's own gate refuses at the moment they happened.
        "results_refused_by_solvent_gate": imports["refused"],
        "results_duplicates": imports["duplicates"],
        "violations": len(violations),
        "violations_by_rule": {k: v for k, v in violations_count(violations).items() if v},
        "violation_examples": [
            f"{v.rule.value} {v.action.channel} {v.action.debtor} {v.action.at:%F %RZ}: {v.detail}"
            for v in violations[:5]
        ],
    }


def _drivers(strategy: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """What makes the difference: where the attempts went and what each channel brought in."""

    def share(arm: dict[str, Any], channel: str) -> float:
        total = int(arm["attempts"]) or 1
        return round(int(arm["attempts_by_channel"].get(channel, 0)) / total, 3)

    calls = {
        arm: data["attempts_by_channel"].get("call", 0)
        for arm, data in (("strategy", strategy), ("baseline", baseline))
    }
    return {
        "attempts_ratio": round(strategy["attempts"] / baseline["attempts"], 3)
        if baseline["attempts"]
        else None,
        "collected_ratio": round(
            float(Decimal(strategy["collected"]) / Decimal(baseline["collected"])), 3
        )
        if Decimal(baseline["collected"])
        else None,
        "call_share": {"strategy": share(strategy, "call"), "baseline": share(baseline, "call")},
        "calls": calls,
        "right_party_per_call": {
            "strategy": round(strategy["right_party_contacts"] / calls["strategy"], 4)
            if calls["strategy"]
            else None,
            "baseline": round(baseline["right_party_contacts"] / calls["baseline"], 4)
            if calls["baseline"]
            else None,
        },
        "collected_by_channel": {
            "strategy": strategy["collected_by_channel"],
            "baseline": baseline["collected_by_channel"],
        },
    }


def _call_timing(
    world: World, client: str, executed: list[ActionResult]
) -> dict[str, dict[str, float]]:
    """Calls and right-party rate by the debtor's real local hour: does the plan find the hours
    its debtors answer?"""
    buckets = (("08-12", 8, 12), ("12-17", 12, 17), ("17-21", 17, 21))
    counts: dict[str, list[int]] = {name: [0, 0] for name, _, _ in buckets}
    for result in executed:
        if result.channel != "call":
            continue
        zone = ZoneInfo(world.home_zone(client, result.account_number))
        hour = result.occurred_utc.astimezone(zone).hour
        name = next((n for n, start, end in buckets if start <= hour < end), "other")
        tally = counts.setdefault(name, [0, 0])
        tally[0] += 1
        tally[1] += result.outcome == "right_party"
    return {
        name: {"calls": calls, "right_party_rate": round(reached / calls, 3) if calls else 0.0}
        for name, (calls, reached) in counts.items()
    }


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _count(value: object) -> int:
    if isinstance(value, int):
        return value
    try:
        return len(value)  # type: ignore[arg-type]
    except TypeError:
        return 0


def _utc(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


if __name__ == "__main__":
    main()
