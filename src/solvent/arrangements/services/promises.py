"""Promises to pay: made on a call, cancelled with a reason, judged kept or broken from payments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction

from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.status import DEFAULT_GRACE_DAYS, Payment, promise_status
from solvent.arrangements.models import Promise, ReminderChannel
from solvent.arrangements.services.common import (
    account_and_debtor,
    audit,
    money,
    not_past,
    reason_required,
)
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError


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
    return promise


def _promise_lock(promise_id: int) -> Promise:
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
    return promise


def promise_evaluate(
    *,
    promise_id: int,
    payments: Iterable[Payment],
    today: date,
    grace_days: int = DEFAULT_GRACE_DAYS,
    actor_id: int | None = None,
) -> Promise:
    """Set a pending promise's status from the payments known so far (the payments ledger calls
    this once it exists); a change is audited, a cancelled or settled promise is left alone."""
    with transaction.atomic():
        promise = _promise_lock(promise_id)
        if promise.status != Promise.Status.PENDING:
            return promise
        status = promise_status(
            amount=promise.amount,
            due_on=promise.due_on,
            payments=payments,
            today=today,
            grace_days=grace_days,
        )
        if status != promise.status:
            promise.status = status.value
            promise.status_changed_at = clock.now()
            promise.save(update_fields=["status", "status_changed_at"])
            audit(
                "promise_status_changed",
                promise,
                {"status": status.value, "today": today.isoformat(), "grace_days": grace_days},
                actor_id,
            )
    return promise
