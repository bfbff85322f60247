"""End to end in a real browser: a new agent practises a hardship call, is coached, finishes and
sees the score.

Playwright drives Debian's Chromium against the live server. The session's seed is fixed (the
simulated debtor and every reply are a function of it), so the flow is the same on every run; the
waits are on what the page shows, never on the clock. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Team
from solvent.quality.models import QaReview
from solvent.training.models import PracticeSession
from tests.compliance.services.compliance_fixtures import NOON
from tests.e2e.test_call_flow import _assert_no_horizontal_overflow, _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = "4242"


@pytest.fixture
def trainee(monkeypatch: pytest.MonkeyPatch) -> User:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    team = Team.objects.create(name="Floor")
    agent = User.objects.create_user(username="newagent", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    return agent


def _act(page: Any, action: str) -> None:
    """Press an action of the script panel and wait for the desk to be swapped in."""
    before = page.locator("[data-testid=transcript] li").count()
    page.click(f"[data-testid=action-{action}]")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=transcript] li').length > n", arg=before
    )


def test_a_new_agent_practises_is_coached_finishes_and_sees_the_score(live_server, trainee) -> None:
    from playwright.sync_api import expect, sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"practice seed {SEED}")  # noqa: T201 - the seed of the simulated debtor, to replay
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "newagent")
            page.fill("input[name=password]", "agent-password-1")
            page.click("button[type=submit]")
            page.goto(f"{live_server.url}/practice/")
            expect(page.locator("nav")).to_contain_text("Practice")
            page.fill("#seed-hardship", SEED)
            page.click("[data-testid=start-hardship]")
            expect(page.locator("[data-testid=practice-badge]")).to_have_text("PRACTICE")
            expect(page.locator("[data-testid=seed]")).to_have_text(SEED)
            expect(page.locator("[data-testid=local-time]")).to_contain_text("Debtor's local time")
            desk_url = page.url

            _act(page, "dial")
            expect(page.locator("[data-testid=on-call]")).to_be_visible()
            assert page.url == desk_url  # HTMX: no page load

            # The balance before verifying: the coach speaks first, and nothing is said.
            _act(page, "state_balance")
            coaching = page.locator("[data-testid=coaching]")
            expect(coaching).to_contain_text("You have not verified the right party yet")
            expect(coaching).to_contain_text("12 CFR 1006.6(d)(1)")
            expect(page.locator("[data-testid=do-anyway]")).to_be_visible()
            _screenshot(page, "practice-coached-1366.png")
            assert _axe_serious(page) == []

            # The trainee takes the advice: verify, disclose, the balance, then a plan too soon.
            _act(page, "verify_identity")
            expect(page.locator("[data-testid=on-call]")).to_contain_text("right party verified")
            _act(page, "give_disclosure")
            _act(page, "state_balance")
            page.fill("#practice-amount", "20")
            _act(page, "offer_plan")
            expect(page.locator("[data-testid=coaching]")).to_contain_text(
                "consider affordability before agreeing a plan"
            )
            _act(page, "ask_income_expenditure")
            expect(page.locator("[data-testid=transcript]")).to_contain_text("benefits")
            page.fill("#practice-amount", "20")
            _act(page, "offer_plan")
            expect(page.locator("[data-testid=transcript]")).to_contain_text("Yes, I can keep up")
            _act(page, "take_promise")
            page.select_option("#practice-disposition", "promise_to_pay")
            _act(page, "end_call")
            expect(page.locator("[data-testid=no-call]")).to_be_visible()
            _assert_no_horizontal_overflow(page)

            page.click("[data-testid=finish]")
            page.wait_for_url(f"{desk_url}result/")
            expect(page.locator("[data-testid=score]")).to_contain_text("100.0")
            expect(page.locator("[data-testid=passed]")).to_be_visible()
            expect(page.locator("[data-testid=coaching-given]")).to_contain_text(
                "training.right_party.verify_first"
            )
            expect(page.locator("[data-testid=coaching-given]")).to_contain_text(
                "training.affordability.before_plan"
            )
            _screenshot(page, "practice-result-1366.png")
            assert _axe_serious(page) == []

            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(f"{live_server.url}/practice/")
            expect(page.locator("[data-testid=past-sessions]")).to_contain_text("100.0")
            _assert_no_horizontal_overflow(page)
        finally:
            browser.close()
    session = PracticeSession.objects.get()
    assert session.coaching_count == 2 and session.ended_at is not None
    review = QaReview.objects.get(practice_session_id=session.pk)
    assert review.agent == trainee and review.passed
