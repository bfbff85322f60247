"""End to end in a real browser: an agent records a payment taken on the call in the account
screen's payments panel, then a payment the debtor makes elsewhere (their page, the gateway) shows
in the panel without a reload. axe-core finds nothing serious on the screen with the panel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.payments.services.ledger import payment_post
from solvent.portfolio.models import Account, Team
from tests.arrangements.factories import ClientFactory, debt_create
from tests.e2e.test_call_flow import _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Account:
    # The live server runs in this process: the pages read this clock.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    harbor = ClientFactory()
    account, _ = debt_create(client=harbor, principal="400.00")
    Account.objects.filter(pk=account.pk).update(fees="25.00")
    agent = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team = Team.objects.create(name="harbor floor")
    team.clients.add(harbor)
    team.members.add(agent)
    return account


def test_an_agent_records_a_payment_and_sees_another_arrive(
    live_server, account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test posts one payment from it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page: Any = browser.new_page(viewport={"width": 1366, "height": 900})
            errors: list[str] = []
            page.on(
                "response",
                lambda r: (
                    errors.append(r.url) if "/payments/" in r.url and r.status >= 400 else None
                ),
            )
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "agent")
            page.fill("input[name=password]", "agent-password-1")
            page.click("button[type=submit]")
            page.goto(f"{live_server.url}/accounts/{account.pk}/")
            panel = page.get_by_test_id("payments-panel")
            expect(panel.get_by_text("No payment yet.")).to_be_visible(timeout=20_000)
            expect(page.get_by_test_id("payments-balance-total")).to_have_text("425.00 GBP")

            page.fill("#payment-amount", "40.00")
            page.select_option("#payment-method", "card")
            page.get_by_role("button", name="Record the payment").click()
            expect(page.get_by_test_id("payments-notice")).to_have_text(
                "Payment of 40.00 GBP recorded.", timeout=20_000
            )
            expect(page.get_by_test_id("payments-balance-total")).to_have_text("385.00 GBP")
            expect(page.get_by_test_id("payment").first).to_contain_text("Fees 25.00")
            expect(page.get_by_test_id("payment").first).to_contain_text("Principal 15.00")

            # The debtor pays on their own page: the panel shows it at its next poll, no reload.
            payment_post(
                account_id=account.pk,
                amount="85.00",
                paid_on=NOW.date(),
                method="card",
                source="portal",
            )
            expect(page.get_by_test_id("payments-balance-total")).to_have_text(
                "300.00 GBP", timeout=20_000
            )
            expect(page.get_by_test_id("payment")).to_have_count(2)
            _screenshot(page, "payments-panel.png")
            assert _axe_serious(page) == []
            assert errors == []
        finally:
            browser.close()
