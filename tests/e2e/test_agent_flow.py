"""The whole day's work in a real browser (issue 11's "done when"): an agent takes the next account
from the queue, calls, verifies the debtor, records a right-party contact, takes a promise, sets a
callback and sends a text (previewed first); a supervisor sees it live on the wallboard and a
compliance officer finds the call's decision in the review.

Playwright drives Debian's Chromium against the live server. The clock is Tuesday 9 June 2026 at
noon in New York (a lawful calling time). The screenshots are the README's (``make screenshots``
copies them to docs/).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from solvent.arrangements.models import Promise
from solvent.compliance.models import DecisionLog
from solvent.contact.models import Interaction, OutboxMessage
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.desk.models import Callback
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Email,
    Phone,
    Team,
)
from tests.compliance.services.compliance_fixtures import NOON
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+12125550143"
PASSWORD = "floor-password-1"


def _person(username: str, role: Role, team: Team | None, name: str) -> User:
    first, last = name.split(" ")
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=first, last_name=last
    )
    staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    call_command("contact_templates_install", verbosity=0)
    client = Client.objects.create(code="harbor", name="Harbor Bank", country="US", currency="USD")
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    _person("agent", Role.AGENT, team, "Alex Reyes")
    _person("supervisor", Role.SUPERVISOR, team, "Priya Shah")
    _person("officer", Role.COMPLIANCE_OFFICER, None, "Dana Cole")
    debtor = Debtor.objects.create(
        first_name="Maria",
        last_name="Okafor",
        national_id="123-45-6789",
        national_id_last4="6789",
        date_of_birth="1980-04-02",
    )
    Address.objects.create(
        debtor=debtor,
        line1="5 Park Ave",
        city="New York",
        region="NY",
        postal_code="10016",
        country="US",
    )
    Phone.objects.create(
        debtor=debtor,
        e164=PHONE,
        kind="mobile",
        line_type="mobile",
        time_zones=["America/New_York"],
    )
    Email.objects.create(debtor=debtor, address="maria.okafor@example.com")
    account = Account.objects.create(
        client=client, account_number="HB-0001", currency="USD", principal=Decimal("1200.50")
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return {"account": account}


def _login(browser: Any, base: str, username: str) -> Any:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / name))


def test_an_agent_works_an_account_and_the_floor_sees_it(live_server, floor) -> None:
    from playwright.sync_api import expect, sync_playwright

    account = floor["account"]
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            # The agent: the next account from the queue.
            page = _login(browser, base, "agent")
            page.click("nav >> text=My queue")
            page.click("text=Next account")
            page.wait_for_url(f"{base}/accounts/{account.pk}/")

            # The call, through the gate; the debtor verified by name and date of birth.
            page.click(f"[aria-label='Call {PHONE}']")
            expect(page.locator("[data-testid=call-live]")).to_be_visible()
            page.check("input[name=name_confirmed]")
            page.check("input[name=fact][value=date_of_birth]")
            page.click("[data-testid=rpv-form] button[type=submit]")
            expect(page.locator("[data-testid=disclosure]").first).to_contain_text(
                "This is an attempt to collect a debt"
            )
            page.fill("#call-note", "Lost hours at work; can pay 100 on Friday")
            page.click("button[value=right_party_contact]")
            expect(page.locator("[data-testid=call-recorded]")).to_contain_text(
                "Right-party contact"
            )

            # The promise: a record with a status, not words in a summary.
            page.fill("#promise-amount", "100.00")
            page.fill("#promise-due-on", "2026-06-12")
            page.select_option("#promise-reminder", "sms")
            page.click("[data-testid=promise-form] button[type=submit]")
            expect(page.locator("[data-testid=promises]")).to_contain_text("100.00")

            # A callback tomorrow at 10:00 in the debtor's time: refused, a conversation was just
            # had (7 days, 1006.14(b)(2)(ii)); the next lawful time is offered and taken.
            callback = page.locator("[data-testid=callback-form]")
            callback.locator("input[name=due_local]").fill("2026-06-10T10:00")
            callback.locator("button[type=submit].primary").click()
            expect(page.locator("[data-testid=callback-refused]")).to_contain_text(
                "regf.call_frequency.post_conversation_7d"
            )
            expect(page.locator("[data-testid=next-lawful]")).to_contain_text("Tue 16 Jun 2026")
            page.click("[data-testid=use-next-lawful]")  # fills the time in; the agent confirms
            expect(callback.locator("input[name=due_local]")).to_have_value("2026-06-16T08:00")
            callback.locator("button[type=submit].primary").click()
            expect(page.locator("[data-testid=callback-saved]")).to_be_visible()

            # A text from a template, previewed first, then queued in the outbox.
            message = page.locator("[data-testid=message-form]")
            message.locator("select[name=target]").select_option(index=0)
            message.locator("select[name=template]").select_option(
                label="Payment reminder (text) (sms, en)"
            )
            message.locator("button[type=submit]").click()
            expect(page.locator("[data-testid=message-preview]")).to_contain_text(
                "This communication is from a debt collector"
            )
            page.click("[data-testid=message-send]")
            expect(page.locator("[data-testid=message-queued]")).to_be_visible()
            expect(page.locator("[data-testid=timeline]")).to_contain_text("Lost hours at work")
            page.locator("[data-testid=call-panel]").scroll_into_view_if_needed()
            page.evaluate("window.scrollTo(0, 0)")
            _shot(page, "readme-desk.png")

            # The supervisor's wallboard: the call, the contact and the promise, today.
            board = _login(browser, base, "supervisor")
            board.click("nav >> text=Wallboard")
            expect(board.locator("[data-testid=total-attempts]")).to_have_text("1")
            expect(board.locator("[data-testid=total-rpc]")).to_have_text("1")
            expect(board.locator("[data-testid=total-promises]")).to_have_text("1")
            expect(board.locator("[data-testid=agents]")).to_contain_text("agent")
            _shot(board, "readme-wallboard.png")

            # The compliance officer: the call's decision, allowed, with its agent.
            review = _login(browser, base, "officer")
            review.click("nav >> text=Compliance review")
            decisions = review.locator("[data-testid=decisions]")
            expect(decisions).to_contain_text("HB-0001")
            expect(decisions).to_contain_text("Allowed")
            _shot(review, "readme-review.png")
        finally:
            browser.close()
    # What the pages showed is what the database holds.
    assert Interaction.objects.filter(disposition="right_party_contact", agent__username="agent")
    assert Promise.objects.get().status == "pending"
    assert Callback.objects.get().status == "pending"
    assert OutboxMessage.objects.filter(channel="sms", contact_point=PHONE).count() == 1
    assert DecisionLog.objects.filter(channel="call").count() == 1
