"""End to end in a real browser: a supervisor watches the wallboard update while an agent works.

The page draws its chart (Chart.js, vendored) from the figures' JSON block; a call authorised by the
gate and recorded through ``contact.services.interaction_record`` shows on the board at its next
poll, without a reload. The clock is fixed at noon in New York, so the gate allows the call.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connections

from solvent.compliance.services import contact_attempt_authorize
from solvent.contact.services import interaction_record
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Phone, Team
from tests.e2e.test_call_flow import _assert_no_horizontal_overflow, _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOON = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
PHONE = "+16142250101"


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    # The live server runs in this process: it reads the same fixed clock.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    client = Client.objects.create(code="harbor", name="Harbor Bank")
    team = Team.objects.create(name="Harbor floor")
    team.clients.add(client)
    supervisor = User.objects.create_user(username="sue", password="supervisor-password-1")
    staff_role_set(user=supervisor, role=Role.SUPERVISOR)
    agent = User.objects.create_user(username="ann", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(supervisor, agent)
    debtor = Debtor.objects.create(first_name="Pat", last_name="Okafor")
    Address.objects.create(
        debtor=debtor,
        line1="1 High St",
        city="Columbus",
        region="OH",
        postal_code="43215",
        country="US",
    )
    phone = Phone.objects.create(
        debtor=debtor, e164=PHONE, kind=Phone.Kind.MOBILE, line_type=Phone.LineType.MOBILE
    )
    phone.clients.add(client)
    account = Account.objects.create(
        client=client, account_number="HB-0001", currency="USD", principal="500.00"
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return {"debtor": debtor.pk, "account": account.pk, "agent": agent.pk}


def _call_recorded(floor: dict[str, int]) -> None:
    """The agent's call: authorised by the gate, then its outcome recorded (a right-party contact)."""
    authorization = contact_attempt_authorize(
        debtor_id=floor["debtor"],
        channel="call",
        contact_point=PHONE,
        account_ids=[floor["account"]],
        at=NOON,
        actor_id=floor["agent"],
    )
    assert authorization.attempt_id, authorization
    interaction_record(
        debtor_id=floor["debtor"],
        channel="call",
        direction="outbound",
        contact_point=PHONE,
        disposition="right_party_contact",
        account_ids=[floor["account"]],
        occurred_at=NOON,
        agent_id=floor["agent"],
        attempt_id=authorization.attempt_id,
    )


def _in_a_thread(work: Callable[[dict[str, int]], None], floor: dict[str, int]) -> None:
    """Playwright's event loop runs in this thread, where Django refuses database calls."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work(floor)
        except BaseException as error:  # handed back to the test below
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def test_the_wallboard_draws_its_chart_and_updates_live(live_server, floor) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "sue")
            page.fill("input[name=password]", "supervisor-password-1")
            page.click("button[type=submit]")
            page.click("header.top nav >> text=Wallboard")
            assert page.locator("[data-testid=total-attempts]").inner_text() == "0"
            canvas = page.locator("canvas#wallboard-chart")
            assert canvas.is_visible()
            # Chart.js drew on it: our script read the JSON block and said what it drew.
            expect(canvas).to_have_attribute("data-drawn-attempts", "0")
            assert page.evaluate("typeof window.Chart") == "function"

            _in_a_thread(_call_recorded, floor)

            # The next poll (every 5 s) brings the new figures and redraws the chart: no reload.
            total = page.locator("[data-testid=total-attempts]")
            expect(total).to_have_text("1", timeout=20_000)
            expect(canvas).to_have_attribute("data-drawn-attempts", "1")
            assert page.locator("[data-testid=total-rpc]").inner_text() == "1"
            assert page.locator("tr[data-agent=ann]").inner_text().count("1") >= 1
            _screenshot(page, "wallboard.png")
            # At 1366 px the client figures fit their card: no sideways scrolling on a desk screen.
            fits = (
                "() => { const s = document.querySelector('[data-testid=client-figures]')"
                ".parentElement; return s.scrollWidth <= s.clientWidth; }"
            )
            assert page.evaluate(fits)
            assert _axe_serious(page) == []
            page.set_viewport_size({"width": 390, "height": 844})
            expect(page.locator("[data-testid=total-attempts]")).to_have_text("1")
            _assert_no_horizontal_overflow(page)  # nothing wider than a phone, once redrawn
            _screenshot(page, "wallboard-390.png")
            page.set_viewport_size({"width": 1366, "height": 768})

            page.click("tr[data-agent=ann] a")
            assert page.locator("[data-testid=agent-attempts]").inner_text() == "1"
            page.click("[data-testid=agent-interactions] >> text=HB-0001")
            assert f"/accounts/{floor['account']}/" in page.url
            assert not [e for e in errors if "Content Security Policy" in e], errors

            # The session ends: the next poll takes the page to the login form, not into the board.
            page.goto(f"{live_server.url}/wallboard/")
            expect(page.locator("[data-testid=total-attempts]")).to_have_text("1")
            page.context.clear_cookies()
            expect(page).to_have_url(re.compile(r"/login/"), timeout=20_000)
            assert page.locator("input[name=username]").is_visible()
        finally:
            browser.close()
