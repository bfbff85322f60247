"""End to end in Chromium: on the account screen an agent records a promise, takes income and
expenditure, accepts the plan it affords and records a vulnerability pause, all without a reload.

The page keeps its Content-Security-Policy; axe-core comes from the app's static files. The clock is
Wednesday 2 December 2026, 10:00 UTC. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from solvent.arrangements.models import PaymentPlan, Promise, VulnerabilityFlag
from solvent.compliance.models import Hold
from solvent.core.models import Role
from tests.arrangements.factories import ClientFactory, debt_create, staff_create
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"


def _axe_serious(page: Any) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    results = page.evaluate("async () => await window.axe.run(document)")
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the screen (0: no horizontal scrolling)."""
    return int(
        page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    )


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    harbor = ClientFactory(code="harbor", name="Harbor Bank")
    account, debtor = debt_create(client=harbor, principal="1200.00")
    agent = staff_create("agent", Role.AGENT, clients=(harbor,))
    agent.set_password("agent-password-1")
    agent.save()
    return {"account": account, "debtor": debtor}


def test_agent_records_a_promise_a_plan_and_a_pause_in_place(live_server, floor) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    account = floor["account"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "agent")
            page.fill("input[name=password]", "agent-password-1")
            page.click("button[type=submit]")
            page.goto(f"{live_server.url}/accounts/{account.pk}/")
            panel = page.locator("[data-testid=arrangements-panel]")
            expect(panel).to_be_visible()  # loaded by hx-get on load

            page.fill("#promise-amount", "150")
            page.fill("#promise-due-on", "2026-12-11")
            page.select_option("#promise-reminder", "sms")
            page.click("[data-testid=promise-form] button[type=submit]")
            expect(page.locator("[data-testid=arrangements-notice]")).to_have_text(
                "Promise recorded."
            )
            expect(page.locator("[data-testid=promises]")).to_contain_text("150.00 GBP")
            assert page.locator("[data-testid=promises]").inner_text().count("Pending") == 1

            page.click("[data-testid=statement-details] > summary")  # folded until needed
            page.fill("[id='line-earnings.wages']", "1600")
            page.fill("[id='line-home.rent']", "700")
            page.fill("[id='line-food.groceries']", "60")
            page.select_option("[id='frequency-food.groceries']", "weekly")
            page.fill("#plan-first-due-on", "2026-12-20")
            page.click("[data-testid=statement-form] button[type=submit]")
            expect(page.locator("[data-testid=disposable]")).to_have_text("640.00 GBP")
            page.click("[data-testid=plan-accept]")
            expect(page.locator("[data-testid=plan]").first).to_contain_text("Active")
            _screenshot(page, "arrangements-plan-1366.png")

            page.select_option("#flag-kind", "bereavement")
            page.select_option("#flag-treatment", "pause")
            page.fill("#flag-note", "Partner died in November")
            page.check("#flag-consent")
            page.click("[data-testid=vulnerability-form] button[type=submit]")
            banner = page.locator("[data-testid=vulnerability-banner]")
            expect(banner).to_contain_text("Bereavement")
            expect(banner).to_contain_text("Pause all contact")
            assert page.url.endswith(f"/accounts/{account.pk}/")  # never reloaded
            serious = _axe_serious(page)
            assert serious == [], serious
            _screenshot(page, "arrangements-vulnerability-1366.png")

            page.set_viewport_size({"width": 390, "height": 844})
            page.reload()
            expect(page.locator("[data-testid=vulnerability-banner]")).to_be_visible()
            assert _overflow(page) == 0
            _screenshot(page, "arrangements-390.png")
        finally:
            browser.close()
    assert Promise.objects.get().reminder_channel == "sms"
    assert PaymentPlan.objects.get().status == "active"
    flag = VulnerabilityFlag.objects.get()
    assert Hold.objects.get(pk=flag.hold_id).kind == "hardship"
