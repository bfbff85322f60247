"""End to end in a real browser: an agent logs in, finds an account and sees its balance.

Drives Debian's Chromium through Playwright (no browser download). Screenshots are kept under
var/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Phone, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path("var/screenshots")


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set and Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    return path


@pytest.fixture
def floor() -> dict[str, str]:
    client = Client.objects.create(code="harbor", name="Harbor Bank")
    other = Client.objects.create(code="globex", name="Globex Telecom")
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    agent = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    debtor = Debtor.objects.create(
        first_name="Maria",
        last_name="Okafor",
        national_id="123-45-6789",
        national_id_last4="6789",
        date_of_birth="1980-04-02",
    )
    Phone.objects.create(
        debtor=debtor, e164="+12125550143", kind="mobile", time_zones=["America/New_York"]
    )
    account = Account.objects.create(
        client=client,
        account_number="HB-0001",
        currency="USD",
        principal=Decimal("1200.50"),
        interest=Decimal("99.50"),
        fees=Decimal("25.00"),
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    hidden = Account.objects.create(client=other, account_number="GX-0001", currency="USD")
    AccountDebtor.objects.create(account=hidden, debtor=debtor)
    return {"account_number": account.account_number, "hidden": hidden.account_number}


def _screenshot(page, name: str) -> None:
    """Screenshots are for people to look at; a busy machine may fail to capture one, so retry."""
    from playwright.sync_api import Error

    for _ in range(3):
        try:
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
            return
        except Error:
            page.wait_for_timeout(500)


def test_agent_logs_in_searches_and_opens_an_account(live_server, floor) -> None:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page()
            page.goto(f"{live_server.url}/")
            assert "/login/" in page.url  # anonymous people are sent to log in
            page.fill("input[name=username]", "agent")
            page.fill("input[name=password]", "wrong-password")
            page.click("button[type=submit]")
            assert page.locator(".error").is_visible()
            page.fill("input[name=username]", "agent")
            page.fill("input[name=password]", "agent-password-1")
            page.click("button[type=submit]")
            page.fill("input[name=q]", "Okafor")
            page.click("form.search button[type=submit]")
            rows = page.locator("table.list tbody tr")
            assert rows.count() == 1  # the other tenant's account stays hidden
            assert floor["hidden"] not in page.content()
            _screenshot(page, "account-search.png")
            page.click(f"text={floor['account_number']}")
            assert page.locator("[data-testid=balance]").inner_text() == "1,325.00 USD"
            assert "6789" in page.content() and "123-45-6789" not in page.content()
            options = page.locator("[data-testid=contact-options] tbody tr")
            assert options.count() >= 1  # the compliance preview for the phone on file
            assert "regf." in options.first.inner_text() or "Allowed" in options.first.inner_text()
            assert "No contact yet." in page.locator("[data-testid=timeline]").inner_text()
            _screenshot(page, "account-detail.png")
        finally:
            browser.close()
