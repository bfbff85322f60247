"""The fake gateway: the demo's and the tests' stand-in for a card and bank-debit processor.

``checkout_start`` sends the debtor to our own page (/payments/fake/checkout/<id>/, labelled "Demo
gateway - no real money") where they choose what the bank does: the payment succeeds, a bank debit
is submitted and stays pending, or it fails; later the pending debit clears or comes back, and a paid
one may be refunded or disputed. Each choice is an event signed like a real webhook (header
``Solvent-Fake-Signature: t=<unix time>,v1=<HMAC-SHA256(secret, "<t>.<body>")>``) and goes through
the same verification and de-duplication as one; the page hands it to the webhook service directly,
so the demo needs no worker and no HTTP round trip. Deterministic: the checkout id is an HMAC of our
session id (unguessable without the secret), the payment id follows from it, and an event's id from
the checkout and the outcome, so choosing the same outcome twice is one event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from solvent.payments.ports import (
    CheckoutRequest,
    CheckoutStart,
    EventKind,
    GatewayEventIn,
    GatewayPayloadError,
    GatewaySignatureError,
    header_value,
    session_id_from,
)

SIGNATURE_HEADER = "Solvent-Fake-Signature"
TOLERANCE_SECONDS = 300
CHECKOUT_PATH = "/payments/fake/checkout/{session}/"

# What the fake page offers, and the event type each becomes.
OUTCOME_EVENT_TYPES: dict[str, str] = {
    "succeeded": "payment.succeeded",
    "processing": "payment.processing",
    "failed": "payment.failed",
    "refunded": "payment.refunded",
    "disputed": "payment.disputed",
}
_KINDS: dict[str, EventKind] = {
    "payment.succeeded": EventKind.SUCCEEDED,
    "payment.processing": EventKind.PROCESSING,
    "payment.failed": EventKind.FAILED,
    "payment.refunded": EventKind.REFUNDED,
    "payment.disputed": EventKind.RETURNED,
    "checkout.expired": EventKind.EXPIRED,
}


class FakeGateway:
    name = "fake"

    def __init__(self, *, secret: str) -> None:
        self._secret = secret

    # --- the port ---------------------------------------------------------------------------

    def checkout_start(self, request: CheckoutRequest) -> CheckoutStart:
        checkout_id = self.checkout_id(request.session_id)
        query = urlencode({"success": request.success_url, "cancel": request.cancel_url})
        return CheckoutStart(
            session_id=checkout_id,
            redirect_url=CHECKOUT_PATH.format(session=checkout_id) + "?" + query,
        )

    def webhook_events(self, payload: bytes, headers: Mapping[str, str]) -> list[GatewayEventIn]:
        self._verify(payload, header_value(headers, SIGNATURE_HEADER))
        try:
            body = json.loads(payload)
            event_type = str(body["type"])
            event_id = str(body["id"])
            amount = Decimal(str(body["amount"])) if body.get("amount") is not None else None
            created = datetime.fromtimestamp(int(body.get("created") or 0), tz=UTC)
        except (ValueError, TypeError, KeyError, InvalidOperation) as error:
            raise GatewayPayloadError(f"the fake gateway's event is malformed: {error}") from None
        return [
            GatewayEventIn(
                event_id=event_id,
                event_type=event_type,
                kind=_KINDS.get(event_type, EventKind.OTHER),
                payload=body,
                gateway_payment_id=str(body.get("payment") or ""),
                session_id=session_id_from(body.get("session")),
                gateway_session_id=str(body.get("checkout") or ""),
                amount=amount,
                currency=str(body.get("currency") or ""),
                occurred_at=created if body.get("created") else None,
                reason=str(body.get("reason") or ""),
            )
        ]

    # --- what the fake checkout page uses ---------------------------------------------------

    def checkout_id(self, session_id: int) -> str:
        digest = hmac.new(self._key(), f"checkout:{session_id}".encode(), hashlib.sha256)
        return f"fake_cs_{session_id}_{digest.hexdigest()[:20]}"

    def checkout_id_valid(self, checkout_id: str) -> int | None:
        """Our session id when ``checkout_id`` is one this gateway issued, else None."""
        parts = checkout_id.split("_")
        if len(parts) != 4 or parts[:2] != ["fake", "cs"] or not parts[2].isdigit():
            return None
        session_id = int(parts[2])
        if not hmac.compare_digest(self.checkout_id(session_id), checkout_id):
            return None
        return session_id

    @staticmethod
    def payment_id(checkout_id: str) -> str:
        return checkout_id.replace("fake_cs_", "fake_pi_", 1)

    def event(
        self,
        *,
        checkout_id: str,
        session_id: int,
        outcome: str,
        amount: Decimal,
        currency: str,
        now: datetime,
        reason: str = "",
    ) -> tuple[bytes, dict[str, str]]:
        """The signed webhook the gateway would send for ``outcome``: its body and its headers."""
        event_type = OUTCOME_EVENT_TYPES[outcome]
        body: dict[str, Any] = {
            "id": f"fake_evt_{checkout_id.removeprefix('fake_cs_')}_{outcome}",
            "type": event_type,
            "checkout": checkout_id,
            "session": str(session_id),
            "payment": self.payment_id(checkout_id),
            "amount": str(amount),
            "currency": currency,
            "created": int(now.timestamp()),
            "reason": reason,
        }
        payload = json.dumps(body, sort_keys=True).encode()
        # Signed at the real time, as a gateway signs at sending; ``now`` is the business time.
        return payload, {SIGNATURE_HEADER: self.signature(payload, int(time.time()))}

    def signature(self, payload: bytes, timestamp: int) -> str:
        mac = hmac.new(self._key(), f"{timestamp}.".encode() + payload, hashlib.sha256)
        return f"t={timestamp},v1={mac.hexdigest()}"

    # --- inside -------------------------------------------------------------------------------

    def _key(self) -> bytes:
        if not self._secret:
            raise GatewaySignatureError(
                "the fake gateway has no secret: SOLVENT_FAKE_GATEWAY_SECRET is not set (it is "
                "derived only for the demo and the tests)"
            )
        return self._secret.encode()

    def _verify(self, payload: bytes, header: str) -> None:
        if not header:
            raise GatewaySignatureError(f"no {SIGNATURE_HEADER} header")
        fields: dict[str, list[str]] = {}
        for item in header.split(","):
            name, _, value = item.strip().partition("=")
            fields.setdefault(name, []).append(value)
        timestamps = fields.get("t", [])
        if len(timestamps) != 1 or not timestamps[0].isdigit():
            raise GatewaySignatureError(f"{SIGNATURE_HEADER} has no timestamp")
        timestamp = int(timestamps[0])
        expected = self.signature(payload, timestamp).split("v1=", 1)[1]
        if not any(hmac.compare_digest(expected, given) for given in fields.get("v1", [])):
            raise GatewaySignatureError(f"{SIGNATURE_HEADER} does not match the body")
        if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
            raise GatewaySignatureError(
                f"{SIGNATURE_HEADER} is older than {TOLERANCE_SECONDS} seconds (a replay?)"
            )
