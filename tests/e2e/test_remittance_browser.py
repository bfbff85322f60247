"""End to end in a real browser: an admin picks a client and a month on /remittance/ (the statement
swaps in with HTMX), downloads the CSV and issues the month. axe-core finds nothing serious."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.payments.models import ClientTerms, RemittanceStatement
from solvent.payments.services.ledger import payment_post
from tests.arrangements.factories import ClientFactory, debt_create
from tests.e2e.test_call_flow import _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def books(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # The live server runs in this process: the pages read this clock.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    harbor = ClientFactory(code="harbor", name="Harbor Bank", currency="GBP")
    ClientFactory(code="globex", name="Globex", currency="GBP")
    ClientTerms.objects.create(
        client=harbor, commission_rate=Decimal("0.3000"), remittance_mode="gross"
    )
    account, _ = debt_create(client=harbor, principal="5000.00")
    for amount, day in (("250.00", 2), ("149.99", 31)):
        payment_post(
            account_id=account.pk,
            amount=amount,
            paid_on=date(2026, 5, day),
            method="bank_transfer",
            source="file",
            reference=f"BANK-{day}",
        )
    admin = User.objects.create_user(username="ops", password="ops-password-1")
    staff_role_set(user=admin, role=Role.ADMIN)
    return {"account": account}


def test_an_admin_views_downloads_and_issues_a_month(live_server, books) -> None:
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
            page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "ops")
            page.fill("input[name=password]", "ops-password-1")
            page.click("button[type=submit]")
            page.goto(f"{live_server.url}/remittance/")
            page.select_option("select[name=client]", "harbor")
            page.click("form.filters button[type=submit]")
            # HTMX swaps the statement in and pushes the address.
            page.wait_for_url("**client=harbor**")
            expect(page.get_by_test_id("figure-collected")).to_have_text("399.99")
            expect(page.get_by_test_id("figure-commission")).to_have_text("120.00")  # 119.997
            expect(page.get_by_test_id("figure-remit")).to_have_text("399.99")  # gross
            expect(page.get_by_test_id("figure-invoice")).to_have_text("120.00")
            assert page.locator("[data-testid=statement-lines] tbody tr").count() == 2
            assert _axe_serious(page) == []
            _screenshot(page, "remittance-preview.png")

            with page.expect_download() as download_info:
                page.get_by_test_id("download-csv").click()
            download = download_info.value
            assert download.suggested_filename == "remittance-harbor-2026-05.csv"
            rows = list(csv.reader(io.StringIO(download.path().read_text())))
            assert [row[5] for row in rows[1:3]] == ["BANK-2", "BANK-31"]

            page.check("input[name=confirm]")
            page.click("[data-testid=issue-form] button[type=submit]")
            expect(page.get_by_test_id("statement-state")).to_have_text("issued")
            expect(page.locator(".notice.success")).to_contain_text("is issued")
            expect(page.get_by_test_id("issued-statements")).to_contain_text("2026-05-01")
            _screenshot(page, "remittance-issued.png")
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
    assert RemittanceStatement.objects.get().remit == Decimal("399.99")
