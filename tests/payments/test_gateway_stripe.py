"""The Stripe adapter against a loopback stand-in for api.stripe.com (what the official library
sends for a Checkout Session) and webhooks signed as Stripe signs them (t=<ts>,v1=HMAC-SHA256 of
"<t>.<body>" with the endpoint's secret), verified by the library's construct_event."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.test import Client as HttpClient
from django.test.utils import override_settings

from solvent.payments.adapters.stripe import StripeGateway, major_units, minor_units
from solvent.payments.models import GatewayEvent, GatewaySession, Payment
from solvent.payments.ports import (
    CheckoutMethod,
    CheckoutRequest,
    EventKind,
    GatewayError,
    GatewaySignatureError,
)
from solvent.payments.services.gateway import gateway_checkout_start
from solvent.portfolio.models import Account, Debtor
from tests.arrangements.factories import debt_create

D = Decimal
WEBHOOK_SECRET = "whsec_test_secret"
API_KEY = "sk_test_loopback"
SESSION_URL = "https://checkout.stripe.com/c/pay/cs_test_1"


@dataclass
class FakeStripe:
    """What the loopback server received, and what it answers next."""

    base: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    answer: dict[str, Any] = field(
        default_factory=lambda: {
            "id": "cs_test_1",
            "object": "checkout.session",
            "url": SESSION_URL,
            "mode": "payment",
        }
    )


@pytest.fixture
def stripe_api() -> Iterator[FakeStripe]:
    state = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            state.requests.append(
                {"path": self.path, "headers": dict(self.headers), "form": dict(parse_qsl(body))}
            )
            answer = json.dumps(state.answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _gateway(stripe_api: FakeStripe) -> StripeGateway:
    return StripeGateway(
        secret_key=API_KEY,
        webhook_secret=WEBHOOK_SECRET,
        api_base=stripe_api.base,
        max_network_retries=0,
    )


def _request(
    method: CheckoutMethod = CheckoutMethod.CARD, currency: str = "USD"
) -> CheckoutRequest:
    return CheckoutRequest(
        session_id=42,
        amount=D("120.50"),
        currency=currency,
        method=method,
        description="Payment to Solvent Recovery, account ending 1234",
        idempotency_key="portal-key-1",
        success_url="https://solvent.example/my/?paid=1",
        cancel_url="https://solvent.example/my/",
    )


def test_a_checkout_session_is_created_as_stripe_documents_it(stripe_api) -> None:
    start = _gateway(stripe_api).checkout_start(_request())
    assert (start.session_id, start.redirect_url) == ("cs_test_1", SESSION_URL)
    [sent] = stripe_api.requests
    assert sent["path"] == "/v1/checkout/sessions"
    assert sent["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert sent["headers"]["Idempotency-Key"] == "portal-key-1"
    form = sent["form"]
    assert form["mode"] == "payment"
    assert form["payment_method_types[0]"] == "card"
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[0][price_data][currency]"] == "usd"
    assert form["line_items[0][price_data][unit_amount]"] == "12050"
    assert form["line_items[0][price_data][product_data][name]"].startswith("Payment to")
    assert form["client_reference_id"] == "42"
    assert form["metadata[solvent_session]"] == "42"
    assert form["payment_intent_data[metadata][solvent_session]"] == "42"
    assert form["success_url"] == "https://solvent.example/my/?paid=1"
    assert form["cancel_url"] == "https://solvent.example/my/"
    # No card or bank data is ever sent by us: the debtor types it on Stripe's page.
    assert not [name for name in form if "card[" in name or "account_number" in name]


def test_a_bank_debit_asks_for_us_bank_account_in_usd_only(stripe_api) -> None:
    gateway = _gateway(stripe_api)
    gateway.checkout_start(_request(CheckoutMethod.ACH))
    assert stripe_api.requests[0]["form"]["payment_method_types[0]"] == "us_bank_account"
    with pytest.raises(GatewayError, match="USD only"):
        gateway.checkout_start(_request(CheckoutMethod.ACH, currency="GBP"))
    assert len(stripe_api.requests) == 1


def test_a_refusal_from_stripe_is_a_gateway_error_with_its_message(stripe_api) -> None:
    stripe_api.status = 400
    stripe_api.answer = {
        "error": {"type": "invalid_request_error", "message": "Amount must be at least $0.50 usd"}
    }
    with pytest.raises(GatewayError, match=r"at least \$0\.50"):
        _gateway(stripe_api).checkout_start(_request())


def test_minor_units_follow_the_currency() -> None:
    assert minor_units(D("120.50"), "USD") == 12050
    assert minor_units(D("1500"), "JPY") == 1500
    assert major_units(12050, "usd") == D("120.50")
    assert major_units(1500, "JPY") == D("1500")
    with pytest.raises(GatewayError):
        minor_units(D("10.50"), "JPY")


# --- through the service and the webhook view --------------------------------------------------


@pytest.fixture
def stripe_settings(stripe_api) -> Iterator[FakeStripe]:
    with override_settings(
        SOLVENT_PAYMENT_GATEWAY="stripe",
        STRIPE_SECRET_KEY=API_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=stripe_api.base,
    ):
        yield stripe_api


@pytest.fixture
def debt() -> tuple[Account, Debtor]:
    account, debtor = debt_create(principal="300.00")
    Account.objects.filter(pk=account.pk).update(currency="USD")
    account.refresh_from_db()
    return account, debtor


def _start(debt: tuple[Account, Debtor], method: str = "card") -> str:
    account, debtor = debt
    return gateway_checkout_start(
        account_id=account.pk,
        debtor_id=debtor.pk,
        amount="120.00",
        method=method,
        idempotency_key=f"portal-{method}",
        success_url="http://testserver/my/?paid=1",
        cancel_url="http://testserver/my/",
    )


@pytest.mark.django_db
def test_the_debtor_is_sent_to_stripe_and_a_double_submit_reuses_the_key(
    stripe_settings, debt
) -> None:
    assert _start(debt) == SESSION_URL
    assert _start(debt) == SESSION_URL
    session = GatewaySession.objects.get()
    assert (session.gateway, session.gateway_session_id) == ("stripe", "cs_test_1")
    keys = [sent["headers"]["Idempotency-Key"] for sent in stripe_settings.requests]
    assert keys == ["portal-card", "portal-card"]  # Stripe answers the same session to the same key
    assert stripe_settings.requests[0]["form"]["client_reference_id"] == str(session.pk)


def _event(event_type: str, obj: dict[str, Any], event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()),
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


def _signature(payload: bytes, *, at: int | None = None, secret: str = WEBHOOK_SECRET) -> str:
    timestamp = at or int(time.time())
    signed = f"{timestamp}.".encode() + payload
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def _deliver(payload: bytes, signature: str | None = None):
    return HttpClient().post(
        "/payments/webhooks/stripe/",
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature or _signature(payload)},
    )


def _completed(session: GatewaySession, payment_status: str, event_id: str = "evt_1") -> bytes:
    return _event(
        "checkout.session.completed",
        {
            "id": "cs_test_1",
            "object": "checkout.session",
            "customer_details": {"email": "ada@example.com", "name": "Ada Stone"},
            "amount_total": 12000,
            "currency": "usd",
            "client_reference_id": str(session.pk),
            "metadata": {"solvent_session": str(session.pk)},
            "payment_intent": "pi_test_1",
            "payment_status": payment_status,
        },
        event_id,
    )


@pytest.mark.django_db
def test_a_paid_checkout_posts_a_cleared_payment_once(stripe_settings, debt) -> None:
    _start(debt)
    session = GatewaySession.objects.get()
    payload = _completed(session, "paid")
    first, again = _deliver(payload), _deliver(payload)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["outcome"].startswith("duplicate")
    payment = Payment.objects.get()
    assert (payment.amount, payment.currency, payment.status) == (D("120.00"), "USD", "cleared")
    assert (payment.gateway, payment.gateway_payment_id) == ("stripe", "pi_test_1")
    assert payment.idempotency_key == "gateway:pi_test_1"
    session.refresh_from_db()
    assert (session.status, session.payment_id) == ("succeeded", payment.pk)
    debt[0].refresh_from_db()
    assert debt[0].balance == D("180.00")
    # Only the fields read are kept: not the payer's details Stripe sends along.
    kept = GatewayEvent.objects.get().payload
    assert kept["object"]["payment_intent"] == "pi_test_1"
    assert "ada@example.com" not in json.dumps(kept)


@pytest.mark.django_db
def test_a_bank_debit_is_pending_then_clears_or_comes_back(stripe_settings, debt) -> None:
    _start(debt, "ach")
    session = GatewaySession.objects.get()
    assert _deliver(_completed(session, "unpaid")).status_code == 200
    payment = Payment.objects.get()
    assert (payment.status, payment.method) == ("pending", "ach")
    session_object = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "metadata": {"solvent_session": str(session.pk)},
        "payment_intent": "pi_test_1",
    }
    failed = _event("checkout.session.async_payment_failed", session_object, "evt_2")
    assert _deliver(failed).json()["outcome"] == f"payment {payment.pk} returned: the debit failed"
    payment.refresh_from_db()
    assert payment.status == "returned"
    debt[0].refresh_from_db()
    assert debt[0].balance == D("300.00")
    # A later "succeeded" for a returned debit changes nothing.
    late = _event("checkout.session.async_payment_succeeded", session_object, "evt_3")
    assert _deliver(late).json()["outcome"] == f"payment {payment.pk} already returned"


@pytest.mark.django_db
def test_an_async_success_clears_the_pending_debit(stripe_settings, debt) -> None:
    _start(debt, "ach")
    session = GatewaySession.objects.get()
    _deliver(_completed(session, "unpaid"))
    succeeded = _event(
        "checkout.session.async_payment_succeeded",
        {"id": "cs_test_1", "client_reference_id": str(session.pk), "payment_intent": "pi_test_1"},
        "evt_2",
    )
    _deliver(succeeded)
    assert Payment.objects.get().status == "cleared"
    assert GatewaySession.objects.get().status == "succeeded"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("event_type", "obj", "status"),
    [
        (
            "charge.refunded",
            {"object": "charge", "payment_intent": "pi_test_1", "amount": 12000,
             "amount_refunded": 12000, "currency": "usd", "refunded": True,
             "payment_method_details": {"card": {"last4": "4242", "exp_year": 2030}}},
            "reversed",
        ),
        (
            "charge.dispute.created",
            {"object": "dispute", "payment_intent": "pi_test_1", "amount": 12000,
             "currency": "usd", "reason": "fraudulent"},
            "returned",
        ),
        (
            "charge.refunded",
            {"object": "charge", "payment_intent": "pi_test_1", "amount": 12000,
             "amount_refunded": 2000, "currency": "usd", "refunded": False},
            "cleared",
        ),
    ],
)  # fmt: skip
def test_a_refund_reverses_a_dispute_returns_and_a_partial_refund_waits_for_a_person(
    stripe_settings, debt, event_type, obj, status
) -> None:
    _start(debt)
    _deliver(_completed(GatewaySession.objects.get(), "paid"))
    answer = _deliver(_event(event_type, obj, "evt_2"))
    assert answer.status_code == 200
    assert Payment.objects.get().status == status
    if status == "cleared":
        assert "partial refund of 20.00" in answer.json()["outcome"]
    assert "4242" not in json.dumps(GatewayEvent.objects.get(event_id="evt_2").payload)


@pytest.mark.django_db
def test_a_checkout_not_ours_is_ignored_and_an_expired_one_is_marked(stripe_settings, debt) -> None:
    foreign = _event(
        "checkout.session.completed",
        {"id": "cs_other", "payment_intent": "pi_other", "payment_status": "paid"},
        "evt_foreign",
    )
    assert _deliver(foreign).json()["outcome"] == "ignored: not a checkout of ours"
    _start(debt)
    session = GatewaySession.objects.get()
    expired = _event(
        "checkout.session.expired",
        {"id": "cs_test_1", "client_reference_id": str(session.pk), "payment_intent": None},
        "evt_expired",
    )
    assert _deliver(expired).json()["outcome"] == f"checkout {session.pk} expired"
    session.refresh_from_db()
    assert session.status == "expired"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_tampered_body_an_old_signature_and_a_wrong_secret_are_refused(
    stripe_settings, debt
) -> None:
    _start(debt)
    payload = _completed(GatewaySession.objects.get(), "paid")
    tampered = payload.replace(b"12000", b"99")
    assert _deliver(tampered, _signature(payload)).status_code == 400
    old = _deliver(payload, _signature(payload, at=int(time.time()) - 3600))
    assert old.status_code == 400
    assert "tolerance" in old.json()["detail"]
    assert _deliver(payload, _signature(payload, secret="whsec_other")).status_code == 400
    assert _deliver(payload, "garbage").status_code == 400
    assert not GatewayEvent.objects.exists()
    assert not Payment.objects.exists()


def test_events_are_read_in_our_words(stripe_api) -> None:
    payload = _event("checkout.session.expired", {"id": "cs_x", "client_reference_id": "7"})
    [event] = _gateway(stripe_api).webhook_events(
        payload, {"stripe-signature": _signature(payload)}
    )
    assert (event.kind, event.session_id, event.gateway_session_id) == (
        EventKind.EXPIRED,
        7,
        "cs_x",
    )
    other = _event("payout.paid", {"id": "po_1"})
    [event] = _gateway(stripe_api).webhook_events(other, {"Stripe-Signature": _signature(other)})
    assert event.kind == EventKind.OTHER
    with pytest.raises(GatewaySignatureError):
        StripeGateway(secret_key=API_KEY, webhook_secret="").webhook_events(
            other, {"Stripe-Signature": _signature(other)}
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_event_delivered_four_times_at_once_posts_one_payment(stripe_settings, debt) -> None:
    """Real transactions on separate connections, released together: the event's unique row lets
    one delivery act and makes the others wait, then answer "duplicate"."""
    from django.db import connection

    from solvent.payments.services.gateway_webhooks import gateway_webhook_handle

    _start(debt)
    payload = _completed(GatewaySession.objects.get(), "paid")
    headers = {"Stripe-Signature": _signature(payload)}
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(
                gateway_webhook_handle(gateway="stripe", payload=payload, headers=headers)
            )
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a delivery never returned"
    assert not errors, errors
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == [
        "duplicate",
        "duplicate",
        "duplicate",
        f"payment {Payment.objects.get().pk} posted cleared",
    ]
    assert GatewayEvent.objects.count() == 1
    debt[0].refresh_from_db()
    assert debt[0].balance == D("180.00")
