"""Report objects built by hand (the shapes of solvent.analytics.domain.reports), for the tests of
the exports, the PDF, the pages and the API that need no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from solvent.analytics import selectors
from solvent.analytics.domain.reports import (
    AgentRow,
    BlockRow,
    ChannelRow,
    CohortCurve,
    Funnel,
    FunnelStep,
    KpiRow,
    KpiTable,
    MetricDefinition,
    Ratio,
    RollMatrix,
)


def ratio(numerator: int | str, denominator: int | str) -> Ratio:
    return Ratio(Decimal(numerator), Decimal(denominator))


CONTACT_RATE = MetricDefinition(
    "contact_rate", "Contact rate", "attempts that reached any person", "attempts"
)
KEPT_RATE = MetricDefinition(
    "kept_rate",
    "Kept rate",
    "promises kept",
    "promises whose due date (plus grace) has passed",
    note="grace of 3 days",
)


def kpi_table(group_by: str = "month") -> KpiTable:
    rows = (
        KpiRow("2026-10", {"contact_rate": ratio(21, 50), "kept_rate": ratio(3, 4)}),
        KpiRow("2026-11", {"contact_rate": ratio(9, 30), "kept_rate": ratio(0, 0)}),
    )
    total = KpiRow("", {"contact_rate": ratio(30, 80), "kept_rate": ratio(3, 4)})
    return KpiTable(
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 1),
        group_by=group_by,
        metrics=(CONTACT_RATE, KEPT_RATE),
        rows=rows if group_by else (total,),
        total=total,
    )


def curves() -> list[CohortCurve]:
    return [
        CohortCurve(
            "2026-09",
            accounts=10,
            placed=Decimal("10000.00"),
            currency="GBP",
            points=(
                (0, Decimal("250.00"), ratio("250.00", "10000.00")),
                (1, Decimal("700.00"), ratio("700.00", "10000.00")),
                (2, Decimal("1200.50"), ratio("1200.50", "10000.00")),
            ),
        ),
        CohortCurve(
            "2026-10",
            accounts=4,
            placed=Decimal("2000.00"),
            currency="GBP",
            points=((0, Decimal("100.00"), ratio("100.00", "2000.00")),),
        ),
    ]


BUCKETS = ("1-30", "31-60", "61-90", "paid", "closed")


def roll_matrices() -> list[RollMatrix]:
    return [
        RollMatrix(
            "2026-10",
            BUCKETS,
            counts={
                ("1-30", "1-30"): 6,
                ("1-30", "31-60"): 3,
                ("1-30", "paid"): 1,
                ("31-60", "61-90"): 2,
            },
            starts={"1-30": 10, "31-60": 4, "61-90": 0},
        ),
        RollMatrix(
            "2026-11",
            BUCKETS,
            counts={("1-30", "31-60"): 5, ("31-60", "61-90"): 1},
            starts={"1-30": 20, "31-60": 5, "61-90": 2},
        ),
    ]


def funnel() -> Funnel:
    return Funnel(
        date(2026, 10, 1),
        date(2026, 12, 1),
        (
            FunnelStep("attempts", "Attempts", 200),
            FunnelStep("rpc", "Right-party contacts", 40),
            FunnelStep("promise", "Promises", 10, Decimal("1500.00")),
            FunnelStep("kept", "Kept", 6, Decimal("800.00")),
        ),
    )


def agents() -> list[AgentRow]:
    return [
        AgentRow(
            agent="=cmd|' /C calc'!A0",
            logged_in_hours=Decimal("7.5"),
            attempts=80,
            rpc=15,
            promises=5,
            promised=Decimal("600.00"),
            collected=Decimal("120.00"),
            rpc_per_hour=ratio(15, "7.5"),
            promise_rate=ratio(5, 15),
            occupancy=ratio("5.25", "7.5"),
            qa_average=87.5,
        ),
        AgentRow(
            agent="bob",
            logged_in_hours=Decimal("0"),
            attempts=0,
            rpc=0,
            promises=0,
            promised=Decimal("0"),
            collected=Decimal("0"),
            rpc_per_hour=ratio(0, 0),
            promise_rate=ratio(0, 0),
            occupancy=ratio(0, 0),
        ),
    ]


def blocks() -> list[BlockRow]:
    return [
        BlockRow("us.reg_f.call_cap_7_in_7", "12 CFR 1006.14(b)(2)(i)", 7, 140),
        BlockRow("us.fdcpa.time_of_day", "15 U.S.C. 1692c(a)(1)", 3, 140),
    ]


def channels() -> list[ChannelRow]:
    return [
        ChannelRow(
            "call", attempts=100, contacts=30, rpc=12, promises=4, collected_after=Decimal("300.00")
        ),
        ChannelRow("sms", attempts=50, contacts=0, rpc=0, promises=0, collected_after=Decimal("0")),
    ]


def selectors_faked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """The KPI selectors answering with the samples above; returns every call with its arguments."""
    seen: list[tuple[str, dict[str, Any]]] = []
    answers = {
        "kpi_table": lambda group_by="", **_: kpi_table(group_by),
        "liquidation_curves": lambda **_: curves(),
        "roll_rate_matrices": lambda **_: roll_matrices(),
        "promise_funnel": lambda **_: funnel(),
        "agent_productivity": lambda **_: agents(),
        "compliance_blocks": lambda **_: blocks(),
        "channel_effectiveness": lambda **_: channels(),
    }
    for name, answer in answers.items():

        def fake(*, _name: str = name, _answer: Any = answer, **kwargs: Any) -> Any:
            seen.append((_name, kwargs))
            return _answer(**{k: v for k, v in kwargs.items() if k == "group_by"})

        monkeypatch.setattr(selectors, name, fake)
    return seen
