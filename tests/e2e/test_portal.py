"""The debtor's page in a real browser at phone size (390 x 844, Debian's Chromium): the link from a
real queued text message opens the check, the date of birth opens the page, the debtor promises a
date and the promise is in the database; in Spanish they work out a plan from their income and
spending and accept it; a second opening of the link is refused with a way to get a new one.
axe-core finds no serious or critical violation on any page (the check, the page, every form, the
plan offered, a refusal), in English or Spanish.

The clock is Tuesday 9 June 2026 at noon in New York. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from solvent.arrangements.models import PaymentPlan, Promise
from solvent.contact.services import MessageRequest, message_enqueue
from solvent.portal.models import PortalLink
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Phone
from tests.compliance.services.compliance_fixtures import NOON
from tests.e2e.test_call_flow import _assert_no_horizontal_overflow, _axe_serious
from tests.e2e.test_desk_browser import SCREENSHOTS, _chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+12125550143"
LINK = re.compile(r"https?://[^/\s]+(/my/l/[A-Za-z0-9_-]+/)")


@pytest.fixture
def debtor(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # The live server runs in this process: the pages read this clock.
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    call_command("contact_templates_install", verbosity=0)
    client = Client.objects.create(code="harbor", name="Harbor Bank", country="US", currency="USD")
    person = Debtor.objects.create(
        first_name="Maria",
        last_name="Okafor",
        national_id="123-45-6789",
        national_id_last4="6789",
        date_of_birth="1980-04-02",
    )
    Address.objects.create(
        debtor=person,
        line1="5 Park Ave",
        city="New York",
        region="NY",
        postal_code="10016",
        country="US",
    )
    Phone.objects.create(
        debtor=person,
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
        interest=Decimal("30.00"),
        fees=Decimal("15.00"),
    )
    AccountDebtor.objects.create(account=account, debtor=person)
    message = message_enqueue(
        request=MessageRequest(
            debtor_id=person.pk,
            channel="sms",
            contact_point=PHONE,
            account_ids=(account.pk,),
            template_code="payment_reminder",
        )
    )
    found = LINK.search(message.body)
    assert found is not None, message.body
    return {"account": account, "debtor": person, "path": found.group(1)}


def _checked(page: Any, name: str) -> None:
    """No serious or critical axe-core violation, nothing wider than the phone; a screenshot."""
    assert _axe_serious(page) == [], name
    _assert_no_horizontal_overflow(page)
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def test_a_debtor_opens_the_link_from_a_text_and_promises_a_date(live_server, debtor) -> None:
    from playwright.sync_api import expect, sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            page.goto(base + debtor["path"])
            expect(page.get_by_role("heading", name="Check it is you")).to_be_visible()
            _checked(page, "check")

            # A wrong answer is explained next to the field, and focus goes to the summary.
            page.get_by_label("Date of birth").fill("1999-01-01")
            page.get_by_role("button", name="Continue").click()
            expect(page.locator("#error-summary")).to_be_focused()
            expect(page.locator("#date_of_birth-error")).to_contain_text("4 more tries")
            _checked(page, "check-wrong")

            page.get_by_label("Date of birth").fill("04/02/1980")
            page.get_by_role("button", name="Continue").click()
            page.wait_for_url(f"{base}/my/")
            expect(page.get_by_role("heading", name="What you owe")).to_be_visible()
            expect(page.get_by_test_id("owed")).to_contain_text("$1,245.50")
            expect(page.get_by_test_id("owed")).to_contain_text("Our information shows:")
            _checked(page, "page")

            page.get_by_role("link", name="Promise to pay on a date").click()
            page.get_by_label("Amount").fill("2000")
            page.get_by_label("Date you will pay").fill("2026-06-08")
            page.get_by_role("button", name="Make the promise").click()
            expect(page.locator("#amount-error")).to_contain_text("more than you owe")
            expect(page.locator("#due_on-error")).to_contain_text("today or a later date")
            _checked(page, "promise-refused")

            page.get_by_label("Amount").fill("250.00")
            page.get_by_label("Date you will pay").fill("2026-06-19")
            page.get_by_role("button", name="Make the promise").click()
            page.wait_for_url(re.compile(r".*/my/\?account=\d+$"))
            expect(page.get_by_role("status")).to_contain_text(
                "promise to pay $250.00 by June 19, 2026"
            )
            expect(page.get_by_test_id("agreed")).to_contain_text("You promised to pay $250.00")
            _checked(page, "promised")

            # Every other form, as a phone shows it.
            for path, heading in (
                ("/my/pay/", "Pay in full or pay part"),
                ("/my/dispute/", "Dispute this debt"),
                ("/my/preferences/", "Choose how and when we contact you"),
                ("/my/stop/", "Ask us to stop contacting you"),
            ):
                page.goto(base + path)
                expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
                _checked(page, path.strip("/").replace("/", "-"))
            page.goto(base + "/my/")

            # The page in Spanish, then the plan form (the longest) at phone size.
            page.get_by_role("button", name="Español").click()
            expect(page.get_by_role("heading", name="Lo que usted debe")).to_be_visible()
            assert page.evaluate("document.documentElement.lang") == "es"
            _checked(page, "page-es")
            page.get_by_role("link", name="Acordar un plan de pagos que pueda asumir").click()
            expect(page.get_by_role("heading", name="Acordar un plan de pagos")).to_be_visible()
            _checked(page, "plan-es")
            page.get_by_label("Sueldo o salario (después de impuestos)").fill("2400")
            page.get_by_label("Alquiler o hipoteca").fill("1600")
            page.get_by_label("Fecha del primer pago").fill("2026-07-01")
            page.get_by_role("button", name="Calcular mi plan").click()
            expect(page.get_by_test_id("plan-offer")).to_contain_text("pagos de $800.00")
            _checked(page, "plan-offer-es")
            page.get_by_role("button", name="Aceptar este plan").click()
            expect(page.get_by_role("status")).to_contain_text("Su plan de pagos está en marcha")

            # The link opened once: a second opening is refused, with a new link on offer.
            other = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            other.goto(base + debtor["path"])
            expect(
                other.get_by_role("heading", name="This link has already been used")
            ).to_be_visible()
            expect(other.get_by_role("button", name="Send me a new link")).to_be_visible()
            _checked(other, "used")
            other.get_by_role("button", name="Español").click()
            expect(other.get_by_role("heading", name="Este enlace ya se usó")).to_be_visible()
            expect(other.get_by_role("button", name="Envíenme un enlace nuevo")).to_be_visible()
        finally:
            browser.close()
    # The database, once the browser is gone (Playwright's loop would make the ORM refuse).
    promise = Promise.objects.get()
    assert (promise.account_id, promise.amount, promise.due_on, promise.created_by_id) == (
        debtor["account"].pk,
        Decimal("250.00"),
        date(2026, 6, 19),
        None,
    )
    assert PortalLink.objects.get().used_at == NOON
    plan = PaymentPlan.objects.get()
    assert (plan.status, plan.instalment_amount) == ("active", Decimal("800.00"))
