"""In a real browser: the propensity page draws its calibration plot from the JSON block (no inline
script, no console error under the CSP), and an older run's panel swaps in with its own plot.

Drives Debian's Chromium through Playwright; screenshots go to var/screenshots/.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from solvent.analytics.propensity import propensity_model_train
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from tests.analytics.propensity_world import AS_OF, synthetic_history
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def runs() -> tuple[int, int]:
    synthetic_history(accounts=120, seed=9)
    first = propensity_model_train(as_of=AS_OF, train_snapshots=3)
    second = propensity_model_train(as_of=AS_OF)
    manager = User.objects.create_user(username="strategist", password="strategy-password-1")
    staff_role_set(user=manager, role=Role.STRATEGY_MANAGER)
    return first.pk, second.pk


def test_the_calibration_plot_is_drawn_and_redrawn_for_another_run(live_server, runs) -> None:
    from playwright.sync_api import expect, sync_playwright

    first, second = runs
    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            errors: list[str] = []
            failed: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "strategist")
            page.fill("input[name=password]", "strategy-password-1")
            page.click("button[type=submit]")
            page.goto(f"{live_server.url}/analytics/propensity/")
            chart = page.locator("[data-testid=propensity-chart]")
            expect(chart).to_have_attribute("data-drawn-points", "10")
            expect(page.get_by_role("heading", name=f"Model {second} (active)")).to_be_visible()
            _screenshot(page, "propensity.png")
            page.click(f"a[hx-get='?run={first}']")
            expect(page.get_by_role("heading", name=f"Model {first}", exact=True)).to_be_visible()
            expect(page.locator("[data-testid=propensity-chart]")).to_have_attribute(
                "data-drawn-points", "10"
            )
            assert page.url.endswith(f"?run={first}")
            # Nothing failed to load but the browser's own favicon request; no script error (a
            # CSP refusal would be one).
            assert [url for url in failed if not url.endswith("/favicon.ico")] == []
            assert [e for e in errors if not e.startswith("Failed to load resource")] == []
        finally:
            browser.close()
