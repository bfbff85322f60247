"""Paying through the payment gateway: the debtor's checkout, and what the gateway tells us after.

``gateway_checkout_start`` (the debtor's page calls it) checks the amount, records a GatewaySession
once per idempotency key and answers the gateway's page to send the debtor to; a double submit
answers the same page. ``gateway_webhook_handle`` verifies a webhook (the adapter refuses a bad
signature), keeps each event once (a redelivered event id is acknowledged and ignored) and moves the
ledger: a payment succeeded is posted cleared (or a pending one cleared), a bank debit in flight is
posted pending, a failed debit or a dispute is returned, a refund reversed; every payment a gateway
reports carries the idempotency key ``gateway:<its payment id>``, so it is posted once whatever
arrives twice. Card and bank details never reach us: the debtor types them on the gateway's page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from solvent.arrangements.domain.errors import FieldError
from solvent.audit.services import audit_record, audit_system
from solvent.core import clock
from solvent.core.domain.errors import DomainError, NotFoundError, ValidationError
from solvent.payments.adapters.fake import FakeGateway
from solvent.payments.adapters.stripe import StripeGateway
from solvent.payments.models import GatewayEvent, GatewaySession, Payment, Settlement
from solvent.payments.ports import (
    CheckoutMethod,
    CheckoutRequest,
    EventKind,
    GatewayError,
    GatewayEventIn,
    GatewayUnknownError,
    PaymentGateway,
)
from solvent.payments.services import ledger
from solvent.portfolio.models import Account, AccountDebtor

logger = logging.getLogger(__name__)

GATEWAYS = ("fake", "stripe")
_CENT = Decimal("0.01")
# Accounts no payment may be started on.
_CLOSED = frozenset({Account.Status.CLOSED, Account.Status.RECALLED})
_PAYABLE_SETTLEMENT = frozenset({Settlement.Status.OFFERED, Settlement.Status.ACCEPTED})


def gateway_for(name: str | None = None) -> PaymentGateway:
    """The adapter named (a webhook's path names it), else the configured one (default: fake)."""
    chosen = (name or getattr(settings, "SOLVENT_PAYMENT_GATEWAY", "") or "fake").lower()
    if chosen == "fake":
        secret = getattr(settings, "SOLVENT_FAKE_GATEWAY_SECRET", "")
        if not secret:
            raise GatewayError(
                "the fake gateway is for the demo and the tests: set SOLVENT_PAYMENT_GATEWAY=stripe "
                "(or SOLVENT_FAKE_GATEWAY_SECRET on a staging server)"
            )
        return FakeGateway(secret=secret)
    if chosen == "stripe":
        return StripeGateway(
            secret_key=getattr(settings, "STRIPE_SECRET_KEY", ""),
            webhook_secret=getattr(settings, "STRIPE_WEBHOOK_SECRET", ""),
            api_base=getattr(settings, "STRIPE_API_BASE", "https://api.stripe.com"),
        )
    raise GatewayUnknownError(
        f"no payment gateway named {chosen!r} (one of: {', '.join(GATEWAYS)})"
    )


# --- the checkout -----------------------------------------------------------------------------


def gateway_checkout_start(
    *,
    account_id: int,
    debtor_id: int,
    amount: Decimal | str,
    method: str,
    idempotency_key: str,
    success_url: str,
    cancel_url: str,
    settlement_id: int | None = None,
) -> str:
    """Open the gateway's checkout for the debtor's payment and answer the URL to send them to.
    The caller names who acted for the audit entries (``audit_system``: the debtor's page).

    Refused naming the field: an amount not above zero, not to the cent, above the balance (or, for
    a settlement, other than its amount), a method other than card or ach, an empty key; a debtor
    who does not owe the account (NotFoundError), a closed or recalled account. The same
    idempotency key opens one checkout: asked again (a double submit) it answers the same page;
    with another amount, account or method it is refused (code ``idempotency_key_reused``), and
    once the gateway has answered (paid, pending, failed) it is refused (code ``checkout_finished``).
    Raises ``GatewayError`` when the gateway cannot be reached (a retry with the same key is safe).
    """
    key = idempotency_key.strip()
    if not key:
        raise FieldError("idempotency_key", "a payment needs an idempotency key")
    if len(key) > 120:
        raise FieldError("idempotency_key", "use a key of 120 characters at most")
    value = _amount(amount)
    if method not in {choice.value for choice in CheckoutMethod}:
        raise FieldError("method", "pay by card or by bank debit (ach)")
    asked: dict[str, Any] = {
        "account_id": account_id,
        "debtor_id": debtor_id,
        "amount": value,
        "method": method,
    }
    session = GatewaySession.objects.filter(idempotency_key=key).first()
    if session is None:
        try:
            session = _session_create(key=key, settlement_id=settlement_id, **asked)
        except IntegrityError:
            # The same key submitted twice at once: the other request created it.
            session = GatewaySession.objects.get(idempotency_key=key)
    _same_request(session, asked)
    if session.status != GatewaySession.Status.OPEN or session.payment_id is not None:
        # Submitted again after the gateway answered (the back button): no second checkout.
        raise ValidationError(
            f"this payment was already made or tried ({session.status}"
            f"{', payment received' if session.payment_id else ''}): start a new one to pay again",
            code="checkout_finished",
        )
    adapter = gateway_for(session.gateway)
    # Outside any transaction: the gateway is a network call, and its own idempotency key (ours)
    # makes a retry after a timeout open the same checkout.
    start = adapter.checkout_start(
        CheckoutRequest(
            session_id=session.pk,
            amount=session.amount,
            currency=session.currency,
            method=CheckoutMethod(session.method),
            description=_description(session),
            idempotency_key=key,
            success_url=success_url,
            cancel_url=cancel_url,
        )
    )
    if session.gateway_session_id != start.session_id:
        with transaction.atomic():
            GatewaySession.objects.filter(pk=session.pk).update(
                gateway_session_id=start.session_id, updated_at=clock.now()
            )
            audit_record(
                action="payments.gateway_checkout_opened",
                object_type="payments.GatewaySession",
                object_id=session.pk,
                data={"gateway": session.gateway, "gateway_session_id": start.session_id},
            )
    return start.redirect_url


def _session_create(
    *,
    key: str,
    account_id: int,
    debtor_id: int,
    amount: Decimal,
    method: str,
    settlement_id: int | None,
) -> GatewaySession:
    gateway_name = gateway_for().name
    now = clock.now()
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        owes = AccountDebtor.objects.filter(account_id=account_id, debtor_id=debtor_id).exists()
        if account is None or not owes:
            raise NotFoundError(f"debtor {debtor_id} does not owe account {account_id}")
        if account.status in _CLOSED:
            raise ValidationError(
                f"account {account.account_number} is {account.status}: it takes no payments",
                code="account_closed",
            )
        if settlement_id is not None:
            _settlement_check(account, settlement_id, amount, now.date())
        elif account.balance <= 0:
            raise FieldError("amount", "nothing is owed on this account")
        elif amount > account.balance:
            raise FieldError(
                "amount",
                f"{amount} {account.currency} is more than the balance "
                f"({account.balance} {account.currency})",
            )
        session = GatewaySession.objects.create(
            account=account,
            debtor_id=debtor_id,
            amount=amount,
            currency=account.currency,
            method=method,
            gateway=gateway_name,
            idempotency_key=key,
            settlement_id=settlement_id,
            created_at=now,
        )
        audit_record(
            action="payments.gateway_checkout_started",
            object_type="payments.GatewaySession",
            object_id=session.pk,
            data={
                "account_id": account.pk,
                "debtor_id": debtor_id,
                "amount": str(amount),
                "currency": account.currency,
                "method": method,
                "gateway": gateway_name,
                "settlement_id": settlement_id,
            },
        )
    return session


def _settlement_check(account: Account, settlement_id: int, amount: Decimal, today: date) -> None:
    settlement = Settlement.objects.filter(pk=settlement_id, account=account).first()
    if settlement is None:
        raise FieldError("settlement_id", f"settlement {settlement_id} is not this account's")
    if settlement.status not in _PAYABLE_SETTLEMENT or settlement.expires_on < today:
        raise FieldError(
            "settlement_id", f"this settlement is {settlement.status}: it cannot be paid"
        )
    if amount != settlement.amount:
        raise FieldError(
            "amount",
            f"the settlement is paid in one amount: {settlement.amount} {settlement.currency}",
        )


def _same_request(session: GatewaySession, asked: dict[str, Any]) -> None:
    stored = {
        "account_id": session.account_id,
        "debtor_id": session.debtor_id,
        "amount": session.amount,
        "method": session.method,
    }
    differing = [name for name, value in asked.items() if stored[name] != value]
    if differing:
        raise ValidationError(
            f"idempotency_key: this key already started a payment with other "
            f"{', '.join(differing)}: use a new key for a new payment",
            code="idempotency_key_reused",
        )


def _amount(value: Decimal | str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise FieldError("amount", f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0:
        raise FieldError("amount", "enter an amount above zero")
    if amount != amount.quantize(_CENT):
        raise FieldError("amount", "enter the amount to the cent (two decimal places at most)")
    return amount.quantize(_CENT)


def _description(session: GatewaySession) -> str:
    number = session.account.account_number
    agency = getattr(settings, "SOLVENT_AGENCY_NAME", "Solvent")
    return f"Payment to {agency}, account ending {number[-4:]}"


# --- the webhook ------------------------------------------------------------------------------


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
        actor_id=None,  # type: ignore[arg-type]
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


# --- the fake gateway's checkout page ---------------------------------------------------------


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
    try:
        adapter = gateway_for("fake")
    except GatewayError:
        return None
    assert isinstance(adapter, FakeGateway)
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
    adapter = gateway_for("fake")
    assert isinstance(adapter, FakeGateway)
    reasons = {"failed": "the bank declined it (demo)", "disputed": "disputed (demo chargeback)"}
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
