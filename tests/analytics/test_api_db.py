"""The read API over real rows (the KPI world): the figures are the selectors', scoped to the caller,
and a report is read in a number of queries that does not grow with the history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.analytics import selectors
from solvent.portfolio.models import Debtor
from tests.analytics.kpi_world import END, NOW, START, World, at, interaction, world_build

pytestmark = pytest.mark.django_db

NOVEMBER = {"from": "2026-11", "to": "2026-11"}


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    return world_build()


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_api_kpis_are_the_selectors_for_the_callers_clients(world) -> None:
    body = _as(world.viewer).get("/api/analytics/kpis", {**NOVEMBER, "group": "client"}).json()
    assert [row["group"] for row in body["rows"]] == ["acme"]
    expected = selectors.kpi_table(
        user=world.viewer, period_start=START, period_end=END, group_by="client"
    ).total.values["rpc_rate"]
    got = body["total"]["values"]["rpc_rate"]
    assert (got["numerator"], got["denominator"]) == (
        str(expected.numerator),
        str(expected.denominator),
    )


def test_a_report_is_read_in_a_fixed_number_of_queries(world) -> None:
    http = _as(world.admin)
    http.get("/api/analytics/reports/channels", NOVEMBER)
    with CaptureQueriesContext(connection) as few:
        first = http.get("/api/analytics/reports/channels", NOVEMBER).json()
    debtor = Debtor.objects.get(first_name="Bo")
    for day in range(3, 9):
        interaction(debtor, [world.a2], "no_answer", at(day), world.bob)
    with CaptureQueriesContext(connection) as more:
        second = http.get("/api/analytics/reports/channels", NOVEMBER).json()
    assert second["tables"][0]["rows"][0][1] == first["tables"][0]["rows"][0][1] + 6
    assert len(more) == len(few), [query["sql"] for query in more.captured_queries]
