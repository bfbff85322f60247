"""The demo's strategy (issue 12): the default segments and paths, staffed capacity, a
champion/challenger test on the late stage, a few past days run through the plan-and-results loop,
and today's plan stored, so the strategy manager's pages show a strategy at work.

The past days go through the documented loop (docs/strategy.md): the plan of the day in a dry run,
then results posted back for its actions (a seeded stand-in for the dialer vendor, the SMS
provider and the payment processor: some answer, some promise, some pay), each contact through the
compliance gate at the moment it happened. Today's plan is stored: its messages wait in the outbox
for their moment, its calls in the agents' work queue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from solvent.demo.analytics_behaviour import Persona, call_rpc_probability, persona_for, weighted
from solvent.demo.work import _at
from solvent.portfolio.models import Debtor, Team
from solvent.strategy.domain.defaults import LATE
from solvent.strategy.planner import PlanRow, plan_draft
from solvent.strategy.services import plan_results_post, plan_run
from solvent.strategy.services.definitions import (
    experiment_start,
    strategy_defaults_install,
    strategy_save,
    team_capacity_save,
)

CHALLENGER_KEY = "late-call-first"
EXPERIMENT_KEY = "late-call-first-test"
# Outcomes of a call, as weights: most calls are not answered.
CALL_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("no_answer", 45),
    ("busy", 10),
    ("voicemail", 15),
    ("right_party", 25),
    ("answered_third_party", 5),
)


@dataclass(frozen=True, slots=True)
class StrategyCounts:
    days: int
    actions: int
    promises: int
    payments: int
    planned_today: int


def _challenger() -> dict[str, Any]:
    """The late path with the call first (the champion writes first): what the test asks."""
    steps = list(LATE["steps"])
    calls = [step for step in steps if step["action"] == "call"]
    others = [step for step in steps if step["action"] != "call"]
    first, *rest = calls + others
    reordered = [{**first, "wait_days": 0}, *rest]
    return {**LATE, "key": CHALLENGER_KEY, "name": "Late stage, call first", "steps": reordered}


def _call_outcome(row: PlanRow, rng: random.Random, personas: dict[int, Persona]) -> str:
    """Who answers depends on who the debtor is and the local hour of week of the call, as in the
    demo's year of history (``analytics_behaviour``), so the best-time model sees one world."""
    misses = [(name, weight) for name, weight in CALL_OUTCOMES if name != "right_party"]
    if row.planned_at is None:
        return weighted(rng, tuple(misses))
    local = row.planned_at.astimezone(ZoneInfo(row.time_zone or "America/New_York"))
    p_rpc = call_rpc_probability(
        persona=personas.get(row.debtor_id or 0, Persona.WORKING),
        weekday=local.weekday(),
        hour=local.hour,
        stage=row.segment if row.segment in ("early", "middle", "late") else "middle",
        reachability=1.0,
    )
    return "right_party" if rng.random() < p_rpc else weighted(rng, tuple(misses))


def _personas(rows: list[PlanRow], today: date) -> dict[int, Persona]:
    ids = {row.debtor_id for row in rows if row.debtor_id is not None}
    personas = {}
    for debtor in Debtor.objects.filter(pk__in=ids).only("pk", "date_of_birth"):
        try:
            born = date.fromisoformat(str(debtor.date_of_birth)) if debtor.date_of_birth else None
        except ValueError:
            born = None
        personas[debtor.pk] = persona_for(birth=born, on=today)
    return personas


def _outcome(row: PlanRow, rng: random.Random, personas: dict[int, Persona]) -> dict[str, str]:
    result = {
        "account_number": row.account_number,
        "client": row.client,
        "step": row.step,
        "channel": row.channel,
        "contact_point": row.contact_point,
        "occurred_utc": row.planned_at.astimezone(UTC).isoformat() if row.planned_at else "",
        "right_party": "false",
        "complaint": "false",
        "stop": "false",
    }
    if row.channel != "call":
        return result | {"outcome": "delivered"}
    outcome = _call_outcome(row, rng, personas)
    result["outcome"] = outcome
    if outcome == "right_party" and rng.random() < 0.35 and row.planned_at is not None:
        due = row.planned_at.date() + timedelta(days=rng.randrange(3, 15))
        result |= {"promise_date": due.isoformat(), "promise_amount": str(rng.randrange(50, 400))}
    return result


def demo_strategy_create(*, now: datetime, days: int = 4, seed: int = 12) -> StrategyCounts:
    """Install the strategy, run ``days`` past days through the loop, store today's plan."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    today = now.date()
    start = today - timedelta(days=days)
    with _at(datetime.combine(start, time(6), tzinfo=UTC)):
        strategy_defaults_install()
        for team in Team.objects.order_by("pk"):
            team_capacity_save(
                team_id=team.pk,
                agents=4,
                start_hour=9,
                end_hour=18,
                calls_per_hour=10,
                time_zone="America/New_York",
                actor_id=None,
            )
        strategy_save(
            key=CHALLENGER_KEY,
            name="Late stage, call first",
            objective="recovery",
            definition=_challenger(),
            actor_id=None,
        )
        experiment_start(
            key=EXPERIMENT_KEY,
            name="Late stage: call before the letter?",
            segment_key="late",
            arms=[
                {"arm": "champion", "strategy": "late", "percent": 50},
                {"arm": "challenger", "strategy": CHALLENGER_KEY, "percent": 50},
            ],
            actor_id=None,
        )
    actions = promises = payments = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        with _at(datetime.combine(day, time(6), tzinfo=UTC)):
            draft = plan_draft(day=day)
        planned = [row for row in draft.rows if row.status == "planned"]
        personas = _personas(planned, today)
        # The morning after, everywhere (9 p.m. in Hawaii is 07:00 UTC): every result is past.
        with _at(datetime.combine(day + timedelta(days=1), time(10), tzinfo=UTC)):
            summary = plan_results_post(rows=[_outcome(row, rng, personas) for row in planned])
            paid = [
                {
                    "account_number": row.account_number,
                    "client": row.client,
                    "channel": "payment",
                    "payment_amount": str(Decimal(rng.randrange(25, 300))),
                    "payment_date": day.isoformat(),
                }
                for row in planned
                if row.channel == "call" and rng.random() < 0.04
            ]
            paid_summary = plan_results_post(rows=paid)
        actions += summary.accepted
        promises += summary.promises
        payments += paid_summary.payments
    with _at(now):
        today_plan = plan_run(day=today)
    return StrategyCounts(days, actions, promises, payments, today_plan.total("planned"))
