"""The client remittance page and API through the test client: the full page and the HTMX partial,
downloads, issuing (admins only, once), another team's client 404 and other roles 403."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.core.models import Role
from solvent.payments.models import ClientTerms, RemittanceStatement
from solvent.payments.services.ledger import payment_post
from tests.arrangements.factories import ClientFactory, debt_create, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}
PAGE = "/remittance/"


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def desk():
    harbor = ClientFactory(code="harbor", name="Harbor Bank", currency="GBP")
    globex = ClientFactory(code="globex", name="Globex", currency="GBP")
    ClientTerms.objects.create(client=harbor, commission_rate=Decimal("0.2000"))
    account, _ = debt_create(client=harbor, principal="5000.00")
    hidden, _ = debt_create(client=globex)
    for amount, day, reference in (("120.00", 3, "REF-1"), ("80.00", 31, "REF-2")):
        payment_post(
            account_id=account.pk,
            amount=amount,
            paid_on=date(2026, 5, day),
            method="card",
            source="api",
            reference=reference,
        )
    payment_post(
        account_id=hidden.pk, amount="999.00", paid_on=date(2026, 5, 3), method="card", source="api"
    )

    def signed_in(username: str, role: Role, *clients) -> HttpClient:
        http = HttpClient()
        http.force_login(staff_create(username, role, clients=clients))
        return http

    return {
        "admin": signed_in("ops", Role.ADMIN),
        "supervisor": signed_in("lead", Role.SUPERVISOR, harbor),
        "agent": signed_in("agent", Role.AGENT, harbor),
        "account": account,
    }


def test_the_page_shows_last_month_by_default_with_a_client_picker(desk) -> None:
    response = desk["admin"].get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2026-05"' in html
    assert "Harbor Bank (harbor)" in html and "Globex (globex)" in html
    assert 'data-testid="statement-figures"' not in html


def test_the_page_shows_the_figures_and_lines_of_a_client_month(desk) -> None:
    response = desk["admin"].get(PAGE, {"client": "harbor", "month": "2026-05"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'data-testid="figure-collected">200.00<' in html
    assert 'data-testid="figure-commission">40.00<' in html
    assert 'data-testid="figure-remit">160.00<' in html
    assert desk["account"].account_number in html and "REF-2" in html
    assert "999.00" not in html  # Globex's payment
    assert 'data-testid="issue-form"' in html
    assert "/api/remittance/statement.csv?client=harbor&amp;month=2026-05" in html


def test_with_htmx_only_the_statement_is_rendered(desk) -> None:
    response = desk["admin"].get(PAGE, {"client": "harbor", "month": "2026-05"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="figure-remit">160.00<' in html


def test_the_page_costs_a_bounded_number_of_queries(desk) -> None:
    desk["admin"].get(PAGE, {"client": "harbor", "month": "2026-05"})
    with CaptureQueriesContext(connection) as queries:
        desk["admin"].get(PAGE, {"client": "harbor", "month": "2026-05"})
    assert len(queries) <= 20


def test_a_bad_month_is_shown_beside_the_form(desk) -> None:
    response = desk["admin"].get(PAGE, {"client": "harbor", "month": "May"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()
    # HTMX swaps only a 2xx answer: the partial carries the refusal with a 200.
    swapped = desk["admin"].get(PAGE, {"client": "harbor", "month": "May"}, **HTMX)
    assert swapped.status_code == 200
    assert 'data-testid="remittance-error"' in swapped.content.decode()


def test_a_supervisor_reads_their_client_but_does_not_issue(desk) -> None:
    response = desk["supervisor"].get(PAGE, {"client": "harbor", "month": "2026-05"})
    assert response.status_code == 200
    assert 'data-testid="issue-form"' not in response.content.decode()
    assert "Globex" not in response.content.decode()
    assert desk["supervisor"].get(PAGE, {"client": "globex"}).status_code == 404
    refused = desk["supervisor"].post(f"{PAGE}issue/", {"client": "harbor", "month": "2026-05"})
    assert refused.status_code == 403
    assert not RemittanceStatement.objects.exists()


def test_an_agent_is_refused_and_another_teams_client_is_not_found(desk) -> None:
    assert desk["agent"].get(PAGE, {"client": "harbor"}).status_code == 403
    assert desk["agent"].get(PAGE, {"client": "globex"}).status_code == 404
    assert (
        desk["agent"].get("/api/remittance", {"client": "harbor", "month": "2026-05"}).status_code
        == 403
    )


def test_an_admin_issues_the_month_once(desk) -> None:
    form = {"client": "harbor", "month": "2026-05", "confirm": "yes"}
    response = desk["admin"].post(f"{PAGE}issue/", form)
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?client=harbor&month=2026-05"
    page = desk["admin"].get(response["Location"]).content.decode()
    assert "is issued" in page
    assert 'data-testid="statement-state">issued<' in page
    assert 'data-testid="issue-form"' not in page
    assert 'data-testid="issued-statements"' in page
    stored = RemittanceStatement.objects.get()
    assert (stored.collected, stored.commission, stored.remit) == (
        Decimal("200.00"),
        Decimal("40.00"),
        Decimal("160.00"),
    )
    again = desk["admin"].post(f"{PAGE}issue/", form)
    assert again.status_code == 400
    assert "already issued" in again.content.decode()


def test_a_month_not_over_is_refused_on_the_page(desk) -> None:
    response = desk["admin"].post(f"{PAGE}issue/", {"client": "harbor", "month": "2026-06"})
    assert response.status_code == 400
    assert "once its period is over" in response.content.decode()
    assert not RemittanceStatement.objects.exists()


def test_the_api_answers_the_figures_and_lines(desk) -> None:
    response = desk["supervisor"].get("/api/remittance", {"client": "harbor", "month": "2026-05"})
    assert response.status_code == 200
    body = response.json()
    assert (body["collected"], body["commission"], body["remit"]) == ("200.00", "40.00", "160.00")
    assert body["issued"] is False and body["mode"] == "net"
    assert [line["reference"] for line in body["lines"]] == ["REF-1", "REF-2"]
    assert set(body["lines"][0]) >= {"account_number", "paid_on", "amount", "method", "status"}
    missing = desk["supervisor"].get("/api/remittance", {"client": "globex", "month": "2026-05"})
    assert missing.status_code == 404


def test_the_api_csv_and_pdf_downloads(desk) -> None:
    query = {"client": "harbor", "month": "2026-05"}
    response = desk["admin"].get("/api/remittance/statement.csv", query)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="remittance-harbor-2026-05.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[5] for row in rows[1:3]] == ["REF-1", "REF-2"]
    pdf = desk["admin"].get("/api/remittance/statement.pdf", query)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_api_issues_once_and_names_the_refusal(desk) -> None:
    body = {"client": "harbor", "month": "2026-05"}
    first = desk["admin"].post("/api/remittance/issue", body, content_type="application/json")
    assert first.status_code == 201
    assert first.json()["issued"] is True and first.json()["remit"] == "160.00"
    second = desk["admin"].post("/api/remittance/issue", body, content_type="application/json")
    assert second.status_code == 400
    assert second.json()["code"] == "remittance_already_issued"
    early = desk["admin"].post(
        "/api/remittance/issue",
        {"client": "harbor", "month": "2026-06"},
        content_type="application/json",
    )
    assert (early.status_code, early.json()["code"]) == (400, "period_not_over")
    by_supervisor = desk["supervisor"].post(
        "/api/remittance/issue", body, content_type="application/json"
    )
    assert by_supervisor.status_code == 403
