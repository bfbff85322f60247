"""The wallboard's pages: the full page, the polled figures, the agent drill-down, roles and scoping.

The world and its hand-counted figures are test_wallboard_figures.py's ``floor``.
"""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.core.models import Role
from tests.desk.test_wallboard_figures import NOW, _more_of_everything, _user, floor_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def floor() -> dict[str, object]:
    return floor_build()


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _figure(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def test_the_page_has_the_chart_its_data_and_polls_the_figures(floor) -> None:
    response = _as(floor["supervisor"]).get("/wallboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'id="wallboard-chart"' in html
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in html and "desk/wallboard.js" in html
    assert 'hx-trigger="every 5s"' in html and 'hx-get="/wallboard/figures/?' in html
    data = re.search(
        r'<script id="wallboard-chart-data" type="application/json">(.*?)</script>', html
    )
    assert data is not None
    assert json.loads(data.group(1))["labels"] == ["Acme Bank"]
    assert _figure(html, "total-attempts") == "6"
    assert _figure(html, "total-contacts") == "2"
    assert _figure(html, "total-rpc") == "1"
    assert _figure(html, "total-blocks") == "1"
    assert _figure(html, "total-queue") == "2"
    # The dialer is installed (issue 14): no autodialled call answered today, so no rate yet.
    assert _figure(html, "abandon-rate") == "n/a"
    assert 'data-testid="dialer-campaigns"' in html
    assert re.search(
        r'data-rule="us.call_hours">.*?<td class="num">1</td><td class="num">1</td>', html
    )
    assert "Globex" not in html and "globex" not in html and "bob" not in html
    # No inline script or style attribute the CSP would refuse.
    assert "<script>" not in html and " style=" not in html
    assert 'href="/wallboard/"' in html  # the top bar's link


def test_the_figures_partial_is_the_figures_only(floor) -> None:
    response = _as(floor["supervisor"]).get("/wallboard/figures/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="wallboard-figures"' in html
    assert 'id="wallboard-chart-data"' in html


def test_a_past_day_is_not_polled(floor) -> None:
    html = _as(floor["supervisor"]).get("/wallboard/?date=2026-06-08").content.decode()
    assert "hx-trigger" not in html
    assert _figure(html, "total-attempts") == "1"


def test_filters_of_another_client_or_team_are_not_found(floor) -> None:
    http = _as(floor["supervisor"])
    assert http.get("/wallboard/?client=globex").status_code == 404
    assert http.get(f"/wallboard/?team={floor['globex_team'].pk}").status_code == 404
    assert http.get("/wallboard/figures/?client=globex").status_code == 404
    assert http.get("/wallboard/?date=yesterday").status_code == 400
    assert http.get("/wallboard/?team=x").status_code == 400


@pytest.mark.parametrize("role", [Role.AGENT, Role.CLIENT_VIEWER, Role.COMPLIANCE_OFFICER])
def test_roles_without_the_wallboard_are_refused(floor, role) -> None:
    user = _user(f"someone-{role.value}", role, floor["acme_team"])
    http = _as(user)
    assert http.get("/wallboard/").status_code == 403
    assert http.get("/wallboard/figures/").status_code == 403
    assert http.get(f"/wallboard/agents/{floor['ann'].pk}/").status_code == 403
    assert 'href="/wallboard/"' not in http.get("/").content.decode()


def test_anonymous_people_are_sent_to_log_in() -> None:
    response = HttpClient().get("/wallboard/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_strategy_managers_and_admins_see_the_board(floor) -> None:
    manager = _user("mia", Role.STRATEGY_MANAGER, floor["acme_team"])
    assert _as(manager).get("/wallboard/").status_code == 200
    html = _as(floor["admin"]).get("/wallboard/").content.decode()
    assert "Globex Telecom" in html and _figure(html, "total-attempts") == "7"


def test_agent_drill_down_links_to_the_account_screen(floor) -> None:
    http = _as(floor["supervisor"])
    board = http.get("/wallboard/").content.decode()
    assert f'href="/wallboard/agents/{floor["ann"].pk}/?' in board
    response = http.get(f"/wallboard/agents/{floor['ann'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _figure(html, "agent-attempts") == "4"
    assert _figure(html, "agent-rpc") == "1"
    assert _figure(html, "agent-state") == "on a call"
    a1 = floor["accounts"]["A1"]
    assert f'href="/accounts/{a1.pk}/"' in html
    assert http.get(f"/accounts/{a1.pk}/").status_code == 200  # and on to the account


def test_another_clients_agent_is_not_found(floor) -> None:
    http = _as(floor["supervisor"])
    assert http.get(f"/wallboard/agents/{floor['bob'].pk}/").status_code == 404
    assert http.get("/wallboard/agents/999999/").status_code == 404
    assert _as(floor["admin"]).get(f"/wallboard/agents/{floor['bob'].pk}/").status_code == 200


def test_the_polled_figures_cost_the_same_queries_whatever_the_floors_size(floor) -> None:
    http = _as(floor["admin"])
    with CaptureQueriesContext(connection) as small:
        assert http.get("/wallboard/figures/").status_code == 200
    _more_of_everything()
    with CaptureQueriesContext(connection) as large:
        html = http.get("/wallboard/figures/").content.decode()
    assert "Extra 2" in html and "extra-agent-2" in html
    assert len(large.captured_queries) == len(small.captured_queries) <= 30
