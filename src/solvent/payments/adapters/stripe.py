"""Stripe Checkout through the official ``stripe`` library (pinned in pyproject).

``checkout_start`` creates a Checkout Session (POST /v1/checkout/sessions, mode "payment") for one
line item priced in the currency's minor units, paid by card or by US bank debit
(``us_bank_account``: pending for a few days, then it clears or comes back), with our session id as
``client_reference_id`` and in the metadata of the session and of its PaymentIntent, and our
idempotency key as Stripe's ``Idempotency-Key`` (the same key answers the same session). The debtor
types their card or bank details on Stripe's page: none reach our server.

``webhook_events`` verifies the ``Stripe-Signature`` header with the library's
``construct_event`` (HMAC-SHA256 over "<t>.<body>" with the endpoint's secret, 5 minutes'
tolerance) and reads the events we act on:

- checkout.session.completed: payment_status "paid" -> succeeded (cleared); "unpaid" (a bank debit
  in flight) -> processing (pending)
- checkout.session.async_payment_succeeded -> succeeded (the pending debit clears)
- checkout.session.async_payment_failed -> failed (the pending debit is returned)
- checkout.session.expired -> expired
- charge.refunded -> refunded (reversed; ``amount`` is what was refunded so far)
- charge.dispute.created -> returned (a chargeback)

Anything else is acknowledged as "other". The payment's id throughout is the PaymentIntent's id
(pi_...), which sessions, charges and disputes all name. Of each event only the fields read here are
kept: a charge's card details and a session's customer details never reach the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe

from solvent.payments.ports import (
    CheckoutMethod,
    CheckoutRequest,
    CheckoutStart,
    EventKind,
    GatewayError,
    GatewayEventIn,
    GatewayPayloadError,
    GatewaySignatureError,
    header_value,
    session_id_from,
)

SIGNATURE_HEADER = "Stripe-Signature"
METADATA_KEY = "solvent_session"
# Stripe's zero-decimal currencies: their amounts are not multiplied by 100
# (https://docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
_PAYMENT_METHOD_TYPES = {CheckoutMethod.CARD: "card", CheckoutMethod.ACH: "us_bank_account"}
# What of an event's object is kept (GatewayEvent.payload): the fields read here, never the rest (a
# charge carries the card's brand, last digits and expiry, a session the payer's name and address).
_KEPT_FIELDS = (
    "id",
    "object",
    "payment_intent",
    "payment_status",
    "status",
    "amount",
    "amount_total",
    "amount_refunded",
    "refunded",
    "currency",
    "client_reference_id",
    "metadata",
    "reason",
)
_SESSION_EVENTS = {
    "checkout.session.async_payment_succeeded": EventKind.SUCCEEDED,
    "checkout.session.async_payment_failed": EventKind.FAILED,
    "checkout.session.expired": EventKind.EXPIRED,
}


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount as Stripe counts it: cents for USD, whole yen for JPY."""
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        if amount != amount.to_integral_value():
            raise GatewayError(f"{currency.upper()} has no minor unit: {amount} cannot be charged")
        return int(amount)
    return int((amount * 100).to_integral_value())


def major_units(amount: int, currency: str) -> Decimal:
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(amount)
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


class StripeGateway:
    name = "stripe"

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        api_base: str = "https://api.stripe.com",
        max_network_retries: int = 2,
    ) -> None:
        if not secret_key:
            raise GatewayError("Stripe is not configured: set STRIPE_SECRET_KEY")
        self._webhook_secret = webhook_secret
        # One client per gateway, never the library's global api_key: tests and tenants stay apart.
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            max_network_retries=max_network_retries,
        )

    def checkout_start(self, request: CheckoutRequest) -> CheckoutStart:
        currency = request.currency.upper()
        if request.method == CheckoutMethod.ACH and currency != "USD":
            raise GatewayError(f"a US bank debit is in USD only, not {currency}")
        reference = str(request.session_id)
        params: dict[str, Any] = {
            "mode": "payment",
            "payment_method_types": [_PAYMENT_METHOD_TYPES[request.method]],
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": minor_units(request.amount, currency),
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "client_reference_id": reference,
            "metadata": {METADATA_KEY: reference},
            "payment_intent_data": {
                "description": request.description,
                "metadata": {METADATA_KEY: reference},
            },
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        try:
            session = self._client.v1.checkout.sessions.create(
                params,  # type: ignore[arg-type]  # the library's TypedDict; the dict is built above
                {"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            # The library's message, never the key: user_message when Stripe gives one.
            detail = error.user_message or str(error) or type(error).__name__
            raise GatewayError(f"Stripe refused the checkout: {detail}") from None
        if not session.url:
            raise GatewayError("Stripe answered a checkout session without a URL")
        return CheckoutStart(session_id=session.id, redirect_url=session.url)

    def webhook_events(self, payload: bytes, headers: Mapping[str, str]) -> list[GatewayEventIn]:
        try:
            event = self._client.construct_event(
                payload, header_value(headers, SIGNATURE_HEADER), self._webhook_secret
            )
        except stripe.SignatureVerificationError as error:
            raise GatewaySignatureError(f"Stripe signature refused: {error.user_message}") from None
        except ValueError as error:  # signed, but not JSON
            raise GatewayPayloadError(f"Stripe event is not JSON: {error}") from None
        body = event.to_dict(for_json=True)
        try:
            return [_event_in(body)]
        except (KeyError, TypeError, ValueError) as error:
            raise GatewayPayloadError(
                f"Stripe event {body.get('id')} is malformed: {error}"
            ) from None


def _event_in(body: dict[str, Any]) -> GatewayEventIn:
    event_type = str(body["type"])
    obj: dict[str, Any] = body["data"]["object"]
    common: dict[str, Any] = {
        "event_id": str(body["id"]),
        "event_type": event_type,
        "payload": _kept(body),
        "occurred_at": datetime.fromtimestamp(int(body["created"]), tz=UTC),
        "gateway_payment_id": _id_of(obj.get("payment_intent")),
        "currency": str(obj.get("currency") or "").upper(),
    }
    if event_type.startswith("checkout.session."):
        metadata = obj.get("metadata") or {}
        common["session_id"] = session_id_from(
            metadata.get(METADATA_KEY) or obj.get("client_reference_id")
        )
        common["gateway_session_id"] = str(obj.get("id") or "")
        if obj.get("amount_total") is not None:
            common["amount"] = major_units(int(obj["amount_total"]), common["currency"])
        if event_type == "checkout.session.completed":
            status = obj.get("payment_status")
            kind = {"paid": EventKind.SUCCEEDED, "unpaid": EventKind.PROCESSING}.get(
                str(status), EventKind.OTHER
            )
            return GatewayEventIn(kind=kind, **common)
        return GatewayEventIn(kind=_SESSION_EVENTS.get(event_type, EventKind.OTHER), **common)
    if event_type == "charge.refunded":
        common["session_id"] = session_id_from((obj.get("metadata") or {}).get(METADATA_KEY))
        common["amount"] = major_units(int(obj.get("amount_refunded") or 0), common["currency"])
        return GatewayEventIn(kind=EventKind.REFUNDED, reason="refunded through Stripe", **common)
    if event_type == "charge.dispute.created":
        common["amount"] = major_units(int(obj.get("amount") or 0), common["currency"])
        reason = f"disputed (chargeback): {obj.get('reason') or 'no reason given'}"
        return GatewayEventIn(kind=EventKind.RETURNED, reason=reason, **common)
    return GatewayEventIn(kind=EventKind.OTHER, **common)


def _kept(body: dict[str, Any]) -> dict[str, Any]:
    obj = body["data"]["object"]
    return {
        "id": body["id"],
        "type": body["type"],
        "created": body.get("created"),
        "livemode": body.get("livemode"),
        "object": {name: obj[name] for name in _KEPT_FIELDS if name in obj},
    }


def _id_of(value: object) -> str:
    """An id Stripe may send bare ("pi_...") or expanded ({"id": "pi_...", ...})."""
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return str(value or "")
