""" "At once" in real browsers (issue 13): what the debtor does on their page shows on the agent's
account screen and the supervisor's wallboard without a reload.

Three browser contexts in Debian's Chromium (Playwright): the debtor on a phone (390 x 844) opens
their page from a link, the agent has the account screen open, the supervisor the wallboard. The
debtor writes in the chat: the agent's chat panel and the wallboard's "chats waiting" show it; the
agent answers through the compliance gate: the debtor's widget shows it and the contact history
lists both; the debtor promises a date on their page while the agent is typing in the
arrangements panel: the panel waits until the agent leaves the form (nothing typed is lost), then
shows the promise, and the wallboard's promises count it. Every step waits on what the page shows (no sleeps); a poll is every
2 s (chat) or 5 s (panels, wallboard), so the waits allow 20 s on a loaded machine. axe-core finds
nothing serious or critical on the debtor's page with the chat in use, at phone size, nor on the
agent's account screen.

The clock is Tuesday 9 June 2026 at noon in New York (the live server runs in this process).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from solvent.arrangements.models import Promise
from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portal.links import portal_link_create
from solvent.portal.models import ChatMessage
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Phone, Team
from tests.compliance.services.compliance_fixtures import NOON
from tests.e2e.test_call_flow import _assert_no_horizontal_overflow, _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "floor-password-1"
WAIT = 20_000  # ms: a 2-5 s poll on a loaded 2-core machine
# Counts the arrangements panel's polls that desk/live.js held back (listening after it does).
HELD_BACK_COUNTER = """() => {
  window.solventHeldBack = 0;
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.getAttribute("data-live-guard") && event.defaultPrevented) {
      window.solventHeldBack += 1;
    }
  });
}"""
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}


def _person(username: str, role: Role, team: Team, name: str) -> None:
    first, last = name.split(" ")
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=first, last_name=last
    )
    staff_role_set(user=user, role=role)
    team.members.add(user)


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    client = Client.objects.create(code="harbor", name="Harbor Bank", country="US", currency="USD")
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    _person("agent", Role.AGENT, team, "Alex Reyes")
    _person("supervisor", Role.SUPERVISOR, team, "Priya Shah")
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
        e164="+12125550143",
        kind="mobile",
        line_type="mobile",
        time_zones=["America/New_York"],
    )
    account = Account.objects.create(
        client=client, account_number="HB-0001", currency="USD", principal=Decimal("1200.50")
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    _link, url = portal_link_create(debtor_id=debtor.pk, account_id=account.pk, channel="sms")
    path = re.sub(r"^https?://[^/]+", "", url)
    return {"account": account, "debtor": debtor, "link": path}


def _login(browser: Any, base: str, username: str) -> Any:
    page = browser.new_context(**DESK).new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_what_the_debtor_does_on_their_page_shows_on_the_agents_screen_at_once(
    live_server: Any, floor: dict[str, Any]
) -> None:
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    account = floor["account"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            # The agent has the account open; the supervisor the wallboard.
            agent = _login(browser, base, "agent")
            agent.goto(f"{base}/accounts/{account.pk}/")
            chat_panel = agent.get_by_test_id("chat-panel")
            expect(chat_panel.get_by_test_id("chat-log")).to_be_visible(timeout=WAIT)
            expect(chat_panel).to_contain_text("No open chat")
            promises = agent.get_by_test_id("promises")
            expect(promises).to_contain_text("No promise yet", timeout=WAIT)
            board = _login(browser, base, "supervisor")
            board.goto(f"{base}/wallboard/")
            expect(board.get_by_test_id("total-chats-waiting")).to_have_text("0", timeout=WAIT)

            # The debtor, on a phone, opens their page from the link.
            debtor = browser.new_context(**PHONE).new_page()
            debtor.goto(base + floor["link"])
            debtor.get_by_label("Date of birth").fill("1980-04-02")
            debtor.get_by_role("button", name="Continue").click()
            debtor.wait_for_url(f"{base}/my/")
            widget = debtor.get_by_test_id("chat-widget")
            box = widget.get_by_label("Your message")
            expect(box).to_be_visible(timeout=WAIT)

            # The debtor writes: it is in their log at once, then on the agent's panel and the
            # wallboard without a reload.
            box.fill("I lost my job last month. Can I pay a little each week?")
            widget.get_by_role("button", name="Send").click()
            log = widget.get_by_test_id("chat-log")
            expect(log).to_contain_text("Can I pay a little each week?", timeout=WAIT)
            expect(log).to_contain_text("An agent will answer here", timeout=WAIT)
            expect(box).to_have_value("")
            expect(chat_panel.get_by_test_id("chat-log")).to_contain_text(
                "Can I pay a little each week?", timeout=WAIT
            )
            expect(chat_panel.get_by_test_id("chat-state")).to_contain_text("waiting for an answer")
            expect(board.get_by_test_id("total-chats-waiting")).to_have_text("1", timeout=WAIT)

            # The agent answers through the gate: the debtor's widget shows it.
            reply = chat_panel.get_by_label("Reply to Maria Okafor")
            expect(reply).to_be_visible(timeout=WAIT)
            reply.fill("Hello Maria, I'm Alex. Yes: you can promise a date on your page.")
            chat_panel.get_by_role("button", name="Send").click()
            expect(chat_panel.get_by_test_id("chat-notice")).to_contain_text(
                "Sent to the debtor's page", timeout=WAIT
            )
            expect(log).to_contain_text("I'm Alex", timeout=WAIT)
            expect(widget.get_by_test_id("chat-state")).to_contain_text("An agent is answering")
            expect(board.get_by_test_id("total-chats-waiting")).to_have_text("0", timeout=WAIT)
            # Both messages are contacts in the account's history (it reloads after a write).
            expect(agent.get_by_test_id("timeline")).to_contain_text(
                "message received", timeout=WAIT
            )
            expect(agent.get_by_test_id("timeline")).to_contain_text("message sent")

            # The widget in use at phone size: nothing serious for axe-core, nothing too wide.
            widget.scroll_into_view_if_needed()
            assert _axe_serious(debtor) == []
            _assert_no_horizontal_overflow(debtor)
            debtor.screenshot(path=str(SCREENSHOTS / "at-once-debtor-chat.png"), full_page=True)
            assert _axe_serious(agent) == []  # the account screen with the chat in use
            agent.screenshot(path=str(SCREENSHOTS / "at-once-agent-chat.png"), full_page=True)

            # The agent starts typing a promise in the arrangements panel: its poll is held back
            # while they do (counted in the page), so what they type is not lost.
            amount = agent.locator("#promise-amount")
            amount.fill("40")
            agent.evaluate(HELD_BACK_COUNTER)

            # The debtor promises a date on their page.
            debtor.get_by_role("link", name="Promise to pay on a date").click()
            debtor.get_by_label("Amount").fill("250.00")
            debtor.get_by_label("Date you will pay").fill("2026-06-19")
            debtor.get_by_role("button", name="Make the promise").click()
            debtor.wait_for_url(re.compile(r".*/my/\?account=\d+$"))
            agent.evaluate("() => { window.solventHeldBack = 0; }")
            agent.wait_for_function("() => window.solventHeldBack >= 1", timeout=WAIT)
            expect(amount).to_have_value("40")
            expect(promises).not_to_contain_text("250.00")
            # The agent leaves the form: the next poll brings the debtor's promise, no reload.
            amount.fill("")
            amount.evaluate("field => field.blur()")
            expect(promises).to_contain_text("250.00", timeout=WAIT)
            expect(promises).to_contain_text("2026-06-19")
            expect(board.get_by_test_id("total-promises")).to_have_text("1", timeout=WAIT)
            agent.screenshot(path=str(SCREENSHOTS / "at-once-agent-promise.png"), full_page=True)
        finally:
            browser.close()
    # What the pages showed is what the database holds.
    assert list(ChatMessage.objects.values_list("sender", flat=True)) == [
        "debtor",
        "system",
        "agent",
    ]
    assert Interaction.objects.filter(channel="chat").count() == 2
    promise = Promise.objects.get()
    assert (promise.amount, promise.due_on, promise.created_by_id) == (
        Decimal("250.00"),
        date(2026, 6, 19),
        None,
    )
