"""The settlements panel and the approvals page: the full render and the HTMX partials, the offer
by amount or percent, refusals beside their field, maker-checker on the page, the letter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from solvent.core.models import Role
from solvent.payments.models import Settlement
from solvent.payments.services.settlements import settlement_offer
from solvent.portfolio.models import Account
from tests.arrangements.factories import debt_create, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def world():
    """A 1,000.00 debt 100 days past due (late: floor 70 %), an agent, two supervisors, a viewer."""
    account, debtor = debt_create(principal="1000.00")
    Account.objects.filter(pk=account.pk).update(delinquency_date=TODAY - timedelta(days=100))
    account.refresh_from_db()
    clients = (account.client,)
    return {
        "account": account,
        "debtor": debtor,
        "agent": staff_create("agent", Role.AGENT, clients=clients),
        "supervisor": staff_create("supervisor", Role.SUPERVISOR, clients=clients),
        "second": staff_create("second", Role.SUPERVISOR, clients=clients),
        "viewer": staff_create("viewer", Role.CLIENT_VIEWER, clients=clients),
    }


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _url(name: str, *args: int) -> str:
    return reverse(f"desk:{name}", args=args)


def _due(days: int = 7) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def test_the_account_screen_loads_the_panel_which_shows_the_floor_of_the_stage(world) -> None:
    account = world["account"]
    screen = _as(world["agent"]).get(_url("account_detail", account.pk))
    assert _url("settlements_panel", account.pk) in screen.content.decode()
    panel = _as(world["agent"]).get(_url("settlements_panel", account.pk), HTTP_HX_REQUEST="true")
    text = panel.content.decode()
    assert panel.status_code == 200
    assert 'data-testid="settlements-panel"' in text and 'hx-trigger="every 10s"' in text
    assert "Stage <strong>late</strong>" in text and "70.00 %" in text and "700.00" in text
    assert 'data-testid="settlement-offer-form"' in text


def test_an_offer_by_percent_at_the_floor_is_offered_and_accepted_on_the_call(world) -> None:
    account, http = world["account"], _as(world["agent"])
    response = http.post(_url("settlement_offer", account.pk), {"percent": "70", "due_on": _due()})
    assert "Settlement offered" in response.content.decode()
    settlement = Settlement.objects.get()
    assert (settlement.amount, settlement.status) == (Decimal("700.00"), "offered")
    assert settlement.debtor_id == world["debtor"].pk

    response = http.post(_url("settlement_accept", account.pk, settlement.pk))
    assert "Accepted" in response.content.decode()
    settlement.refresh_from_db()
    assert settlement.status == "accepted"
    letter = http.get(_url("settlement_letter", account.pk, settlement.pk))
    assert letter["Content-Type"] == "application/pdf" and letter.content.startswith(b"%PDF")


def test_a_refused_offer_is_shown_beside_its_field_and_keeps_what_was_typed(world) -> None:
    account, http = world["account"], _as(world["agent"])
    text = http.post(
        _url("settlement_offer", account.pk), {"amount": "1000.00", "due_on": _due()}
    ).content.decode()
    assert 'data-testid="settlement-error-amount"' in text and "not a settlement" in text
    assert 'value="1000.00"' in text
    text = http.post(
        _url("settlement_offer", account.pk), {"amount": "800", "due_on": _due(40)}
    ).content.decode()
    assert 'data-testid="settlement-error-due"' in text and "after the offer expires" in text
    text = http.post(
        _url("settlement_offer", account.pk), {"amount": "800", "percent": "80", "due_on": _due()}
    ).content.decode()
    assert "not both" in text
    assert not Settlement.objects.exists()


def test_below_the_floor_the_maker_waits_and_a_second_supervisor_approves(world) -> None:
    account = world["account"]
    text = (
        _as(world["supervisor"])
        .post(_url("settlement_offer", account.pk), {"amount": "600", "due_on": _due()})
        .content.decode()
    )
    assert "waits for a supervisor" in text
    settlement = Settlement.objects.get()

    mine = _as(world["supervisor"]).get(_url("settlement_approvals")).content.decode()
    assert "Your own offer" in mine and 'data-testid="approve"' not in mine
    refused = _as(world["supervisor"]).post(
        _url("settlement_approve", account.pk, settlement.pk), {"note": "fine"}
    )
    assert refused.status_code == 403
    assert _as(world["agent"]).get(_url("settlement_approvals")).status_code == 403
    assert (
        _as(world["agent"]).post(_url("settlement_approve", account.pk, settlement.pk)).status_code
        == 403
    )

    page = _as(world["second"]).get(_url("settlement_approvals")).content.decode()
    assert 'data-testid="approval-row"' in page and "60.00 %" in page and "70.00 %" in page
    assert "Settlement approvals" in page  # the nav link of a supervisor
    done = _as(world["second"]).post(
        _url("settlement_approve", account.pk, settlement.pk),
        {"note": "hardship"},
        HTTP_HX_REQUEST="true",
    )
    assert "approved" in done.content.decode()
    settlement.refresh_from_db()
    assert (settlement.status, settlement.decided_by) == ("offered", world["second"])


def test_a_decline_needs_a_note_on_the_page(world) -> None:
    account = world["account"]
    settlement = settlement_offer(
        account_id=account.pk,
        debtor_id=world["debtor"].pk,
        amount="500",
        due_on=TODAY + timedelta(days=5),
        actor_id=world["agent"].pk,
    )
    http = _as(world["supervisor"])
    text = http.post(_url("settlement_decline", account.pk, settlement.pk), {"note": ""})
    assert "say why" in text.content.decode()
    http.post(_url("settlement_decline", account.pk, settlement.pk), {"note": "too low"})
    settlement.refresh_from_db()
    assert settlement.status == "declined"


def test_a_client_viewer_reads_the_panel_without_forms_and_may_not_offer(world) -> None:
    account, http = world["account"], _as(world["viewer"])
    text = http.get(_url("settlements_panel", account.pk)).content.decode()
    assert 'data-testid="settlements-panel"' in text
    assert "settlement-offer-form" not in text
    response = http.post(_url("settlement_offer", account.pk), {"amount": "800", "due_on": _due()})
    assert response.status_code == 403


def test_a_settlement_of_another_account_is_not_found(world) -> None:
    account = world["account"]
    other, other_debtor = debt_create(client=account.client)
    settlement = settlement_offer(
        account_id=other.pk,
        debtor_id=other_debtor.pk,
        amount="900",
        due_on=TODAY,
        actor_id=None,
    )
    http = _as(world["agent"])
    assert http.get(_url("settlement_letter", account.pk, settlement.pk)).status_code == 404
    assert http.post(_url("settlement_accept", account.pk, settlement.pk)).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_a_supervisor_approves_and_the_agents_panel_follows_without_a_reload(
    live_server,
    world,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.arrangements.test_arrangements_browser import _axe_serious
    from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("agent", "second"):
        world[name].set_password(f"{name}-password-1")
        world[name].save()
    account = world["account"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            agent, supervisor = (
                browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
                for _ in range(2)
            )
            for page, name in ((agent, "agent"), (supervisor, "second")):
                page.goto(f"{live_server.url}/login/")
                page.fill("input[name=username]", name)
                page.fill("input[name=password]", f"{name}-password-1")
                page.click("button[type=submit]")
            agent.goto(f"{live_server.url}/accounts/{account.pk}/")
            panel = agent.locator("[data-testid=settlements-panel]")
            expect(panel).to_contain_text("floor 70.00 %")
            agent.fill("#settlement-amount", "600")
            agent.click("[data-testid=settlement-offer]")
            expect(agent.locator("[data-testid=settlements-notice]")).to_contain_text(
                "waits for a supervisor"
            )
            status = agent.locator("[data-testid=settlement-status]")
            expect(status).to_have_text("Waiting for approval")
            assert _axe_serious(agent) == []

            supervisor.goto(f"{live_server.url}/")
            supervisor.click("nav >> text=Settlement approvals")
            expect(supervisor.locator("[data-testid=approval-row]")).to_contain_text("60.00 %")
            assert _axe_serious(supervisor) == []
            _screenshot(supervisor, "settlement-approvals-1366.png")
            supervisor.fill("[data-testid=approval-row] input[name=note]", "hardship shown")
            supervisor.click("[data-testid=approve]")
            expect(supervisor.locator("[data-testid=approvals-notice]")).to_contain_text("approved")

            # The agent's page was not reloaded: its live part refreshes every 10 s.
            expect(status).to_have_text("Offered", timeout=25_000)
            agent.click("[data-testid=settlement-accept]")
            expect(agent.locator("[data-testid=settlements-notice]")).to_contain_text("Accepted")
            expect(agent.locator("[data-testid=settlement-status]")).to_have_text("Accepted")
            expect(panel.locator("h2")).to_have_text("Settlement")  # the whole panel, swapped
            assert agent.url.endswith(f"/accounts/{account.pk}/")
            _screenshot(agent, "settlement-panel-1366.png")
        finally:
            browser.close()
    settlement = Settlement.objects.get()
    assert (settlement.status, settlement.decided_by) == ("accepted", world["second"])
