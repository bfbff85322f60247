"""The reports pages through the test client, over the KPI selectors monkeypatched with report
objects built by hand: the full page and the HTMX partial, the period and grouping passed on with
the user, charts as a JSON block, the exports' figures the page's, the monthly client PDF, and who
may (a client not theirs 404 before the role's 403; agents 403)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from openpyxl import load_workbook

from solvent.core.models import Role
from tests.analytics import report_samples as samples
from tests.arrangements.factories import ClientFactory, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    return samples.selectors_faked(monkeypatch)


@pytest.fixture
def desk() -> dict[str, Any]:
    harbor = ClientFactory(code="harbor", name="Harbor Bank")
    ClientFactory(code="globex", name="Globex")

    def signed_in(username: str, role: Role | None, *clients: Any) -> HttpClient:
        http = HttpClient()
        if role is None:
            from django.contrib.auth.models import User

            http.force_login(User.objects.create_user(username=username))
        else:
            http.force_login(staff_create(username, role, clients=clients))
        return http

    return {
        "supervisor": signed_in("lead", Role.SUPERVISOR, harbor),
        "viewer": signed_in("viewer", Role.CLIENT_VIEWER, harbor),
        "agent": signed_in("agent", Role.AGENT, harbor),
        "officer": signed_in("officer", Role.COMPLIANCE_OFFICER),
        "nobody": signed_in("nobody", None),
    }


def _chart(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script id="analytics-chart-data" type="application/json">(.*?)</script>', html
    )
    assert match, "no chart data block"
    return json.loads(match.group(1))


def test_the_kpi_page_shows_this_month_and_last_by_month_with_rates_and_figures(
    desk, calls
) -> None:
    response = desk["supervisor"].get("/analytics/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'data-testid="analytics-filters"' in html
    name, kwargs = calls[0]
    assert name == "kpi_table"
    assert kwargs["period_start"] == date(2026, 10, 1) and kwargs["period_end"] == date(2026, 12, 1)
    assert kwargs["group_by"] == "month" and kwargs["client_code"] == ""
    assert kwargs["user"].username == "lead"
    assert '<strong>42.0%</strong> <span class="small muted">(21 / 50)</span>' in html
    # 0 / 0 is no data, shown as a dash with its figures, never 0%.
    assert '<strong>\u2013</strong> <span class="small muted">(0 / 0)</span>' in html
    assert 'href="#metric-contact_rate" title="attempts that reached any person / attempts"' in html
    assert 'id="metric-kept_rate"' in html
    assert 'value="2026-10"' in html and 'value="2026-11"' in html
    assert 'href="/analytics/kpis.csv?from=2026-10&amp;to=2026-11&amp;group=month"' in html


def test_the_htmx_partial_is_the_body_only_with_the_grouping_and_client_asked(desk, calls) -> None:
    response = desk["supervisor"].get(
        "/analytics/",
        {"from": "2026-01", "to": "2026-03", "group": "agent", "client": "harbor"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith('<div id="analytics-body"')
    kwargs = calls[0][1]
    assert (kwargs["period_start"], kwargs["period_end"]) == (date(2026, 1, 1), date(2026, 4, 1))
    assert kwargs["group_by"] == "agent" and kwargs["client_code"] == "harbor"
    assert ">Agent</th>" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"group": "colour"}, "group: &#x27;colour&#x27; is not one of"),
        ({"from": "2026-13"}, "is not a month"),
        ({"from": "2026-05", "to": "2026-01"}, "is before from"),
        ({"from": "2020-01", "to": "2026-01"}, "at most 36"),
    ],
)
def test_a_bad_period_or_grouping_is_a_400_that_says_why(desk, calls, query, message) -> None:
    response = desk["supervisor"].get("/analytics/", query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert calls == []


@pytest.mark.parametrize(
    ("slug", "selector", "series"),
    [
        ("liquidation", "liquidation_curves", 2),
        ("roll-rates", "roll_rate_matrices", 2),
        ("funnel", "promise_funnel", 1),
        ("agents", "agent_productivity", 3),
        ("compliance-blocks", "compliance_blocks", 1),
        ("channels", "channel_effectiveness", 2),
    ],
)
def test_each_report_page_has_its_chart_data_tables_and_exports(
    desk, calls, slug, selector, series
) -> None:
    response = desk["supervisor"].get(f"/analytics/{slug}/", {"client": "harbor"})
    html = response.content.decode()
    assert response.status_code == 200
    assert calls[0][0] == selector and calls[0][1]["client_code"] == "harbor"
    assert calls[0][1]["user"].username == "lead"
    assert len(_chart(html)["series"]) == series
    assert 'id="analytics-chart"' in html
    assert f'href="/analytics/{slug}.csv?' in html and f'href="/analytics/{slug}.xlsx?' in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_the_liquidation_page_asks_twelve_months_of_cohorts_as_of_today(desk, calls) -> None:
    desk["supervisor"].get("/analytics/liquidation/")
    kwargs = calls[0][1]
    assert kwargs["cohorts_from"] == date(2025, 12, 1) and kwargs["as_of"] == date(2026, 11, 15)


def test_a_roll_rate_matrix_is_heat_coloured_by_share_of_the_bucket(desk, calls) -> None:
    html = desk["supervisor"].get("/analytics/roll-rates/").content.decode()
    assert 'data-testid="table-roll-2026-10"' in html and 'data-testid="table-roll-2026-11"' in html
    # 6 of 10 stayed in 1-30: 0.08 + 0.6 * 0.6
    assert (
        'style="background-color: rgba(15, 118, 110, 0.44)" title="60.0% of the accounts in 1-30'
        in html
    )
    assert "<strong>30.0%</strong>" in html  # the roll rate 3 / 10


def test_the_csv_export_holds_the_figures_the_page_shows(desk, calls) -> None:
    page = desk["supervisor"].get("/analytics/funnel/").content.decode()
    response = desk["supervisor"].get("/analytics/funnel.csv", {"from": "2026-10", "to": "2026-11"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="funnel-2026-10-to-2026-11.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[2][:3] == ["Right-party contacts", "40", ""]
    assert rows[2][3:6] == ["40", "200", "0.200000"]
    assert '<strong>20.0%</strong> <span class="small muted">(40 / 200)</span>' in page


def test_the_xlsx_export_is_a_workbook_of_the_report(desk, calls) -> None:
    response = desk["officer"].get("/analytics/roll-rates.xlsx", {"client": "globex"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-globex-2026-06-to-2026-11.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["roll-2026-10", "roll-2026-11"]
    assert book["roll-2026-10"]["B2"].value == 10


def test_the_kpi_report_page_is_the_kpi_page(desk, calls) -> None:
    response = desk["supervisor"].get("/analytics/kpis/", {"group": "agent"})
    assert response.status_code == 302 and response["Location"] == "/analytics/?group=agent"


def test_an_unknown_report_is_a_404(desk, calls) -> None:
    assert desk["supervisor"].get("/analytics/nope/").status_code == 404
    assert desk["supervisor"].get("/analytics/nope.csv").status_code == 404


def test_the_monthly_client_report_is_a_pdf_of_the_clients_month(desk, calls) -> None:
    response = desk["viewer"].get(
        "/analytics/client-report.pdf", {"client": "harbor", "month": "2026-10"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (
        response["Content-Disposition"] == 'attachment; filename="client-report-harbor-2026-10.pdf"'
    )
    asked = dict(calls)
    assert asked["kpi_table"]["client_code"] == "harbor"
    assert asked["kpi_table"]["period_start"] == date(2026, 10, 1)
    assert asked["liquidation_curves"]["cohorts_from"] == date(2025, 11, 1)
    assert asked["liquidation_curves"]["as_of"] == date(2026, 10, 31)


def test_the_client_report_needs_a_client_and_a_month(desk, calls) -> None:
    assert (
        desk["supervisor"].get("/analytics/client-report.pdf", {"month": "2026-10"}).status_code
        == 400
    )
    bad = desk["supervisor"].get(
        "/analytics/client-report.pdf", {"client": "harbor", "month": "10/2026"}
    )
    assert bad.status_code == 400 and b"YYYY-MM" in bad.content


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("viewer", "/analytics/", 200),
        ("viewer", "/analytics/agents/?client=harbor", 200),
        ("viewer", "/analytics/agents/?client=globex", 404),
        ("supervisor", "/analytics/funnel.csv?client=globex", 404),
        ("supervisor", "/analytics/funnel/?client=nope", 404),
        ("officer", "/analytics/funnel/?client=globex", 200),
        ("agent", "/analytics/", 403),
        ("agent", "/analytics/funnel.csv?client=harbor", 403),
        ("agent", "/analytics/funnel/?client=globex", 404),
        ("agent", "/analytics/client-report.pdf?client=harbor&month=2026-10", 403),
        ("viewer", "/analytics/client-report.pdf?client=globex&month=2026-10", 404),
        ("officer", "/analytics/client-report.pdf?client=globex&month=2026-10", 200),
        ("nobody", "/analytics/", 403),
        ("nobody", "/analytics/?client=harbor", 404),
    ],
)
def test_who_sees_which_report(desk, calls, who, path, status) -> None:
    assert desk[who].get(path).status_code == status


def test_anonymous_is_sent_to_the_login_page(calls) -> None:
    response = HttpClient().get("/analytics/funnel/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_report_page_swaps_its_body_with_htmx_and_a_refusal_is_swapped_in_too(
    desk, calls
) -> None:
    page = desk["supervisor"].get("/analytics/channels/", {"from": "2026-11", "to": "2026-11"})
    partial = desk["supervisor"].get(
        "/analytics/channels/", {"from": "2026-11", "to": "2026-11"}, **HTMX
    )
    assert (
        "<html" in page.content.decode()
        and 'data-testid="analytics-filters"' in page.content.decode()
    )
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert 'id="analytics-chart-data"' in html and 'data-testid="table-channels"' in html
    assert 'data-testid="analytics-filters"' not in html
    refused = desk["supervisor"].get(
        "/analytics/channels/", {"from": "2026-11", "to": "2025-01"}, **HTMX
    )
    # HTMX swaps only a 2xx: the refusal comes as the body to swap in.
    assert refused.status_code == 200 and "<html" not in refused.content.decode()
    assert 'data-testid="analytics-error"' in refused.content.decode()
