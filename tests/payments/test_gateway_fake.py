"""The gateway port through the fake adapter: a checkout opens once per key, the fake page's choices
post, clear, return and reverse through the ledger, every event is verified and kept once, and a
bad signature, an old one or a forged checkout is refused."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.test.utils import override_settings

from solvent.arrangements.domain.errors import FieldError
from solvent.audit.models import AuditEntry
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.payments.adapters.fake import SIGNATURE_HEADER, FakeGateway
from solvent.payments.models import GatewayEvent, GatewaySession, Payment, Settlement
from solvent.payments.ports import GatewayError, GatewaySignatureError, GatewayUnknownError
from solvent.payments.services.gateway import gateway_checkout_start, gateway_for
from solvent.payments.services.gateway_fake import gateway_fake_outcome
from solvent.portfolio.models import Account, Debtor
from tests.arrangements.factories import debt_create

pytestmark = pytest.mark.django_db

D = Decimal
SUCCESS = "http://testserver/my/?paid=1"
CANCEL = "http://testserver/my/?cancelled=1"


@pytest.fixture
def debt() -> tuple[Account, Debtor]:
    return debt_create(principal="300.00")


def _start(debt: tuple[Account, Debtor], amount: str = "120.00", **extra: object) -> str:
    account, debtor = debt
    fields: dict[str, object] = {
        "account_id": account.pk,
        "debtor_id": debtor.pk,
        "amount": amount,
        "method": "card",
        "idempotency_key": "portal-key-1",
        "success_url": SUCCESS,
        "cancel_url": CANCEL,
    }
    fields.update(extra)
    return gateway_checkout_start(**fields)  # type: ignore[arg-type]


def _checkout_id(url: str) -> str:
    return url.split("/payments/fake/checkout/", 1)[1].split("/", 1)[0]


def _choose(http: HttpClient, url: str, outcome: str) -> str:
    """The debtor's click on the fake page; answers where it sent them."""
    response = http.post(url, {"outcome": outcome})
    assert response.status_code == 302, response.content
    return str(response["Location"])


def _balance(account: Account) -> Decimal:
    account.refresh_from_db()
    return account.balance


def test_a_checkout_opens_once_per_key_and_a_double_submit_answers_the_same_page(debt) -> None:
    first = _start(debt)
    again = _start(debt)
    assert first == again
    assert first.startswith("/payments/fake/checkout/fake_cs_")
    session = GatewaySession.objects.get()
    assert (session.amount, session.currency, session.method) == (D("120.00"), "GBP", "card")
    assert (session.gateway, session.status) == ("fake", "open")
    assert session.gateway_session_id == _checkout_id(first)
    assert AuditEntry.objects.filter(action="payments.gateway_checkout_started").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": "300.01"}, "amount"),
        ({"method": "cash"}, "method"),
        ({"idempotency_key": "  "}, "idempotency_key"),
        ({"idempotency_key": "k" * 121}, "idempotency_key"),
    ],
)
def test_a_checkout_is_refused_naming_the_field(debt, fields, field) -> None:
    with pytest.raises(FieldError) as refused:
        _start(debt, **fields)
    assert refused.value.field == field
    assert not GatewaySession.objects.exists()


def test_the_whole_balance_may_be_paid_but_not_by_someone_who_does_not_owe_it(debt) -> None:
    assert _start(debt, amount="300.00")
    _other_account, stranger = debt_create()
    with pytest.raises(NotFoundError):
        _start(debt, debtor_id=stranger.pk, idempotency_key="another")


def test_a_key_reused_for_another_amount_is_refused(debt) -> None:
    _start(debt)
    with pytest.raises(ValidationError) as refused:
        _start(debt, amount="50.00")
    assert refused.value.code == "idempotency_key_reused"


def test_a_key_submitted_again_after_the_gateway_answered_is_refused(debt) -> None:
    url = _start(debt)
    gateway_fake_outcome(checkout_id=_checkout_id(url), outcome="succeeded")
    with pytest.raises(ValidationError) as refused:
        _start(debt)
    assert refused.value.code == "checkout_finished"
    assert Payment.objects.count() == 1


def test_a_closed_account_takes_no_payment(debt) -> None:
    Account.objects.filter(pk=debt[0].pk).update(status=Account.Status.RECALLED)
    with pytest.raises(ValidationError) as refused:
        _start(debt)
    assert refused.value.code == "account_closed"


def test_a_settlement_is_paid_in_its_one_amount(debt) -> None:
    account, debtor = debt
    today = clock.today()
    settlement = Settlement.objects.create(
        account=account,
        debtor=debtor,
        amount=D("200.00"),
        currency="GBP",
        balance_at_offer=D("300.00"),
        percent=D("66.67"),
        stage="late",
        floor_percent=D("60"),
        status=Settlement.Status.OFFERED,
        due_on=today + timedelta(days=10),
        expires_on=today + timedelta(days=10),
        requested_at=clock.now(),
    )
    with pytest.raises(FieldError) as refused:
        _start(debt, amount="150.00", settlement_id=settlement.pk)
    assert refused.value.field == "amount"
    url = _start(debt, amount="200.00", settlement_id=settlement.pk)
    assert GatewaySession.objects.get(gateway_session_id=_checkout_id(url)).settlement == settlement


def test_paying_on_the_fake_page_posts_a_cleared_payment_and_returns_to_our_site(debt) -> None:
    account, debtor = debt
    url = _start(debt)
    http = HttpClient()
    page = http.get(url)
    assert page.status_code == 200
    assert b"Demo gateway - no real money" in page.content
    assert b"120.00 GBP" in page.content
    assert _choose(http, url, "succeeded") == SUCCESS
    payment = Payment.objects.get()
    checkout_id = _checkout_id(url)
    assert (payment.amount, payment.status, payment.source) == (D("120.00"), "cleared", "gateway")
    assert payment.gateway == "fake"
    assert payment.gateway_payment_id == checkout_id.replace("fake_cs_", "fake_pi_")
    assert payment.idempotency_key == f"gateway:{payment.gateway_payment_id}"
    assert payment.debtor_id == debtor.pk
    assert _balance(account) == D("180.00")
    session = GatewaySession.objects.get()
    assert (session.status, session.payment_id) == ("succeeded", payment.pk)
    event = GatewayEvent.objects.get()
    assert (event.gateway, event.event_type) == ("fake", "payment.succeeded")
    assert event.outcome == f"payment {payment.pk} posted cleared"
    assert event.processed_at is not None
    entry = AuditEntry.objects.get(action="payments.gateway_event_handled")
    assert entry.data["payment_id"] == payment.pk
    posted = AuditEntry.objects.get(action="payments.payment_posted", object_id=str(payment.pk))
    assert entry.system == posted.system == "fake payment gateway webhook"
    # The page now offers only what may follow a cleared payment.
    assert b'value="succeeded"' not in http.get(url).content


def test_the_same_choice_twice_is_refused_and_posts_nothing_twice(debt) -> None:
    url = _start(debt)
    gateway_fake_outcome(checkout_id=_checkout_id(url), outcome="succeeded")
    with pytest.raises(FieldError) as refused:
        gateway_fake_outcome(checkout_id=_checkout_id(url), outcome="succeeded")
    assert refused.value.field == "outcome"
    assert Payment.objects.count() == 1


def test_a_declined_card_fails_the_checkout_and_returns_to_the_cancel_page(debt) -> None:
    account, _debtor = debt
    url = _start(debt)
    assert _choose(HttpClient(), url, "failed") == CANCEL
    assert not Payment.objects.exists()
    assert GatewaySession.objects.get().status == "failed"
    assert _balance(account) == D("300.00")


def test_a_bank_debit_is_pending_then_clears(debt) -> None:
    account, _debtor = debt
    url = _start(debt, method="ach")
    http = HttpClient()
    assert _choose(http, url, "processing") == SUCCESS
    payment = Payment.objects.get()
    assert (payment.status, payment.method) == ("pending", "ach")
    assert _balance(account) == D("180.00")  # a pending payment allocates at once (the ledger)
    assert GatewaySession.objects.get().status == "open"
    back = _choose(http, url, "succeeded")
    assert back.startswith(url.split("?")[0])  # stays on the gateway's page
    payment.refresh_from_db()
    assert payment.status == "cleared"
    assert GatewaySession.objects.get().status == "succeeded"


def test_a_bank_debit_that_comes_back_is_returned_and_the_balance_restored(debt) -> None:
    account, _debtor = debt
    url = _start(debt, method="ach")
    checkout_id = _checkout_id(url)
    gateway_fake_outcome(checkout_id=checkout_id, outcome="processing")
    outcome = gateway_fake_outcome(checkout_id=checkout_id, outcome="failed")
    payment = Payment.objects.get()
    assert outcome == f"payment {payment.pk} returned: the debit failed"
    assert payment.status == "returned"
    assert _balance(account) == D("300.00")
    assert GatewaySession.objects.get().status == "failed"


@pytest.mark.parametrize(
    ("outcome", "status"), [("refunded", "reversed"), ("disputed", "returned")]
)
def test_a_refund_reverses_and_a_chargeback_returns(debt, outcome, status) -> None:
    account, _debtor = debt
    checkout_id = _checkout_id(_start(debt))
    gateway_fake_outcome(checkout_id=checkout_id, outcome="succeeded")
    gateway_fake_outcome(checkout_id=checkout_id, outcome=outcome)
    assert Payment.objects.get().status == status
    assert _balance(account) == D("300.00")


def test_a_forged_or_unknown_checkout_is_not_found(debt) -> None:
    url = _start(debt)
    checkout_id = _checkout_id(url)
    forged = checkout_id[:-1] + ("0" if checkout_id[-1] != "0" else "1")
    http = HttpClient()
    assert http.get(f"/payments/fake/checkout/{forged}/").status_code == 404
    assert (
        http.post(f"/payments/fake/checkout/{forged}/", {"outcome": "succeeded"}).status_code == 404
    )
    assert http.get("/payments/fake/checkout/fake_cs_999_x/").status_code == 404
    assert not Payment.objects.exists()


def test_the_page_sends_the_debtor_back_only_to_our_own_site(debt) -> None:
    url = _start(debt, success_url="https://evil.example/phish", cancel_url="//evil.example/")
    http = HttpClient()
    assert b'href="/"' in http.get(url).content
    assert _choose(http, url, "succeeded") == "/"


def _signed(
    secret: str, body: Mapping[str, object], *, at: float | None = None
) -> tuple[bytes, str]:
    payload = json.dumps(body).encode()
    return payload, FakeGateway(secret=secret).signature(payload, int(at or time.time()))


def _webhook(http: HttpClient, payload: bytes, signature: str, gateway: str = "fake"):
    return http.post(
        f"/payments/webhooks/{gateway}/",
        payload,
        content_type="application/json",
        headers={SIGNATURE_HEADER: signature},
    )


def test_the_webhook_accepts_a_signed_event_once_and_acknowledges_a_redelivery(
    debt, settings
) -> None:
    url = _start(debt)
    session = GatewaySession.objects.get()
    body = {
        "id": "evt_1",
        "type": "payment.succeeded",
        "session": str(session.pk),
        "payment": "fake_pi_abc",
        "amount": "120.00",
        "currency": "GBP",
        "created": int(time.time()),
    }
    payload, signature = _signed(settings.SOLVENT_FAKE_GATEWAY_SECRET, body)
    http = HttpClient()
    first = _webhook(http, payload, signature)
    second = _webhook(http, payload, signature)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["outcome"].endswith("posted cleared")
    assert second.json()["outcome"] == "duplicate: evt_1 was handled before"
    assert Payment.objects.count() == 1
    assert GatewayEvent.objects.count() == 1
    assert url  # the checkout the event names


def test_the_webhook_refuses_a_bad_signature_a_tampered_body_and_an_old_event(
    debt, settings
) -> None:
    _start(debt)
    body = {"id": "evt_2", "type": "payment.succeeded", "session": "1", "payment": "p"}
    secret = settings.SOLVENT_FAKE_GATEWAY_SECRET
    payload, signature = _signed(secret, body)
    http = HttpClient()
    assert _webhook(http, payload, "").status_code == 400
    assert _webhook(http, payload, _signed("wrong", body)[1]).status_code == 400
    assert _webhook(http, payload.replace(b"evt_2", b"evt_3"), signature).status_code == 400
    old_payload, old_signature = _signed(secret, body, at=time.time() - 3600)
    refused = _webhook(http, old_payload, old_signature)
    assert refused.status_code == 400
    assert "older than" in refused.json()["detail"]
    assert _webhook(http, payload, signature, gateway="paypal").status_code == 404
    assert not GatewayEvent.objects.exists()
    assert not Payment.objects.exists()


def test_an_event_we_do_not_act_on_is_acknowledged_and_recorded(settings) -> None:
    payload, signature = _signed(
        settings.SOLVENT_FAKE_GATEWAY_SECRET, {"id": "evt_9", "type": "payout.paid"}
    )
    response = _webhook(HttpClient(), payload, signature)
    assert response.status_code == 200
    event = GatewayEvent.objects.get()
    assert (event.event_type, event.outcome) == (
        "payout.paid",
        "ignored: payout.paid is not acted on",
    )


def test_an_event_the_ledger_refuses_is_kept_with_the_refusal_and_posts_nothing(debt) -> None:
    url = _start(debt)
    Account.objects.filter(pk=debt[0].pk).update(status=Account.Status.CLOSED)
    outcome = gateway_fake_outcome(checkout_id=_checkout_id(url), outcome="succeeded")
    assert outcome.startswith("not applied: ")
    assert not Payment.objects.exists()
    assert GatewayEvent.objects.get().outcome == outcome
    assert GatewaySession.objects.get().status == "open"


def test_the_gateway_is_chosen_by_settings_and_the_fake_needs_its_secret() -> None:
    assert gateway_for().name == "fake"
    with override_settings(SOLVENT_FAKE_GATEWAY_SECRET=""), pytest.raises(GatewayError):
        gateway_for("fake")
    with pytest.raises(GatewayUnknownError):
        gateway_for("paypal")
    with override_settings(SOLVENT_PAYMENT_GATEWAY="stripe", STRIPE_SECRET_KEY="sk_test_x"):
        assert gateway_for().name == "stripe"
    with pytest.raises(GatewaySignatureError):
        FakeGateway(secret="").webhook_events(b"{}", {SIGNATURE_HEADER: "t=1,v1=x"})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_phone_browser_the_fake_page_is_accessible_and_paying_returns_to_our_site(
    live_server,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.test_call_flow import _axe_serious
    from tests.e2e.test_desk_browser import _chromium

    debt = debt_create(principal="300.00")
    url = _start(debt, success_url=f"{live_server.url}/login/?paid=1", cancel_url="/login/")
    executable = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{live_server.url}{url}")
            expect(page.get_by_test_id("fake-gateway-banner")).to_contain_text("no real money")
            assert _axe_serious(page) == []
            page.get_by_test_id("fake-succeeded").click()
            page.wait_for_url("**/login/?paid=1")
        finally:
            browser.close()
    assert Payment.objects.get().status == "cleared"
