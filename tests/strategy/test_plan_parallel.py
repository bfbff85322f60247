"""Clients planned in parallel processes store the plan a serial dry run computes; on SQLite (or
inside a transaction) ``workers`` falls back to one client at a time."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from solvent.strategy.models import PlanItem, PlanRun
from solvent.strategy.services import plan_run
from tests.strategy.conftest import BEFORE_PLAN_DAY, PLAN_DAY


@pytest.fixture(autouse=True)
def before_the_day() -> Iterator[None]:
    with time_machine.travel(BEFORE_PLAN_DAY, tick=False):
        yield


def _serial_rows(path: Path) -> set[tuple[str, str, str, str, str]]:
    plan_run(day=PLAN_DAY, dry_run=True, csv_path=path)
    with path.open(newline="") as handle:
        return {
            (
                row["account_number"],
                row["status"],
                row["reason"],
                row["channel"],
                row["planned_utc"],
            )
            for row in csv.DictReader(handle)
        }


def _stored_rows() -> set[tuple[str, str, str, str, str]]:
    return {
        (
            item.account.account_number,
            item.status,
            item.reason,
            item.channel,
            item.planned_at.strftime("%Y-%m-%dT%H:%M:%SZ") if item.planned_at else "",
        )
        for item in PlanItem.objects.select_related("account")
    }


@pytest.mark.django_db(transaction=True)
def test_clients_planned_in_parallel_processes_store_what_a_serial_run_plans(
    portfolio, tmp_path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need PostgreSQL (SOLVENT_TEST_DB=postgres)")
    for code, seed in (("acme", 11), ("beta", 12), ("gamma", 13)):
        portfolio(code=code, rows=30, seed=seed)
    serial = _serial_rows(tmp_path / "serial.csv")
    summary = plan_run(day=PLAN_DAY, workers=2)
    assert summary.workers == 2
    assert summary.planned == ["acme", "beta", "gamma"]
    assert PlanRun.objects.count() == 3
    assert _stored_rows() == serial
    assert set(summary.stage_seconds) >= {"features", "compliance", "stored"}
    again = plan_run(day=PLAN_DAY, workers=2)
    assert again.already_planned == ["acme", "beta", "gamma"] and not again.planned


@pytest.mark.django_db
def test_workers_inside_a_transaction_or_on_sqlite_plan_one_client_at_a_time(portfolio) -> None:
    portfolio(code="acme", rows=10)
    portfolio(code="beta", rows=10, seed=12)
    summary = plan_run(day=PLAN_DAY, workers=2)
    assert summary.workers == 1
    assert summary.planned == ["acme", "beta"]
    assert PlanItem.objects.count() == 20
