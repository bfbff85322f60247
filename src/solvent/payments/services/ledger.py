"""The payments ledger: post a payment, clear it, return it (the bank sent it back) or reverse it
(posted in error). Each is one transaction that locks the account row first, so two payments for
one account at once allocate one after the other; each writes an audit entry and then lets
``consequences.payment_consequences`` re-evaluate promises, plans and settlements in the same
transaction.

Decisions (docs/adr/0030-payments-ledger.md): a pending payment allocates at once and counts for
promises (most pending money clears; a return undoes it exactly); money reported by a file or the
gateway is posted even above the balance (it was already taken: the excess is an overpayment,
reported), while an agent, the API or the debtor's page may not pay more than is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.models import PaymentPlan, Promise
from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.payments.domain.allocation import (
    COMPONENTS,
    DEFAULT_ORDER,
    ZERO,
    Allocation,
    allocate,
    allocation_order_validate,
    amount_parse,
)
from solvent.payments.models import ClientTerms, Payment, PaymentAllocation, Settlement
from solvent.payments.selectors import COUNTED_STATUSES
from solvent.portfolio.models import Account, AccountDebtor

# Payments that count: they moved the balance and count towards promises and plans.
# Who may not pay more than is owed: a person choosing an amount now. Files and the gateway report
# money already taken, which is posted whatever the balance (the excess is an overpayment).
BALANCE_CHECKED_SOURCES = frozenset(
    {Payment.Source.API, Payment.Source.AGENT, Payment.Source.PORTAL}
)
# Accounts the agency no longer holds: nothing is posted to them.
CLOSED_STATUSES = frozenset({Account.Status.CLOSED, Account.Status.RECALLED})
# The first time zone to start a day (UTC+14): a date is "in the future" only once no place on
# earth has reached it yet, so a payment made today anywhere is never refused.
_FIRST_ZONE = timedelta(hours=14)
# The request's fields a retry must repeat to be the same payment (the status may have moved on).
_IDEMPOTENT_FIELDS = (
    "account_id",
    "amount",
    "currency",
    "paid_on",
    "method",
    "source",
    "reference",
    "gateway_payment_id",
)


@dataclass(frozen=True, slots=True)
class PostOutcome:
    """A posted payment; ``created`` is False when an idempotent retry returned the first one."""

    payment: Payment
    created: bool
    overpayment: Decimal


def payment_post(
    *,
    account_id: int,
    amount: Decimal | str,
    paid_on: date,
    method: str,
    source: str,
    reference: str = "",
    status: str = Payment.Status.CLEARED,
    idempotency_key: str = "",
    gateway: str = "",
    gateway_payment_id: str = "",
    debtor_id: int | None = None,
    settlement_id: int | None = None,
    currency: str = "",
    actor_id: int | None = None,
) -> Payment:
    """Post a payment to the account (see ``payment_record``) and return it."""
    return payment_record(
        account_id=account_id,
        amount=amount,
        paid_on=paid_on,
        method=method,
        source=source,
        reference=reference,
        status=status,
        idempotency_key=idempotency_key,
        gateway=gateway,
        gateway_payment_id=gateway_payment_id,
        debtor_id=debtor_id,
        settlement_id=settlement_id,
        currency=currency,
        actor_id=actor_id,
    ).payment


def payment_record(
    *,
    account_id: int,
    amount: Decimal | str,
    paid_on: date,
    method: str,
    source: str,
    reference: str = "",
    status: str = Payment.Status.CLEARED,
    idempotency_key: str = "",
    gateway: str = "",
    gateway_payment_id: str = "",
    debtor_id: int | None = None,
    settlement_id: int | None = None,
    currency: str = "",
    actor_id: int | None = None,
) -> PostOutcome:
    """Post a payment, allocate it in the client's order and move the account's components.

    Refused naming the field: an amount not above zero or not to the cent, a date in the future, an
    unknown method, source or status, a currency other than the account's, a closed or recalled
    account, more than the balance from an agent, the API or the debtor's page. The same client's
    idempotency key posts once: a retry with the same fields returns the first payment
    (``created`` False), with other fields it is refused (code ``idempotency_key_reused``).
    """
    now = clock.now()
    request: dict[str, Any] = {
        "account_id": account_id,
        "amount": amount_parse(amount),
        "currency": currency.strip().upper(),
        "paid_on": _not_future(paid_on, (now + _FIRST_ZONE).date()),
        "method": _choice(method, Payment.Method.values, "method"),
        "source": _choice(source, Payment.Source.values, "source"),
        "reference": reference.strip()[:100],
        "gateway_payment_id": gateway_payment_id.strip()[:120],
    }
    status = _choice(status, [Payment.Status.PENDING, Payment.Status.CLEARED], "status")
    key = idempotency_key.strip()
    if len(key) > 120:
        raise FieldError("idempotency_key", "use a key of 120 characters at most")
    try:
        with transaction.atomic():
            return _post(
                request,
                status=status,
                key=key,
                gateway=gateway.strip()[:20],
                debtor_id=debtor_id,
                settlement_id=settlement_id,
                actor_id=actor_id,
            )
    except IntegrityError:
        # Another transaction posted the same key (for another account of the client) or the same
        # gateway payment between our look-up and our insert: answer as a retry would.
        first = _first_with(account_id, key, gateway.strip(), request["gateway_payment_id"])
        if first is None:
            raise
        return _replay(first, request)


def _post(
    request: dict[str, Any],
    *,
    status: str,
    key: str,
    gateway: str,
    debtor_id: int | None,
    settlement_id: int | None,
    actor_id: int | None,
) -> PostOutcome:
    account = _account_locked(request["account_id"])
    if key:
        first = Payment.objects.filter(client_id=account.client_id, idempotency_key=key).first()
        if first is not None:
            return _replay(first, request)
    value: Decimal = request["amount"]
    currency = request["currency"] or account.currency
    if currency != account.currency:
        raise FieldError(
            "currency", f"the account is in {account.currency}: a payment in {currency} is refused"
        )
    request["currency"] = currency
    if account.status in CLOSED_STATUSES:
        raise FieldError(
            "account_id",
            f"account {account.account_number} is {account.status}: nothing is posted to it",
            code="account_closed",
        )
    if request["source"] in BALANCE_CHECKED_SOURCES and value > account.balance:
        raise FieldError(
            "amount",
            f"{value} {currency} is more than the balance ({account.balance} {currency})",
        )
    debtor = _debtor_of(account, debtor_id)
    if (
        settlement_id is not None
        and not Settlement.objects.filter(pk=settlement_id, account_id=account.pk).exists()
    ):
        raise FieldError("settlement_id", f"settlement {settlement_id} is not this account's")
    now = clock.now()
    allocation = allocate(
        value, _balances(account), allocation_order_get(client_id=account.client_id)
    )
    payment = Payment.objects.create(
        account=account,
        client_id=account.client_id,
        debtor_id=debtor,
        amount=value,
        currency=currency,
        method=request["method"],
        paid_on=request["paid_on"],
        reference=request["reference"],
        status=status,
        source=request["source"],
        idempotency_key=key,
        gateway=gateway,
        gateway_payment_id=request["gateway_payment_id"],
        settlement_id=settlement_id,
        posted_at=now,
        posted_by_id=actor_id,
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(
            payment=payment, account=account, component=component, amount=part, created_at=now
        )
        for component, part in allocation.nonzero()
    )
    # Account.last_payment_date/amount stay the client's facts from the placement (the last payment
    # to the creditor, a Reg F itemization date, 1006.34(b)(3)); what was paid to us is the ledger.
    changed = _components_move(account, allocation)
    if account.balance == 0 and account.status not in (Account.Status.PAID, Account.Status.SETTLED):
        account.status = Account.Status.PAID
        changed.append("status")
    account.save(update_fields=[*changed, "updated_at"])
    _audit(
        "payment_posted",
        payment,
        {
            "account_id": account.pk,
            "amount": str(value),
            "currency": currency,
            "paid_on": payment.paid_on.isoformat(),
            "method": payment.method,
            "source": payment.source,
            "status": status,
            "reference": payment.reference,
            "allocation": {name: str(part) for name, part in allocation.nonzero()},
            "overpayment": str(allocation.overpayment),
            "account_status": account.status,
        },
        actor_id,
    )
    payment_consequences(account_id=account.pk, today=now.date(), actor_id=actor_id)
    return PostOutcome(payment=payment, created=True, overpayment=allocation.overpayment)


def payment_clear(*, payment_id: int, actor_id: int | None = None) -> Payment:
    """A pending payment cleared (the bank confirmed it). Clearing a cleared one changes nothing;
    a returned or reversed one is refused (code ``payment_not_pending``)."""
    with transaction.atomic():
        account, payment = _payment_locked(payment_id)
        if payment.status == Payment.Status.CLEARED:
            return payment
        if payment.status != Payment.Status.PENDING:
            raise ValidationError(
                f"payment {payment.pk} is {payment.status}: only a pending payment clears",
                code="payment_not_pending",
            )
        payment.status = Payment.Status.CLEARED
        payment.status_changed_at = clock.now()
        payment.save(update_fields=["status", "status_changed_at"])
        _audit("payment_cleared", payment, {"account_id": account.pk}, actor_id)
        payment_consequences(account_id=account.pk, today=clock.now().date(), actor_id=actor_id)
    return payment


def payment_return(*, payment_id: int, reason: str, actor_id: int | None = None) -> Payment:
    """The bank sent the money back (NSF, closed account, chargeback): undo what it allocated."""
    return _undo(payment_id, reason, Payment.Status.RETURNED, actor_id)


def payment_reverse(*, payment_id: int, reason: str, actor_id: int | None) -> Payment:
    """Posted in error, or refunded at the gateway: undo what it allocated (a person, or the
    gateway's webhook with no actor: its audit entry names the system)."""
    return _undo(payment_id, reason, Payment.Status.REVERSED, actor_id)


def _undo(payment_id: int, reason: str, status: str, actor_id: int | None) -> Payment:
    reason = reason.strip()
    if not reason:
        raise FieldError("reason", "say why: the reason is empty", code="reason_required")
    with transaction.atomic():
        account, payment = _payment_locked(payment_id)
        if payment.status not in COUNTED_STATUSES:
            raise ValidationError(
                f"payment {payment.pk} was already {payment.status}"
                f" ({payment.status_reason or 'no reason given'}): there is nothing left to undo",
                code=f"payment_already_{payment.status}",
            )
        now = clock.now()
        originals = list(payment.allocations.filter(reverses__isnull=True).order_by("pk"))
        PaymentAllocation.objects.bulk_create(
            PaymentAllocation(
                payment=payment,
                account=account,
                component=row.component,
                amount=-row.amount,
                reverses=row,
                created_at=now,
            )
            for row in originals
        )
        undone = Allocation(parts={row.component: -row.amount for row in originals})
        changed = _components_move(account, undone)
        previous_status = payment.status
        payment.status = status
        payment.status_changed_at = now
        payment.status_reason = reason[:255]
        payment.save(update_fields=["status", "status_changed_at", "status_reason"])
        if account.status in (Account.Status.PAID, Account.Status.SETTLED) and account.balance > 0:
            account.status = _open_status(account.pk)
            changed.append("status")
        account.save(update_fields=[*changed, "updated_at"])
        _audit(
            f"payment_{status}",
            payment,
            {
                "account_id": account.pk,
                "reason": reason,
                "was": previous_status,
                "undone": {row.component: str(-row.amount) for row in originals},
                "account_status": account.status,
            },
            actor_id,
        )
        payment_consequences(account_id=account.pk, today=now.date(), actor_id=actor_id)
    return payment


def allocation_order_get(*, client_id: int) -> tuple[str, ...]:
    """The client's allocation order (ClientTerms), or fees, interest, principal without terms."""
    order = (
        ClientTerms.objects.filter(client_id=client_id)
        .values_list("allocation_order", flat=True)
        .first()
    )
    if not order:
        return DEFAULT_ORDER
    return allocation_order_validate(order)


def _not_future(paid_on: date, latest_today: date) -> date:
    if isinstance(paid_on, datetime) or not isinstance(paid_on, date):
        raise FieldError("paid_on", "give the date the money was paid (YYYY-MM-DD)")
    if paid_on > latest_today:
        raise FieldError(
            "paid_on", f"{paid_on.isoformat()} is in the future: post a payment once it is made"
        )
    return paid_on


def _choice(value: str, allowed: list[str], field: str) -> str:
    value = (value or "").strip().lower()
    if value not in allowed:
        raise FieldError(field, f"{value or 'nothing'!s} is not one of: {', '.join(allowed)}")
    return value


def _account_locked(account_id: int) -> Account:
    account = Account.objects.select_for_update().filter(pk=account_id).first()
    if account is None:
        raise NotFoundError(f"account {account_id} not found")
    return account


def _payment_locked(payment_id: int) -> tuple[Account, Payment]:
    """The account first, then the payment: the order payment_post locks in (no deadlock)."""
    account_id = Payment.objects.filter(pk=payment_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise NotFoundError(f"payment {payment_id} not found")
    account = _account_locked(account_id)
    return account, Payment.objects.select_for_update().get(pk=payment_id)


def _debtor_of(account: Account, debtor_id: int | None) -> int | None:
    links = AccountDebtor.objects.filter(account_id=account.pk)
    if debtor_id is None:
        return links.order_by("role", "pk").values_list("debtor_id", flat=True).first()
    if not links.filter(debtor_id=debtor_id).exists():
        raise FieldError("debtor_id", f"debtor {debtor_id} does not owe this account")
    return debtor_id


def _balances(account: Account) -> dict[str, Decimal]:
    return {component: getattr(account, component) for component in COMPONENTS}


def _components_move(account: Account, allocation: Allocation) -> list[str]:
    changed = []
    for component in COMPONENTS:
        part = allocation.parts.get(component, ZERO)
        if part:
            setattr(account, component, getattr(account, component) - part)
            changed.append(component)
    return changed


def _open_status(account_id: int) -> str:
    """Where a paid account goes back to when money is taken back: its plan or promise if one is
    open, else active (consequences may move it on from there)."""
    if PaymentPlan.objects.filter(account_id=account_id, status=PaymentPlan.Status.ACTIVE).exists():
        return Account.Status.PLAN
    if Promise.objects.filter(account_id=account_id, status=Promise.Status.PENDING).exists():
        return Account.Status.PROMISE
    return Account.Status.ACTIVE


def _first_with(account_id: int, key: str, gateway: str, gateway_payment_id: str) -> Payment | None:
    client_id = Account.objects.filter(pk=account_id).values_list("client_id", flat=True).first()
    if key and client_id is not None:
        first = Payment.objects.filter(client_id=client_id, idempotency_key=key).first()
        if first is not None:
            return first
    if gateway_payment_id:
        return Payment.objects.filter(
            gateway=gateway, gateway_payment_id=gateway_payment_id
        ).first()
    return None


def _replay(first: Payment, request: dict[str, Any]) -> PostOutcome:
    """The first payment for a retried key, or a refusal when the retry asks for something else."""
    stored = {name: getattr(first, name) for name in _IDEMPOTENT_FIELDS}
    asked = dict(request, currency=request["currency"] or first.currency)
    differing = [name for name in _IDEMPOTENT_FIELDS if stored[name] != asked[name]]
    if differing:
        raise ValidationError(
            f"idempotency_key: this key already posted payment {first.pk} with other "
            f"{', '.join(differing)}: use a new key for a new payment",
            code="idempotency_key_reused",
        )
    overpayment = (
        PaymentAllocation.objects.filter(
            payment=first, component=PaymentAllocation.Component.OVERPAYMENT, reverses__isnull=True
        )
        .values_list("amount", flat=True)
        .first()
    )
    return PostOutcome(payment=first, created=False, overpayment=overpayment or ZERO)


def payment_consequences(*, account_id: int, today: date, actor_id: int | None) -> None:
    """``consequences.payment_consequences``, imported when called: consequences reach the
    strategy's services, whose results import posts through this module (an import cycle)."""
    from solvent.payments.services import consequences

    consequences.payment_consequences(account_id=account_id, today=today, actor_id=actor_id)


def _audit(action: str, payment: Payment, data: dict[str, Any], actor_id: int | None) -> None:
    # Without a person, the entry point (a command, a webhook, a worker) names the system actor
    # through ``audit_system``.
    audit_record(
        action=f"payments.{action}",
        object_type="payments.Payment",
        object_id=payment.pk,
        data=data,
        actor_id=actor_id,
    )
