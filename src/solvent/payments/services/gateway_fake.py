"""The fake gateway's checkout page (the demo's): what it offers and what a choice does.

A choice is sent as the gateway would send it: an event signed by the fake adapter and handled by
``gateway_webhook_handle`` (verified, kept once, posted by the ledger), at once, with no worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from solvent.arrangements.domain.errors import FieldError
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.payments.adapters.fake import FakeGateway
from solvent.payments.models import GatewaySession, Payment
from solvent.payments.ports import CheckoutMethod
from solvent.payments.services.gateway_webhooks import gateway_webhook_handle


@dataclass(frozen=True)
class FakeChoice:
    outcome: str
    label: str


def fake_choices(session: GatewaySession, payment: Payment | None) -> list[FakeChoice]:
    """What the fake page offers for the checkout as it stands (what a bank could do next)."""
    if payment is None:
        if session.status != GatewaySession.Status.OPEN:
            return []
        choices = [FakeChoice("succeeded", "Pay: the bank accepts the payment")]
        if session.method == CheckoutMethod.ACH:
            choices.append(
                FakeChoice("processing", "Submit the bank debit (pending for a few days)")
            )
        choices.append(FakeChoice("failed", "The bank declines the payment"))
        return choices
    if payment.status == Payment.Status.PENDING:
        return [
            FakeChoice("succeeded", "The bank debit clears"),
            FakeChoice("failed", "The bank debit comes back (returned)"),
        ]
    if payment.status == Payment.Status.CLEARED:
        return [
            FakeChoice("refunded", "Refund the payment"),
            FakeChoice("disputed", "The debtor disputes it with their bank (chargeback)"),
        ]
    return []


def gateway_fake_checkout(*, checkout_id: str) -> tuple[GatewaySession, Payment | None] | None:
    """The fake gateway's checkout named by its (unguessable) id, with its payment; None when the
    fake gateway is not available here or the id is not one it issued."""
    adapter = _fake_gateway()
    if adapter is None:
        return None
    session_id = adapter.checkout_id_valid(checkout_id)
    session = (
        GatewaySession.objects.select_related("account__client")
        .filter(pk=session_id, gateway="fake")
        .first()
        if session_id is not None
        else None
    )
    if session is None:
        return None
    payment = (
        Payment.objects.filter(gateway="fake", gateway_payment_id=adapter.payment_id(checkout_id))
        .order_by("pk")
        .first()
    )
    return session, payment


def gateway_fake_outcome(*, checkout_id: str, outcome: str) -> str:
    """What the debtor (or the demo's operator) chose on the fake page, sent as the gateway would:
    a signed event through ``gateway_webhook_handle`` (verified, kept once, posted by the ledger)."""
    found = gateway_fake_checkout(checkout_id=checkout_id)
    if found is None:
        raise NotFoundError(f"no fake checkout {checkout_id}")
    session, payment = found
    if outcome not in {choice.outcome for choice in fake_choices(session, payment)}:
        raise FieldError("outcome", f"{outcome or 'nothing'} is not something the bank can do now")
    adapter = _fake_gateway()
    if adapter is None:
        raise NotFoundError(f"no fake checkout {checkout_id}")
    reasons = {
        "failed": "the bank debit came back (demo)" if payment else "the bank declined it (demo)",
        "disputed": "disputed (demo chargeback)",
    }
    payload, headers = adapter.event(
        checkout_id=checkout_id,
        session_id=session.pk,
        outcome=outcome,
        amount=session.amount,
        currency=session.currency,
        now=clock.now(),
        reason=reasons.get(outcome, ""),
    )
    return gateway_webhook_handle(gateway="fake", payload=payload, headers=headers)


def _fake_gateway() -> FakeGateway | None:
    """The fake adapter, or None where it has no secret (anywhere but the demo, the tests and a
    staging server that sets one)."""
    secret = getattr(settings, "SOLVENT_FAKE_GATEWAY_SECRET", "")
    return FakeGateway(secret=secret) if secret else None
