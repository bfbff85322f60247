"""The payment gateway port: what Solvent asks of a card and bank-debit processor, and what it hears.

Two verbs. ``checkout_start`` opens the gateway's own payment page for an amount (the debtor types
their card or bank details there: none reach our server or our database) and answers where to send
the debtor. ``webhook_events`` verifies a webhook's signature (refusing a bad one with
``GatewaySignatureError``) and turns the gateway's events into ``GatewayEventIn``: a payment
succeeded (cleared), is processing (a bank debit in flight: pending), failed, was returned by the
bank or disputed, was refunded, or a checkout expired. Adapters: ``adapters.fake`` (the demo's own
checkout page) and ``adapters.stripe`` (Stripe Checkout, with the official library).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from solvent.core.domain.errors import DomainError


class CheckoutMethod(StrEnum):
    CARD = "card"
    ACH = "ach"  # a US bank debit: pending for a few days, may come back


class EventKind(StrEnum):
    SUCCEEDED = "succeeded"  # the money is ours: post cleared, or clear the pending payment
    PROCESSING = "processing"  # a bank debit started: post pending
    FAILED = "failed"  # no money: the checkout failed, or a pending debit did not clear (return it)
    RETURNED = "returned"  # the bank took it back after all: a dispute (chargeback)
    REFUNDED = "refunded"  # the money was given back to the debtor: reverse it
    EXPIRED = "expired"  # the debtor left the checkout page without paying
    OTHER = "other"  # an event we do not act on: acknowledged and recorded


class GatewayError(DomainError):
    """The gateway could not be reached or refused the request; nothing was charged."""

    code = "gateway_unavailable"


class GatewaySignatureError(DomainError):
    """A webhook whose signature does not verify (forged, altered, too old, or no secret set)."""

    code = "gateway_signature_invalid"


class GatewayPayloadError(DomainError):
    """A webhook whose signature verified but whose body is not an event we can read."""

    code = "gateway_payload_invalid"


class GatewayUnknownError(DomainError):
    code = "gateway_unknown"


@dataclass(frozen=True)
class CheckoutRequest:
    # Our GatewaySession's id: the gateway hands it back in every event about this checkout.
    session_id: int
    amount: Decimal
    currency: str
    method: CheckoutMethod
    description: str
    # The same key opens the same checkout (a double submit, a retry after a timeout).
    idempotency_key: str
    success_url: str
    cancel_url: str


@dataclass(frozen=True)
class CheckoutStart:
    session_id: str  # the gateway's id of the checkout
    redirect_url: str  # where the debtor pays


@dataclass(frozen=True)
class GatewayEventIn:
    """One verified event, in our words."""

    event_id: str
    event_type: str  # the gateway's own name, kept for the record
    kind: EventKind
    payload: dict[str, Any] = field(default_factory=dict)
    gateway_payment_id: str = ""
    session_id: int | None = None  # our GatewaySession, when the event carries it
    gateway_session_id: str = ""
    amount: Decimal | None = None  # paid, refunded or disputed, in major units
    currency: str = ""
    occurred_at: datetime | None = None
    reason: str = ""


class PaymentGateway(Protocol):
    name: str

    def checkout_start(self, request: CheckoutRequest) -> CheckoutStart: ...

    def webhook_events(
        self, payload: bytes, headers: Mapping[str, str]
    ) -> list[GatewayEventIn]: ...


def header_value(headers: Mapping[str, str], name: str) -> str:
    """A header by name, whatever its case (Django's request.headers, or a plain dict in tests)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def session_id_from(value: object) -> int | None:
    """Our session id as a gateway hands it back (a string in metadata), or None."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None
