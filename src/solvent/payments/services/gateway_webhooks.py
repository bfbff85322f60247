"""What the payment gateway tells us after the checkout: its webhooks, each event acted on once.

``gateway_webhook_handle`` verifies a webhook (the adapter refuses a bad signature), keeps each event
once (a redelivered event id is acknowledged and ignored) and moves the ledger: a payment succeeded
is posted cleared (or a pending one cleared), a bank debit in flight is posted pending, a failed
debit or a dispute is returned, a refund reversed. Every payment a gateway reports carries the
idempotency key ``gateway:<its payment id>``, so it is posted once whatever arrives twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from solvent.audit.services import audit_record, audit_system
from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.payments.models import GatewayEvent, GatewaySession, Payment
from solvent.payments.ports import EventKind, GatewayEventIn
from solvent.payments.services import ledger
from solvent.payments.services.gateway import gateway_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Applied:
    outcome: str
    payment_id: int | None = None


def gateway_webhook_handle(*, gateway: str, payload: bytes, headers: Mapping[str, str]) -> str:
    """Verify a webhook and act on each event once; answer what was done (for the log and tests).

    Raises ``GatewaySignatureError`` (a bad signature) or ``GatewayPayloadError`` (an unreadable
    body): the view answers 400 and the gateway's retries stop only once we accept. An event id seen
    before is acknowledged and ignored. An event the ledger refuses (a DomainError) is kept with the
    refusal as its outcome and acknowledged, so a person can see it; any other failure rolls the
    event back and raises, so the gateway delivers it again.
    """
    adapter = gateway_for(gateway)
    events = adapter.webhook_events(payload, headers)
    # The ledger's entries too name the webhook as the actor that moved the money.
    with audit_system(f"{adapter.name} payment gateway webhook"):
        return "; ".join(_event_handle(adapter.name, event) for event in events)


def _event_handle(gateway: str, event: GatewayEventIn) -> str:
    now = clock.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = GatewayEvent.objects.create(
                    gateway=gateway,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    payload=event.payload,
                    received_at=now,
                )
        except IntegrityError:
            return f"duplicate: {event.event_id} was handled before"
        try:
            with transaction.atomic():
                applied = _apply(gateway, event)
        except DomainError as error:
            logger.warning("gateway event %s not applied: %s", event.event_id, error.message)
            applied = _Applied(f"not applied: {error.message}")
        row.processed_at = clock.now()
        row.outcome = applied.outcome[:255]
        row.save(update_fields=["processed_at", "outcome"])
        audit_record(
            system=f"{gateway} payment gateway webhook",
            action="payments.gateway_event_handled",
            object_type="payments.GatewayEvent",
            object_id=row.pk,
            data={
                "gateway": gateway,
                "event_id": event.event_id,
                "event_type": event.event_type,
                "kind": event.kind.value,
                "gateway_payment_id": event.gateway_payment_id,
                "session_id": event.session_id,
                "payment_id": applied.payment_id,
                "outcome": row.outcome,
            },
        )
    return row.outcome


def _apply(gateway: str, event: GatewayEventIn) -> _Applied:
    session = _session_of(gateway, event)
    if event.kind == EventKind.EXPIRED:
        if session is not None and session.status == GatewaySession.Status.OPEN:
            _session_status(session, GatewaySession.Status.EXPIRED)
            return _Applied(f"checkout {session.pk} expired")
        return _Applied("ignored: no open checkout")
    if event.kind == EventKind.OTHER:
        return _Applied(f"ignored: {event.event_type} is not acted on")
    if not event.gateway_payment_id:
        if event.kind == EventKind.FAILED and session is not None:
            _session_status(session, GatewaySession.Status.FAILED)
            return _Applied(f"checkout {session.pk} failed")
        return _Applied("ignored: the event names no payment")
    payment = (
        Payment.objects.filter(gateway=gateway, gateway_payment_id=event.gateway_payment_id)
        .order_by("pk")
        .first()
    )
    if event.kind in {EventKind.SUCCEEDED, EventKind.PROCESSING}:
        return _paid(gateway, event, session, payment)
    if payment is None:
        if event.kind == EventKind.FAILED and session is not None:
            _session_status(session, GatewaySession.Status.FAILED)
            return _Applied(f"checkout {session.pk} failed")
        return _Applied(f"ignored: no payment {event.gateway_payment_id} here")
    if payment.status in {Payment.Status.RETURNED, Payment.Status.REVERSED}:
        return _Applied(f"payment {payment.pk} is already {payment.status}", payment.pk)
    if event.kind == EventKind.FAILED:
        ledger.payment_return(
            payment_id=payment.pk, reason=event.reason or "the bank debit failed", actor_id=None
        )
        if session is not None:
            _session_status(session, GatewaySession.Status.FAILED)
        return _Applied(f"payment {payment.pk} returned: the debit failed", payment.pk)
    if event.kind == EventKind.RETURNED:
        reason = event.reason or "disputed (chargeback)"
        ledger.payment_return(payment_id=payment.pk, reason=reason, actor_id=None)
        return _Applied(f"payment {payment.pk} returned: {reason}", payment.pk)
    # REFUNDED: the whole payment given back reverses it; a part is left for a person to decide.
    if event.amount is not None and event.amount < payment.amount:
        return _Applied(
            f"partial refund of {event.amount} on payment {payment.pk} ({payment.amount}): "
            "not reversed, adjust by hand",
            payment.pk,
        )
    ledger.payment_reverse(
        payment_id=payment.pk,
        reason=event.reason or "refunded through the gateway",
        # The gateway's refund names no person of ours: the audit entry says the webhook did it.
        actor_id=None,
    )
    return _Applied(f"payment {payment.pk} reversed: refunded", payment.pk)


def _paid(
    gateway: str,
    event: GatewayEventIn,
    session: GatewaySession | None,
    payment: Payment | None,
) -> _Applied:
    cleared = event.kind == EventKind.SUCCEEDED
    if payment is not None:
        if cleared and payment.status == Payment.Status.PENDING:
            payment = ledger.payment_clear(payment_id=payment.pk, actor_id=None)
            outcome = f"payment {payment.pk} cleared"
        else:
            outcome = f"payment {payment.pk} already {payment.status}"
    elif session is None:
        return _Applied("ignored: not a checkout of ours")
    else:
        amount = event.amount if event.amount is not None else session.amount
        payment = ledger.payment_post(
            account_id=session.account_id,
            amount=amount,
            paid_on=(event.occurred_at or clock.now()).date(),
            method=session.method,
            source=Payment.Source.GATEWAY,
            reference=event.gateway_payment_id[:100],
            status=Payment.Status.CLEARED if cleared else Payment.Status.PENDING,
            idempotency_key=f"gateway:{event.gateway_payment_id}"[:120],
            gateway=gateway,
            gateway_payment_id=event.gateway_payment_id,
            debtor_id=session.debtor_id,
            settlement_id=session.settlement_id,
            currency=event.currency or session.currency,
        )
        outcome = f"payment {payment.pk} posted {payment.status}"
        if amount != session.amount:
            outcome += f" (the gateway took {amount}, the checkout asked {session.amount})"
    if session is not None:
        session.payment = payment
        session.status = (
            GatewaySession.Status.SUCCEEDED
            if payment.status == Payment.Status.CLEARED
            else session.status
        )
        session.updated_at = clock.now()
        session.save(update_fields=["payment", "status", "updated_at"])
    return _Applied(outcome, payment.pk)


def _session_of(gateway: str, event: GatewayEventIn) -> GatewaySession | None:
    sessions = GatewaySession.objects.select_for_update().filter(gateway=gateway)
    if event.session_id is not None:
        return sessions.filter(pk=event.session_id).first()
    if event.gateway_session_id:
        return sessions.filter(gateway_session_id=event.gateway_session_id).first()
    return None


def _session_status(session: GatewaySession, status: str) -> None:
    session.status = status
    session.updated_at = clock.now()
    session.save(update_fields=["status", "updated_at"])
