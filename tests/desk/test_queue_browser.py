"""In a real browser: next account from the queue, a callback refused at 21:30 and set at the time
offered, and a text previewed then queued — all without a page reload after the account opens.

Drives Debian's Chromium through Playwright; screenshots go to var/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from solvent.contact.models import OutboxMessage
from solvent.contact.services import (
    template_create,
    template_version_activate,
    template_version_add,
)
from solvent.core import clock
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.desk.models import Callback
from solvent.portfolio.models import Account, Team
from tests.contact.factories import make_client, make_debtor
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def floor() -> dict[str, str]:
    acme = make_client("acme")
    team = Team.objects.create(name="acme floor")
    team.clients.add(acme)
    agent = User.objects.create_user(username="agent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    _small_debtor, small = make_debtor(client=acme)
    _debtor, big = make_debtor(client=acme)
    Account.objects.filter(pk=big.pk).update(principal=Decimal("5000.00"))
    template = template_create(code="reminder", channel="sms", language="en", name="Reminder")
    version = template_version_add(
        template_id=template.pk,
        subject="",
        body="Hi {{ debtor_first_name }}, please call {{ agency_phone }}. "
        "{{ debt_collector_disclosure }} Reply STOP to opt out.",
    )
    template_version_activate(version_id=version.pk)
    return {"big": big.account_number, "small": small.account_number}


def test_agent_takes_the_next_account_sets_a_lawful_callback_and_queues_a_text(
    live_server, floor
) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tomorrow = (clock.now().astimezone(ZoneInfo("America/New_York")) + timedelta(days=1)).date()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "agent")
            page.fill("input[name=password]", "agent-password-1")
            page.click("button[type=submit]")
            page.goto(f"{live_server.url}/queue/")
            _screenshot(page, "queue.png")
            page.click("[data-testid=next-account]")
            page.wait_for_url("**/accounts/*/")
            expect(page.locator("h1")).to_contain_text(floor["big"])  # the higher balance first
            panel = page.locator("[data-testid=queue-panel]")
            expect(panel).to_be_visible()

            page.fill("[data-testid=callback-form] input[name=due_local]", f"{tomorrow}T21:30")
            page.click("[data-testid=callback-form] button.primary")
            expect(page.locator("[data-testid=callback-refused]")).to_be_visible()
            expect(page.locator("[data-testid=next-lawful]")).to_contain_text("08:00")
            _screenshot(page, "callback-refused.png")
            page.click("[data-testid=use-next-lawful]")
            due = page.locator("[data-testid=callback-form] input[name=due_local]")
            expect(due).to_have_value(f"{tomorrow + timedelta(days=1)}T08:00")
            page.click("[data-testid=callback-form] button.primary")
            expect(page.locator("[data-testid=callback-saved]")).to_contain_text("08:00")

            page.select_option("[data-testid=message-form] select[name=template]", "reminder")
            page.click("[data-testid=message-form] button[type=submit]")
            expect(page.locator("[data-testid=message-preview]")).to_contain_text(
                "Hi Maria, please call"
            )
            _screenshot(page, "message-preview.png")
            page.click("[data-testid=message-send]")
            expect(page.locator("[data-testid=message-queued]")).to_contain_text("pending")
            assert not [e for e in errors if "Content Security Policy" in e], errors

            page.set_viewport_size({"width": 390, "height": 844})
            overflow = page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            _screenshot(page, "account-queue-panel-phone.png")
            assert not overflow, "the account screen overflows at 390 px"
        finally:
            browser.close()
    # The database is read once the browser's event loop is gone (Django refuses it inside one).
    callback = Callback.objects.get()
    assert callback.due_at.astimezone(ZoneInfo("America/New_York")).hour == 8
    assert OutboxMessage.objects.get().body.startswith("Hi Maria, please call")
