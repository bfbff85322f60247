"""Paying through the payment gateway: choosing the adapter, and opening the debtor's checkout.

``gateway_checkout_start`` (the debtor's page calls it) checks the amount, records a GatewaySession
once per idempotency key and answers the gateway's page to send the debtor to; a double submit
answers the same page. What the gateway says afterwards is handled by ``gateway_webhooks``; the
fake gateway's own page by ``gateway_fake``. Card and bank details never reach us: the debtor types
them on the gateway's page.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from solvent.arrangements.domain.errors import FieldError
from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.payments.adapters.fake import FakeGateway
from solvent.payments.adapters.stripe import StripeGateway
from solvent.payments.models import GatewaySession, Settlement
from solvent.payments.ports import (
    CheckoutMethod,
    CheckoutRequest,
    GatewayError,
    GatewayUnknownError,
    PaymentGateway,
)
from solvent.portfolio.models import Account, AccountDebtor

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
                system="the debtor's payment, at the gateway's checkout",
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
            system="the debtor's payment, at the gateway's checkout",
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
