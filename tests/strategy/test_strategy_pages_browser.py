"""End to end in a real browser: a strategy manager edits a segment with its live count, starts an
experiment and promotes its challenger. HTMX drives the count and the editor's rows without a
script of ours (the Content-Security-Policy allows none inline); no console error may mention it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from solvent.strategy.models import Segment
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot
from tests.strategy.definitions_world import NOON, world_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(monkeypatch: pytest.MonkeyPatch) -> str:
    # The live server runs in this process: it reads the same fixed clock.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    world_build()
    user = User.objects.get(username="manager")
    user.set_password("manager-password-1")
    user.save()
    return "manager"


def test_a_manager_edits_a_segment_watching_its_count_then_promotes_a_challenger(
    live_server: Any, manager: str
) -> None:
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
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", manager)
            page.fill("input[name=password]", "manager-password-1")
            page.click("button[type=submit]")
            page.click("header.top nav >> text=Strategy")
            expect(page.locator("tr[data-segment=early] [data-testid=matches]")).to_have_text("3")
            page.click("tr[data-segment=early] >> text=Early stage")

            count = page.locator("#segment-count")
            expect(count).to_contain_text("3 of 6 open accounts")
            # Narrow it: a second condition, added by HTMX, counts as soon as it is typed.
            page.click("text=Add a condition")
            expect(page.locator("[data-testid=condition-row]")).to_have_count(2)
            page.select_option("select[aria-label='Field of condition 2']", "balance")
            page.select_option("select[aria-label='Operator of condition 2']", "ge")
            page.fill("input[aria-label='Value of condition 2']", "1000")
            expect(count).to_contain_text("1 of 6 open accounts")
            page.fill("input[aria-label='Value of condition 2']", "lots")
            expect(page.locator("[data-testid=segment-count-error]")).to_contain_text(
                "condition 2 (balance)"
            )
            page.fill("input[aria-label='Value of condition 2']", "100")
            expect(count).to_contain_text("3 of 6 open accounts")
            _screenshot(page, "strategy-segment.png")
            page.get_by_role("button", name="Save segment").click()
            expect(page.locator(".notice")).to_contain_text("Segment early saved (version 2).")

            page.click("nav.tabs >> text=Experiments")
            page.fill("input[name=key]", "sooner")
            page.fill("input[name=name]", "Call sooner")
            page.select_option("select[name=segment]", "early")
            page.select_option("select[aria-label='Path of arm 1']", "early")
            page.select_option("select[aria-label='Path of arm 2']", "middle")
            page.click("text=Start the experiment")
            expect(page.locator("[data-testid=arm-figures]")).to_be_visible()
            _screenshot(page, "strategy-experiment.png")
            page.click("[data-testid=promote-challenger]")
            expect(page.locator(".notice")).to_contain_text("Arm challenger promoted")
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
    # Django refuses the database inside Playwright's event loop: checked once it is closed.
    segment = Segment.objects.get(key="early")
    assert (segment.strategy.key, len(segment.conditions), segment.version) == ("middle", 2, 3)
