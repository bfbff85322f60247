"""Promises to pay: made on a call or on the debtor's page, cancelled with a reason, judged kept,
partly kept or broken from payments (again whenever the payments change: a returned payment reopens
a kept promise). The account's status follows (``account_status``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction

from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.status import DEFAULT_GRACE_DAYS, Payment, promise_status
from solvent.arrangements.models import Promise, ReminderChannel
from solvent.arrangements.services.account_status import account_status_sync
from solvent.arrangements.services.common import (
    account_and_debtor,
    audit,
    money,
    not_past,
    reason_required,
)
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Account


def promise_create(
    *,
    account_id: int,
    debtor_id: int,
    amount: Decimal | str,
    due_on: date,
    reminder_channel: str = ReminderChannel.NONE,
    interaction_id: int | None = None,
    actor_id: int | None = None,
) -> Promise:
    """Record the debtor's promise. Refused naming the field: an amount not above zero or above the
    balance, a date already past, a reminder channel we do not send."""
    now = clock.now()
    value = money(amount, "amount")
    due_on = not_past(due_on, "due_on", now)
    if reminder_channel not in ReminderChannel.values:
        raise FieldError("reminder_channel", "remind by text message, e-mail or not at all")
    with transaction.atomic():
        account, debtor = account_and_debtor(account_id, debtor_id, lock=True)
        if value > account.balance:
            raise FieldError(
                "amount",
                f"{value} {account.currency} is more than the balance "
                f"({account.balance} {account.currency})",
            )
        promise = Promise.objects.create(
            account=account,
            debtor=debtor,
            amount=value,
            currency=account.currency,
            due_on=due_on,
            reminder_channel=reminder_channel,
            created_by_id=actor_id,
            created_at=now,
            interaction_id=interaction_id,
        )
        audit(
            "promise_created",
            promise,
            {
                "account_id": account.pk,
                "debtor_id": debtor.pk,
                "amount": str(value),
                "currency": account.currency,
                "due_on": due_on.isoformat(),
                "reminder_channel": reminder_channel,
            },
            actor_id,
        )
        account_status_sync(account_id=account.pk, actor_id=actor_id)
    return promise


def _promise_lock(promise_id: int) -> Promise:
    """The promise, locked after its account (the order the payments ledger locks in)."""
    account_id = Promise.objects.filter(pk=promise_id).values_list("account_id", flat=True).first()
    if account_id is not None:
        Account.objects.select_for_update().filter(pk=account_id).values_list("pk").first()
    promise = Promise.objects.select_for_update().filter(pk=promise_id).first()
    if promise is None:
        raise NotFoundError(f"promise {promise_id} not found")
    return promise


def promise_cancel(*, promise_id: int, reason: str, actor_id: int | None = None) -> Promise:
    """Withdraw a pending promise (the debtor changed their mind, a plan replaces it)."""
    reason = reason_required(reason)
    with transaction.atomic():
        promise = _promise_lock(promise_id)
        if promise.status != Promise.Status.PENDING:
            raise ValidationError(
                f"this promise is {promise.status}: only a pending promise is cancelled",
                code="promise_not_pending",
            )
        promise.status = Promise.Status.CANCELLED
        promise.cancel_reason = reason
        promise.status_changed_at = clock.now()
        promise.save(update_fields=["status", "cancel_reason", "status_changed_at"])
        audit("promise_cancelled", promise, {"reason": reason}, actor_id)
        account_status_sync(account_id=promise.account_id, actor_id=actor_id)
    return promise


def promise_evaluate(
    *,
    promise_id: int,
    payments: Iterable[Payment],
    today: date,
    grace_days: int = DEFAULT_GRACE_DAYS,
    actor_id: int | None = None,
) -> Promise:
    """Set a promise's status from the payments that count for it (``domain.status``): pending,
    kept, partly kept or broken, whatever it was before (a payment posted late but dated in time
    keeps a promise judged broken; a returned one reopens a kept one). A change is audited; a
    cancelled promise is left alone. The account's status follows a change."""
    with transaction.atomic():
        promise = _promise_lock(promise_id)
        if promise.status == Promise.Status.CANCELLED:
            return promise
        status = promise_status(
            amount=promise.amount,
            due_on=promise.due_on,
            payments=payments,
            today=today,
            grace_days=grace_days,
        )
        if status != promise.status:
            before = promise.status
            promise.status = status.value
            promise.status_changed_at = clock.now()
            promise.save(update_fields=["status", "status_changed_at"])
            audit(
                "promise_status_changed",
                promise,
                {
                    "from": before,
                    "status": status.value,
                    "today": today.isoformat(),
                    "grace_days": grace_days,
                },
                actor_id,
            )
            account_status_sync(account_id=promise.account_id, actor_id=actor_id)
    return promise
