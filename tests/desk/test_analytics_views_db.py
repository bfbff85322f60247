"""The reports pages over real rows (the KPI world: acme served by team east, beta by west): the
page shows the selectors' figures for the user's clients only, the exports hold the figures the page
shows, the top bar links the reports for the roles that read them, and the queries do not grow
with the rows."""

from __future__ import annotations

import csv
import io
import re

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


def test_a_supervisor_sees_the_kpis_of_their_client_only(world) -> None:
    response = _as(world.supervisor).get("/analytics/", {**NOVEMBER, "group": "client"})
    html = response.content.decode()
    assert response.status_code == 200
    table = selectors.kpi_table(
        user=world.supervisor, period_start=START, period_end=END, group_by="client"
    )
    assert [row.group for row in table.rows] == ["acme"]
    rpc = table.total.values["rpc_rate"]
    assert f"({int(rpc.numerator)} / {int(rpc.denominator)})" in html
    assert "Beta Loans" not in html and ">beta<" not in html


def test_the_kpi_csv_holds_every_figure_the_page_shows(world) -> None:
    http = _as(world.admin)
    page = http.get("/analytics/", {**NOVEMBER, "group": "client"}).content.decode()
    rows = list(
        csv.reader(
            io.StringIO(
                http.get("/analytics/kpis.csv", {**NOVEMBER, "group": "client"}).content.decode()
            )
        )
    )
    header, body = rows[0], rows[1:]
    assert [row[0] for row in body] == ["acme", "beta", "All"]
    shown = re.findall(r'<span class="small muted">\(([^)]*)\)</span>', page)
    exported = []
    for row in body:
        for index, label in enumerate(header):
            if label.endswith(" numerator"):
                numerator, denominator = row[index], row[index + 1]
                exported.append(f"{_people(numerator)} / {_people(denominator)}")
    assert exported and shown == exported


def _people(figure: str) -> str:
    """A figure as the page writes it: 21, 1,234.50."""
    value = float(figure)
    return f"{int(value):,}" if value == int(value) else f"{value:,.2f}"


def test_a_client_viewer_sees_their_clients_agents_only(world) -> None:
    html = _as(world.viewer).get("/analytics/agents/", NOVEMBER).content.decode()
    assert "<td>ann</td>" in html and "<td>bob</td>" not in html
    admin = _as(world.admin).get("/analytics/agents/", NOVEMBER).content.decode()
    assert "<td>bob</td>" in admin


def test_the_funnel_export_is_the_selectors_funnel(world) -> None:
    response = _as(world.admin).get("/analytics/funnel.csv", NOVEMBER)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    funnel = selectors.promise_funnel(user=world.admin, period_start=START, period_end=END)
    assert [int(row[1]) for row in rows[1:]] == [step.count for step in funnel.steps]


def test_every_report_page_renders_over_real_rows(world) -> None:
    http = _as(world.supervisor)
    for slug in ("liquidation", "roll-rates", "funnel", "agents", "compliance-blocks", "channels"):
        response = http.get(f"/analytics/{slug}/", {"from": "2026-09", "to": "2026-11"})
        assert response.status_code == 200, slug
        assert 'id="analytics-chart-data"' in response.content.decode(), slug
        assert (
            http.get(f"/analytics/{slug}.xlsx", {"from": "2026-09", "to": "2026-11"}).status_code
            == 200
        )


def test_the_monthly_pdf_downloads_for_the_clients_viewer(world) -> None:
    response = _as(world.viewer).get(
        "/analytics/client-report.pdf", {"client": "acme", "month": "2026-11"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        _as(world.viewer)
        .get("/analytics/client-report.pdf", {"client": "beta", "month": "2026-11"})
        .status_code
        == 404
    )
    assert (
        _as(world.ann)
        .get("/analytics/client-report.pdf", {"client": "acme", "month": "2026-11"})
        .status_code
        == 403
    )


def test_the_top_bar_links_the_reports_for_the_roles_that_read_them(world) -> None:
    assert 'href="/analytics/">Reports</a>' in _as(world.supervisor).get("/").content.decode()
    assert 'href="/analytics/">Reports</a>' in _as(world.viewer).get("/").content.decode()
    assert 'href="/analytics/">Reports</a>' not in _as(world.ann).get("/").content.decode()


def test_the_page_reads_in_a_fixed_number_of_queries(world) -> None:
    http = _as(world.admin)
    http.get("/analytics/", NOVEMBER)
    with CaptureQueriesContext(connection) as few:
        http.get("/analytics/", {**NOVEMBER, "group": "agent"})
    debtor = Debtor.objects.get(first_name="Bo")
    for day in range(3, 8):
        interaction(debtor, [world.a2], "no_answer", at(day), world.bob)
    with CaptureQueriesContext(connection) as more:
        response = http.get("/analytics/", {**NOVEMBER, "group": "agent"})
    assert "<td>bob</td>" in response.content.decode()
    assert len(more) == len(few), [query["sql"] for query in more.captured_queries]
