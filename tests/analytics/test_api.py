"""The read API of the KPIs and reports through the test client, over the KPI selectors
monkeypatched with report objects built by hand: each rate with numerator and denominator, the
tables as the page's, the PDF; a client not the caller's 404 before the role's 403."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from solvent.core.models import Role
from tests.analytics import report_samples as samples
from tests.arrangements.factories import ClientFactory, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    return samples.selectors_faked(monkeypatch)


@pytest.fixture
def api() -> dict[str, HttpClient]:
    harbor = ClientFactory(code="harbor", name="Harbor Bank")
    ClientFactory(code="globex", name="Globex")

    def signed_in(username: str, role: Role) -> HttpClient:
        http = HttpClient()
        http.force_login(staff_create(username, role, clients=(harbor,)))
        return http

    return {
        "strategist": signed_in("strategist", Role.STRATEGY_MANAGER),
        "viewer": signed_in("viewer", Role.CLIENT_VIEWER),
        "agent": signed_in("agent", Role.AGENT),
    }


def test_the_kpis_carry_each_rate_with_its_numerator_and_denominator(api, calls) -> None:
    response = api["strategist"].get(
        "/api/analytics/kpis", {"from": "2026-10", "to": "2026-11", "group": "month"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period_start"] == "2026-10-01" and body["period_end"] == "2026-12-01"
    assert body["metrics"][0]["numerator"] == "attempts that reached any person"
    assert body["rows"][0]["group"] == "2026-10"
    assert body["rows"][0]["values"]["contact_rate"] == {
        "numerator": "21",
        "denominator": "50",
        "value": 0.42,
    }
    assert body["rows"][1]["values"]["kept_rate"]["value"] is None
    kwargs = calls[0][1]
    assert kwargs["group_by"] == "month" and kwargs["user"].username == "strategist"


def test_a_report_is_its_tables_and_chart(api, calls) -> None:
    response = api["viewer"].get("/api/analytics/reports/funnel", {"client": "harbor"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["slug"] == "funnel" and body["client"] == "harbor"
    assert body["period_start"] == "2026-10-01"
    table = body["tables"][0]
    assert [c["key"] for c in table["columns"]] == [
        "step",
        "count",
        "amount",
        "of_previous",
        "of_first",
    ]
    assert table["rows"][1][:2] == ["Right-party contacts", 40]
    assert table["rows"][1][3] == {"numerator": "40", "denominator": "200", "value": 0.2}
    assert table["rows"][2][2] == "1500.00"
    assert body["chart"]["labels"][0] == "Attempts"
    assert calls[0][1]["client_code"] == "harbor"


def test_a_bad_month_or_grouping_is_a_400_with_a_code(api, calls) -> None:
    bad = api["strategist"].get("/api/analytics/kpis", {"from": "2026-13"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_month"
    assert (
        api["strategist"].get("/api/analytics/kpis", {"group": "x"}).json()["code"]
        == "bad_grouping"
    )
    assert api["strategist"].get("/api/analytics/reports/nope").status_code == 404


def test_the_client_report_pdf(api, calls) -> None:
    response = api["viewer"].get(
        "/api/analytics/client-report.pdf", {"client": "harbor", "month": "2026-10"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    asked = dict(calls)
    assert asked["promise_funnel"]["period_start"] == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("agent", "/api/analytics/kpis", 403),
        ("agent", "/api/analytics/reports/agents?client=harbor", 403),
        ("agent", "/api/analytics/reports/agents?client=globex", 404),
        ("viewer", "/api/analytics/reports/agents?client=globex", 404),
        ("viewer", "/api/analytics/client-report.pdf?client=globex&month=2026-10", 404),
        ("agent", "/api/analytics/client-report.pdf?client=harbor&month=2026-10", 403),
        ("viewer", "/api/analytics/kpis", 200),
    ],
)
def test_who_reads_which_report(api, calls, who, path, status) -> None:
    assert api[who].get(path).status_code == status


def test_anonymous_is_a_401(calls: Any) -> None:
    assert HttpClient().get("/api/analytics/kpis").status_code == 401
    assert calls == []
