"""End to end in a real browser: a compliance officer filters decisions by rule, releases a hardship
pause and exports an account's evidence (ADR 0027). Screenshots go to var/screenshots/."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from solvent.compliance import services as compliance_services
from solvent.compliance.models import Hold
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from tests.desk.test_review_views import (
    DAY,
    FREQUENCY_CITATION,
    FREQUENCY_RULE,
    TIME_CITATION,
    TIME_RULE,
    decision_create,
    review_world_build,
)
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review_floor() -> dict[str, int]:
    world = review_world_build()
    officer = User.objects.create_user(username="maya", password="maya-password-1")
    staff_role_set(user=officer, role=Role.COMPLIANCE_OFFICER)
    for index in range(3):
        decision_create(
            debtor=world.debtors["own"],
            accounts=[world.accounts["own"]],
            allowed=False,
            rules=[(FREQUENCY_RULE, FREQUENCY_CITATION)],
            asked_by=world.users["agent"],
            at=DAY - timedelta(hours=index + 1),
        )
    hardship = compliance_services.hold_place(
        debtor_id=world.debtors["own"].pk,
        kind="hardship",
        source="inbound_call",
        account_ids=[world.accounts["own"].pk],
        evidence="lost job in May",
        actor_id=world.users["agent"].pk,
    )
    return {"hold": hardship.pk, "account": world.accounts["own"].pk}


def test_an_officer_filters_decisions_releases_a_hardship_pause_and_exports(
    live_server, review_floor
) -> None:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "maya")
            page.fill("input[name=password]", "maya-password-1")
            page.click("button[type=submit]")
            page.click("header.top >> text=Compliance review")
            page.wait_for_url("**/review/")
            rows = page.locator("[data-testid=decisions] tbody tr")
            assert rows.count() == 8  # the world's five and three more
            page.fill("input[name=rule]", FREQUENCY_RULE)
            page.select_option("select[name=outcome]", "blocked")
            page.click("form.filters button[type=submit]")
            page.wait_for_url(f"**rule={FREQUENCY_RULE}**")
            assert rows.count() == 4  # three on A-OWN, one on A-SHARED
            assert page.locator("[data-testid=decision-count]").inner_text() == "4 decisions"
            assert FREQUENCY_CITATION in rows.first.inner_text()
            assert TIME_CITATION not in page.content() and TIME_RULE not in rows.first.inner_text()
            _screenshot(page, "review-decisions.png")

            page.click("nav.tabs >> text=Holds")
            page.wait_for_url("**/review/holds/")
            row = page.locator(f"tr[data-hold='{review_floor['hold']}']")
            assert "lost job in May" in row.inner_text()
            row.locator("input[name=reason]").fill("back at work, can pay")
            row.locator("button", has_text="Release").click()
            page.wait_for_selector(".notice")
            assert f"Hold {review_floor['hold']} released." in page.locator(".notice").inner_text()
            assert page.locator(f"tr[data-hold='{review_floor['hold']}']").count() == 0
            _screenshot(page, "review-holds.png")

            page.click("nav.tabs >> text=Account evidence")
            page.fill("input[name=q]", "A-OWN")
            page.click("form.search button[type=submit]")
            page.click("[data-testid=accounts] >> text=A-OWN")
            page.wait_for_url(f"**/review/accounts/{review_floor['account']}/")
            _screenshot(page, "review-account.png")
            with page.expect_download() as download_info:
                page.click("[data-testid=export]")
            download = download_info.value
            assert download.suggested_filename.startswith("evidence-A-OWN-")
            content = download.path().read_bytes()
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                decisions = archive.read("decisions.csv").decode()
                holds = archive.read("holds.csv").decode()
            rules = [row["blocking_rule_ids"] for row in csv.DictReader(io.StringIO(decisions))]
            assert rules.count(FREQUENCY_RULE) == 3 and FREQUENCY_CITATION in decisions
            assert "back at work, can pay" in holds
            assert "B-OTHER" not in decisions
            # No script or style the page's Content-Security-Policy refuses.
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
    released = Hold.objects.get(pk=review_floor["hold"])
    assert released.released_at is not None and released.release_reason == "back at work, can pay"
