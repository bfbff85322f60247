"""End to end in a real browser: an agent takes a dialer call from the desk.

Playwright drives Debian's Chromium. The agent logs in to a campaign of their team on /dialer/ and
goes ready; the test plays the dialer process's part with its services (the gate at dial time, the
call ringing, answered by a person, connected to the agent; the line ended after the agent's
Hang up). The agent's page pops the account without a reload (its poll answers HX-Redirect), the
dialer call panel shows the masked number and the call's state, the guided call is opened for the
call's attempt: the agent verifies the right party, hangs up and records a promise to pay, which
the dialer records as the call's outcome (the contact history shows it), then "Ready for the next call" takes them back to the dialer page, ready.
axe-core finds nothing serious on either page. Every step waits on what the page shows (a poll is
every second; the waits allow 20 s on a loaded machine). The clock is Tuesday 9 June 2026, noon in
Columbus (the compliance fixtures' Ohio debtor).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.contrib.auth.models import User
from django.db import connections

from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer import selectors
from solvent.dialer.models import AgentSession, Call
from solvent.dialer.services import call_event_apply, calls_dial_authorize, hopper_take
from solvent.portfolio.models import Client, Team
from tests.compliance.services.compliance_fixtures import NOON, WORK_PHONE, ohio_debtor_create
from tests.dialer.services.dialer_fixtures import campaign_create, entry_create
from tests.e2e.test_call_flow import _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "agent-password-1"
WAIT = 20_000  # ms
T = TypeVar("T")


def _in_a_thread(work: Callable[[], T]) -> T:
    """Playwright's event loop runs in this thread, where Django refuses database calls."""
    results: list[T] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:  # handed back to the test below
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]
    return results[0]


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # The live server runs in this process: the gate and the pages read this clock.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    who = ohio_debtor_create()
    client = Client.objects.get(code="acme")
    team = Team.objects.create(name="Floor")
    team.clients.add(client)
    agent = User.objects.create_user(
        username="agent", password=PASSWORD, first_name="Alex", last_name="Reyes"
    )
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    campaign = campaign_create(team=team, name="Acme early stage")
    return {"who": who, "agent": agent, "campaign": campaign}


def _engine_connects(floor: dict[str, Any]) -> Call:
    """The dialer process's part: the gate at dial time, then ringing, a person, the agent."""
    campaign, agent = floor["campaign"], floor["agent"]
    # The work landline: an autodialled call to a mobile would need the debtor's consent.
    entry_create(campaign, floor["who"], phone=WORK_PHONE)
    taken = hopper_take(campaign_id=campaign.pk, count=1, now=NOON)
    figures = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON)
    (call,) = calls_dial_authorize(
        campaign_id=campaign.pk, entries=taken, figures=figures, now=NOON
    )
    call_event_apply(call_id=call.pk, state="ringing", at=NOON)
    call_event_apply(call_id=call.pk, state="answered", at=NOON, answered_by_person=True)
    Call.objects.filter(pk=call.pk).update(agent=agent)
    call_event_apply(call_id=call.pk, state="connected", at=NOON)
    AgentSession.objects.filter(
        agent=agent, logged_out_at__isnull=True, state=AgentSession.State.READY
    ).update(state=AgentSession.State.TALKING, call=call, state_since=NOON)
    return call


def _engine_hangs_up(call: Call) -> None:
    """The dialer process's part: the line is ended, the call waits for the agent's outcome."""
    assert Call.objects.filter(pk=call.pk, hangup_requested=True).update(ended_at=NOON) == 1
    AgentSession.objects.filter(call=call).update(state=AgentSession.State.WRAP_UP)


def test_the_agent_goes_ready_takes_a_popped_call_records_it_and_goes_ready_again(
    live_server: Any, floor: dict[str, Any]
) -> None:
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    account = floor["who"].card
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", "agent")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")

            # Log in to the campaign, go ready.
            page.goto(f"{base}/dialer/")
            page.select_option("#dialer-campaign", label="Acme early stage (predictive)")
            page.click("[data-testid=dialer-login] button[type=submit]")
            state = page.get_by_test_id("dialer-state")
            expect(state).to_have_text(re.compile(r"^Paused"), timeout=WAIT)
            page.get_by_test_id("dialer-ready").click()
            expect(state).to_have_text("Ready", timeout=WAIT)
            page.screenshot(path=str(SCREENSHOTS / "dialer-ready-1366.png"))
            serious = _axe_serious(page)
            assert serious == [], serious

            # The dialer connects a call: the account pops, no reload by the agent.
            call = _in_a_thread(lambda: _engine_connects(floor))
            page.wait_for_url(f"{base}/accounts/{account.pk}/?call={call.pk}", timeout=WAIT)
            panel = page.get_by_test_id("dialer-call")
            expect(panel.get_by_test_id("dialer-call-state")).to_have_text(
                "Connected", timeout=WAIT
            )
            expect(panel.get_by_test_id("dialer-call-phone")).to_have_text(re.compile(r"•+0199$"))
            expect(page.get_by_test_id("rpv-form")).to_be_visible(timeout=WAIT)
            expect(page.locator("button[value=promise_to_pay]")).to_be_disabled()
            page.screenshot(path=str(SCREENSHOTS / "dialer-call-popped-1366.png"))

            # The guided call: verify; hang up (the dialer ends the line); the promise, which
            # the dialer records as the call's outcome.
            page.check("input[name=name_confirmed]")
            page.check("input[name=fact][value=postal_code]")
            page.click("[data-testid=rpv-form] button[type=submit]")
            expect(page.get_by_test_id("rpv-done")).to_be_visible(timeout=WAIT)
            page.fill("#call-note", "Pays on Friday")
            panel.get_by_test_id("dialer-hangup").click()
            expect(panel).to_contain_text("Hanging up", timeout=WAIT)
            _in_a_thread(lambda: _engine_hangs_up(call))
            expect(panel.get_by_test_id("dialer-call-state")).to_have_text(
                "Line free: record the outcome", timeout=WAIT
            )
            page.click("button[value=promise_to_pay]")
            expect(page.get_by_test_id("call-recorded")).to_contain_text(
                "Promise to pay", timeout=WAIT
            )
            timeline = page.get_by_test_id("timeline")
            expect(timeline).to_contain_text("Pays on Friday", timeout=WAIT)
            next_call = page.get_by_test_id("dialer-next-call")
            expect(next_call).to_be_visible(timeout=WAIT)
            page.screenshot(path=str(SCREENSHOTS / "dialer-call-recorded-1366.png"), full_page=True)
            serious = _axe_serious(page)
            assert serious == [], serious
            closed = _in_a_thread(lambda: Call.objects.get(pk=call.pk))
            assert (closed.state, closed.outcome) == (Call.State.ENDED, Call.Outcome.CONNECTED)
            disposition = _in_a_thread(
                lambda: Interaction.objects.get(pk=closed.interaction_id).disposition
            )
            assert disposition == "promise_to_pay"

            # Ready for the next call: back on the dialer page, ready.
            next_call.click()
            page.wait_for_url(f"{base}/dialer/", timeout=WAIT)
            expect(page.get_by_test_id("dialer-state")).to_have_text("Ready", timeout=WAIT)
            session = _in_a_thread(
                lambda: AgentSession.objects.get(agent=floor["agent"], logged_out_at__isnull=True)
            )
            assert (session.state, session.call_id) == (AgentSession.State.READY, None)
        finally:
            browser.close()
