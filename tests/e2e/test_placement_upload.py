"""End to end in a real browser: an admin uploads a creditor-shaped CSV (a title above the header,
Windows-1252 accents, "$1,234.56", a totals row) through the client's profile, reads the dry run
(the rows as they will be stored, dates of birth masked), imports it and sees it done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.imports.profiles import profile_create
from solvent.portfolio.imports.suggest import profile_suggest_from_file
from solvent.portfolio.models import Account, Placement
from tests.arrangements.factories import ClientFactory
from tests.e2e.test_call_flow import _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot
from tests.portfolio.imports.creditor_files import us_medical_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def harbor(settings, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    # The import runs as the confirm commits (the live server is in this process).
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "imports"],
        }
    }
    client = ClientFactory(code="harbor", name="Harbor Medical", currency="USD", country="US")
    path, expected = us_medical_csv(tmp_path / "harbor-november.csv")
    suggestion = profile_suggest_from_file(path, client_country="US")
    profile_create(client=client, name="Monthly", spec=suggestion.spec, created_by=None)
    admin = User.objects.create_user(username="ops", password="ops-password-1")
    staff_role_set(user=admin, role=Role.ADMIN)
    return {"path": path, "expected": expected}


def test_an_admin_checks_a_creditor_file_then_imports_it(live_server, harbor) -> None:
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
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "ops")
            page.fill("input[name=password]", "ops-password-1")
            page.click("button[type=submit]")
            page.get_by_role("link", name="Placements").first.click()
            page.get_by_role("link", name="Upload a file", exact=True).click()
            page.select_option("select[name=client]", "harbor")
            page.select_option("select[name=profile]", label="harbor · Monthly")
            page.set_input_files("input[name=file]", str(harbor["path"]))
            page.click("[data-testid=upload-form] button[type=submit]")

            counts = page.get_by_test_id("dry-run-counts")
            expect(counts.locator("[data-count=valid]")).to_have_text("4")
            expect(counts.locator("[data-count=rejected]")).to_have_text("0")
            expect(counts.locator("[data-count=skipped]")).to_have_text("1")
            records = page.get_by_test_id("dry-run-records")
            expect(records).to_contain_text("Renée")
            expect(records).to_contain_text("+16172345678 ext. 212")
            expect(records).to_contain_text("[masked]")
            assert "03/15/1980" not in page.content()
            assert _axe_serious(page) == []
            _screenshot(page, "placement-dry-run.png")

            page.click("[data-testid=confirm-form] button[value=import]")
            page.wait_for_url("**/placements/")
            expect(page.get_by_test_id("placement-message")).to_contain_text("is queued")
            expect(page.get_by_test_id("placement-status").first).to_have_text("Done")
            assert _axe_serious(page) == []
            _screenshot(page, "placement-imported.png")
        finally:
            browser.close()
    # Read once the browser is closed: Playwright's sync API runs an event loop, and Django's ORM
    # refuses to be called from inside one.
    assert Placement.objects.get().status == Placement.Status.DONE
    numbers = set(Account.objects.values_list("account_number", flat=True))
    assert numbers == {row.account_number for row in harbor["expected"]}
