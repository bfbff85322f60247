"""Helpers the arrangements' services share: the audit entry, the debt and its debtor, dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Model

from solvent.arrangements.domain.errors import FieldError
from solvent.audit.services import audit_record
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.models import Account, AccountDebtor, Debtor

# The last time zone to start a day (UTC-12): a date is "in the past" only once it is over
# everywhere, so a debtor's today is never refused whatever their zone (ADR 0023).
_LAST_ZONE = timedelta(hours=12)


def audit(action: str, row: Model, data: dict[str, Any], actor_id: int | None) -> None:
    """An audit entry about ``row``, in the caller's transaction."""
    audit_record(
        action=f"arrangements.{action}",
        object_type=f"arrangements.{type(row).__name__}",
        object_id=row.pk,
        data=data,
        actor_id=actor_id,
    )


def account_and_debtor(
    account_id: int, debtor_id: int, *, lock: bool = False
) -> tuple[Account, Debtor]:
    """The account and one of its debtors; NotFoundError when the person does not owe it."""
    accounts = Account.objects.select_for_update() if lock else Account.objects
    account = accounts.filter(pk=account_id).first()
    link = (
        AccountDebtor.objects.select_related("debtor")
        .filter(account_id=account_id, debtor_id=debtor_id)
        .first()
    )
    if account is None or link is None:
        raise NotFoundError(f"debtor {debtor_id} does not owe account {account_id}")
    return account, link.debtor


def earliest_today(now: datetime) -> date:
    """Today where the day started last: an earlier date is past for every debtor."""
    return (now - _LAST_ZONE).date()


def not_past(value: date, field: str, now: datetime) -> date:
    if value < earliest_today(now):
        raise FieldError(field, f"{value.isoformat()} is in the past: choose today or a later date")
    return value


def money(value: Decimal | str, field: str) -> Decimal:
    """A positive amount in minor units (two places at most)."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise FieldError(field, f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0:
        raise FieldError(field, "enter an amount above zero")
    if amount != amount.quantize(Decimal("0.01")):
        raise FieldError(field, "enter the amount to the cent (two decimal places at most)")
    return amount.quantize(Decimal("0.01"))


def reason_required(reason: str, field: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise FieldError(field, "say why: the reason is empty", code="reason_required")
    return reason
