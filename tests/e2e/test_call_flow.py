"""End to end in a real browser: an agent calls, verifies the debtor, records the outcome and a note.

Playwright drives Debian's Chromium. The page keeps its Content-Security-Policy: axe-core is loaded
from the app's own static files (``script-src 'self'``), as a page would. The clock is Tuesday
9 June 2026 at noon in New York (a lawful calling time), so the gate allows the call whatever the
hour the test runs. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from solvent.compliance.models import Hold
from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Phone, Team
from tests.compliance.services.compliance_fixtures import NOON
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = "/static/vendor/axe-core-4.14.1/axe.min.js"
PHONE = "+12125550143"


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # The live server runs in this process: the gate and the pages read this clock.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    client = Client.objects.create(code="harbor", name="Harbor Bank")
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    agent = User.objects.create_user(
        username="agent", password="agent-password-1", first_name="Alex", last_name="Reyes"
    )
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
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
    account = Account.objects.create(
        client=client,
        account_number="HB-0001",
        currency="USD",
        principal=Decimal("1200.50"),
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return {"account": account}


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


_FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
_WIDER = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40))"""


def _assert_no_horizontal_overflow(page: Any) -> None:
    """The page is no wider than the screen, once HTMX has settled the swap (waits, no sleep)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(_FITS, timeout=5000)
    except PlaywrightTimeoutError:
        pytest.fail(f"wider than the screen: {page.evaluate(_WIDER)}")


def test_agent_calls_verifies_and_records_a_right_party_contact(live_server, floor) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    account = floor["account"]
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
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "agent")
            page.fill("input[name=password]", "agent-password-1")
            page.click("button[type=submit]")
            page.goto(f"{live_server.url}/accounts/{account.pk}/")
            expect(page.locator("[data-testid=timeline]")).to_contain_text("No contact yet.")

            # Click-to-call: the gate allows it, the guided call opens in place.
            page.click(f"[aria-label='Call {PHONE}']")
            live = page.locator("[data-testid=call-live]")
            expect(live).to_be_visible()
            expect(page.locator("[data-testid=third-party-script]")).to_be_visible()
            expect(page.locator("button[value=promise_to_pay]")).to_be_disabled()
            assert page.url.endswith(f"/accounts/{account.pk}/")  # no page load

            # Right-party verification: the full name and the date of birth.
            page.check("input[name=name_confirmed]")
            page.check("input[name=fact][value=date_of_birth]")
            page.click("[data-testid=rpv-form] button[type=submit]")
            expect(page.locator("[data-testid=rpv-done]")).to_be_visible()
            expect(page.locator("[data-testid=disclosure]").first).to_contain_text(
                "This is an attempt to collect a debt"
            )
            expect(page.locator("button[value=promise_to_pay]")).to_be_enabled()
            _screenshot(page, "call-verified-1366.png")
            page.locator("#call-panel").screenshot(
                path=str(SCREENSHOTS / "call-panel-verified.png")
            )
            serious = _axe_serious(page)
            assert serious == [], serious

            # The note, then the outcome by its keyboard shortcut ("5": right-party contact).
            # A key typed into the note is the note's, not an outcome ("7" is the promise).
            page.fill("#call-note", "Will pay on Friday")
            page.locator("#call-note").press("7")
            expect(page.locator("#call-note")).to_have_value("Will pay on Friday7")
            expect(page.locator("[data-testid=call-recorded]")).to_have_count(0)
            page.fill("#call-note", "Will pay on Friday")
            page.locator("h1").click()  # leave the field: keys typed there are the note's
            page.keyboard.press("5")
            expect(page.locator("[data-testid=call-recorded]")).to_contain_text(
                "Right-party contact"
            )
            # The contact history refreshes itself after the write, without a reload.
            timeline = page.locator("[data-testid=timeline]")
            expect(timeline).to_contain_text("Will pay on Friday")
            expect(timeline).to_contain_text("right party contact")
            _screenshot(page, "call-recorded-1366.png")
            _assert_no_horizontal_overflow(page)
            serious = _axe_serious(page)
            assert serious == [], serious

            # "n" anywhere but in a field: the next account from the work queue.
            page.goto(f"{live_server.url}/queue/")
            page.keyboard.press("n")  # the work queue's next account
            page.wait_for_url(re.compile(r"/accounts/\d+/$"))

            # Phone width: nothing wider than the screen, the call buttons still there.
            page.set_viewport_size({"width": 390, "height": 844})
            page.reload()
            expect(page.locator("[data-testid=call-button]")).to_be_visible()
            _assert_no_horizontal_overflow(page)
            _screenshot(page, "call-panel-390.png")
            # A second call after a conversation: the gate refuses it (7 days, 1006.14(b)(2)(ii))
            # and the panel says why and from when, in New York time.
            page.click(f"[aria-label='Call {PHONE}']")
            expect(page.locator("[data-testid=call-refused]")).to_contain_text("1006.14(b)")
            expect(page.locator("[data-testid=next-lawful]")).to_contain_text("America/New_York")
            _assert_no_horizontal_overflow(page)
            _screenshot(page, "call-refused-390.png")
            serious = _axe_serious(page)
            assert serious == [], serious

            # The debtor says stop: a cease hold, in place, at phone width.
            page.click(".hold-form summary")
            page.select_option("select[name=kind]", "cease")
            page.fill(".hold-form input[name=note]", "asked us to stop")
            page.click(".hold-form button[type=submit]")
            expect(page.locator("[data-testid=hold-placed]")).to_contain_text("Cease request")
            _assert_no_horizontal_overflow(page)
            _screenshot(page, "call-hold-390.png")
        finally:
            browser.close()
    assert Hold.objects.get(kind="cease").evidence == "asked us to stop"
    interaction = Interaction.objects.get(disposition="right_party_contact")
    assert interaction.summary == "RPV: full name + date of birth · Will pay on Friday"
    assert interaction.compliance_attempt_id is not None
