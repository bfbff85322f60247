"""Settlements: offered within the client's authority, approved by a second person below it,
accepted by the debtor, settled by the payments that reach the amount in time (docs/payments.md,
"Settlements").

Below the floor a second person decides: ``settlement_approvals`` (maker-checker).

Each service is one transaction with an audit entry. The ledger's consequences call
``settlement_after_payment`` in the transaction that posted, cleared, returned or reversed a payment;
the daily run calls ``settlements_expire``. The debtor's page calls ``settlement_accept`` with no
actor.

The unpaid remainder: when the counted payments reach the settlement amount by the due date (plus
the client's grace days), the settlement is paid and the account "settled". Its balance components
are left as they are (no money came for the rest); the remainder the client forgoes is recorded as
written off in the audit entry. A return that takes the payments below the amount undoes it: the
settlement is accepted again and the account active.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.payments.domain.settlement import (
    CENT,
    SettlementError,
    settlement_last_day,
    settlement_quote,
)
from solvent.payments.models import Settlement
from solvent.payments.selectors_settlements import (
    LIVE_STATUSES,
    client_terms_get,
    settlement_authority,
    settlement_paid_total,
)
from solvent.payments.services.settlement_approvals import (
    SETTLEMENT_APPROVER_ROLES,
    settlement_approve,
    settlement_audit,
    settlement_decline,
)
from solvent.portfolio.models import Account, AccountDebtor

# The checker's services and who may use them are re-exported for callers who know this module.
__all__ = [
    "SETTLEMENT_APPROVER_ROLES",
    "settlement_accept",
    "settlement_after_payment",
    "settlement_approve",
    "settlement_cancel",
    "settlement_decline",
    "settlement_offer",
    "settlements_expire",
]

# An account in these states takes no new settlement.
_CLOSED_ACCOUNT_STATUSES = frozenset(
    {
        Account.Status.PAID,
        Account.Status.SETTLED,
        Account.Status.CLOSED,
        Account.Status.RECALLED,
        Account.Status.DISPUTED,
    }
)


def _amount(value: Decimal | str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise SettlementError(
            "amount", f"{value!r} is not an amount", code="amount_invalid"
        ) from None
    if not amount.is_finite():
        raise SettlementError("amount", f"{value!r} is not an amount", code="amount_invalid")
    return amount


def settlement_offer(
    *,
    account_id: int,
    debtor_id: int,
    amount: Decimal | str,
    due_on: date,
    actor_id: int | None,
) -> Settlement:
    """Offer to settle the account for ``amount`` paid by ``due_on``.

    Within the client's authority it is offered at once; below the floor (or with no floor for the
    account's stage) it waits for a supervisor's approval, the actor being its maker. Refused: a
    second live settlement on the account, an account paid, settled, closed, recalled or disputed,
    and whatever the settlement rule refuses (``domain/settlement.py``), naming the field.
    """
    value = _amount(amount)
    now = clock.now()
    today = clock.today()
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        owes = AccountDebtor.objects.filter(account_id=account_id, debtor_id=debtor_id).exists()
        if account is None or not owes:
            raise NotFoundError(f"debtor {debtor_id} does not owe account {account_id}")
        if account.status in _CLOSED_ACCOUNT_STATUSES:
            raise ValidationError(
                f"the account is {account.status}: it takes no settlement",
                code="account_not_open",
            )
        live = Settlement.objects.filter(account=account, status__in=LIVE_STATUSES).first()
        if live is not None:
            raise ValidationError(
                f"this account already has a settlement {live.get_status_display().lower()} "
                f"(settlement {live.pk}, {live.amount} {live.currency}): cancel or decline it first",
                code="settlement_live",
            )
        terms = client_terms_get(client_id=account.client_id)
        authority = settlement_authority(account=account, today=today)
        quote = settlement_quote(
            balance=account.balance,
            stage=authority.stage,
            floors=terms.settlement_floors,
            expiry_days=terms.settlement_expiry_days,
            amount=value,
            due_on=due_on,
            today=today,
        )
        status = (
            Settlement.Status.PENDING_APPROVAL
            if quote.needs_approval
            else Settlement.Status.OFFERED
        )
        settlement = Settlement.objects.create(
            account=account,
            debtor_id=debtor_id,
            amount=quote.amount,
            currency=account.currency,
            balance_at_offer=quote.balance,
            percent=quote.percent,
            stage=quote.stage,
            # The column holds a number: no floor at all is stored as 100 (every settlement is
            # below it), and ``needs_approval`` says approval was asked for.
            floor_percent=(quote.floor_percent or Decimal(100)).quantize(CENT),
            needs_approval=quote.needs_approval,
            status=status,
            due_on=quote.due_on,
            expires_on=quote.expires_on,
            requested_by_id=actor_id,
            requested_at=now,
            status_changed_at=now,
        )
        settlement_audit(
            "settlement_offered",
            settlement,
            {
                "debtor_id": debtor_id,
                "amount": str(quote.amount),
                "currency": account.currency,
                "balance": str(quote.balance),
                "percent": str(quote.percent),
                "stage": quote.stage,
                "floor_percent": None if quote.floor_percent is None else str(quote.floor_percent),
                "needs_approval": quote.needs_approval,
                "status": status,
                "due_on": quote.due_on.isoformat(),
                "expires_on": quote.expires_on.isoformat(),
            },
            actor_id,
        )
    return settlement


# --- the debtor's side ------------------------------------------------------------------------


def settlement_accept(
    *, settlement_id: int, debtor_id: int, actor_id: int | None = None
) -> Settlement:
    """The debtor agrees (on a call, or on their own page with no actor). Only an offered
    settlement that has not expired, and only by a debtor of the account."""
    today = clock.today()
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().filter(pk=settlement_id).first()
        if (
            settlement is None
            or not AccountDebtor.objects.filter(
                account_id=settlement.account_id, debtor_id=debtor_id
            ).exists()
        ):
            raise NotFoundError(f"settlement {settlement_id} not found")
        if settlement.status != Settlement.Status.OFFERED:
            raise ValidationError(
                f"this settlement is {settlement.get_status_display().lower()}: only an offered "
                "one can be accepted",
                code="settlement_not_offered",
            )
        account_status = (
            Account.objects.filter(pk=settlement.account_id)
            .values_list("status", flat=True)
            .first()
        )
        if account_status in _CLOSED_ACCOUNT_STATUSES:
            raise ValidationError(
                f"the account is {account_status} now: the offer no longer stands",
                code="account_not_open",
            )
        if today > settlement.expires_on or today > settlement.due_on:
            raise ValidationError(
                f"this offer expired on {min(settlement.expires_on, settlement.due_on)}: ask for "
                "a new one",
                code="settlement_expired",
            )
        now = clock.now()
        settlement.status = Settlement.Status.ACCEPTED
        settlement.accepted_at = now
        settlement.status_changed_at = now
        settlement.save(update_fields=["status", "accepted_at", "status_changed_at"])
        settlement_audit(
            "settlement_accepted",
            settlement,
            {"debtor_id": debtor_id, "channel": "desk" if actor_id else "portal"},
            actor_id,
        )
    return settlement


def settlement_cancel(*, settlement_id: int, reason: str, actor_id: int) -> Settlement:
    """Withdraw an offer not yet accepted (a mistake, the debtor will not take it)."""
    reason = reason.strip()
    if not reason:
        raise SettlementError("reason", "say why it is cancelled", code="reason_required")
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().filter(pk=settlement_id).first()
        if settlement is None:
            raise NotFoundError(f"settlement {settlement_id} not found")
        if settlement.status not in (
            Settlement.Status.OFFERED,
            Settlement.Status.PENDING_APPROVAL,
        ):
            raise ValidationError(
                f"this settlement is {settlement.get_status_display().lower()}: only an offer "
                "not yet accepted is cancelled",
                code="settlement_not_cancellable",
            )
        settlement.status = Settlement.Status.CANCELLED
        settlement.status_changed_at = clock.now()
        settlement.save(update_fields=["status", "status_changed_at"])
        settlement_audit("settlement_cancelled", settlement, {"reason": reason}, actor_id)
    return settlement


# --- payments and time ------------------------------------------------------------------------


def _counted(settlement: Settlement, grace_days: int) -> tuple[Decimal, date]:
    assert settlement.accepted_at is not None  # accepted or paid
    last_day = settlement_last_day(due_on=settlement.due_on, grace_days=grace_days)
    paid = settlement_paid_total(
        account_id=settlement.account_id,
        first_day=settlement.accepted_at.date(),
        last_day=last_day,
    )
    return paid, last_day


def settlement_after_payment(
    *, account_id: int, today: date, actor_id: int | None = None
) -> Settlement | None:
    """Re-judge the account's accepted (or paid) settlement from its payments; the ledger's
    consequences call this in the transaction that changed a payment.

    Payments pending or cleared, made from the day of acceptance to the due date plus the client's
    grace days, count. Reaching the amount: the settlement is paid and the account settled (the
    remainder written off in the audit entry, the balance components untouched). Falling below it
    again (a return, a reversal): the settlement is accepted again and the account active.
    """
    del today  # payments count by the day they were made, not by the day this runs
    judged = Settlement.objects.filter(
        account_id=account_id, status__in=(Settlement.Status.ACCEPTED, Settlement.Status.PAID)
    ).order_by("-accepted_at", "-pk")
    if not judged.exists():  # the common case: one query, no lock
        return None
    with transaction.atomic():
        # The account before the settlement: the order the ledger and the consequences lock in.
        account = Account.objects.select_for_update().get(pk=account_id)
        settlement = judged.select_for_update().first()
        if settlement is None:
            return None
        grace_days = client_terms_get(client_id=account.client_id).promise_grace_days
        paid, last_day = _counted(settlement, grace_days)
        reached = paid >= settlement.amount
        if reached and settlement.status == Settlement.Status.ACCEPTED:
            _settled(settlement, account, paid, last_day, actor_id)
        elif not reached and settlement.status == Settlement.Status.PAID:
            _reopened(settlement, account, paid, actor_id)
    return settlement


def _settled(
    settlement: Settlement, account: Account, paid: Decimal, last_day: date, actor_id: int | None
) -> None:
    now = clock.now()
    settlement.status = Settlement.Status.PAID
    settlement.status_changed_at = now
    settlement.save(update_fields=["status", "status_changed_at"])
    previous = account.status
    written_off = max(account.balance, Decimal(0))
    # Paid to zero is "paid", which the ledger already says; anything left is forgone: "settled".
    if written_off > 0:
        account.status = Account.Status.SETTLED
        account.save(update_fields=["status", "updated_at"])
    settlement_audit(
        "settlement_paid",
        settlement,
        {
            "paid": str(paid),
            "amount": str(settlement.amount),
            "currency": settlement.currency,
            "last_day": last_day.isoformat(),
            "account_status": {"from": previous, "to": account.status},
            "written_off": str(written_off),
            "written_off_components": {
                "principal": str(account.principal),
                "interest": str(account.interest),
                "fees": str(account.fees),
            },
        },
        actor_id,
    )


def _reopened(
    settlement: Settlement, account: Account, paid: Decimal, actor_id: int | None
) -> None:
    settlement.status = Settlement.Status.ACCEPTED
    settlement.status_changed_at = clock.now()
    settlement.save(update_fields=["status", "status_changed_at"])
    previous = account.status
    if account.status == Account.Status.SETTLED:
        account.status = Account.Status.ACTIVE
        account.save(update_fields=["status", "updated_at"])
    settlement_audit(
        "settlement_reopened",
        settlement,
        {
            "paid": str(paid),
            "amount": str(settlement.amount),
            "account_status": {"from": previous, "to": account.status},
        },
        actor_id,
    )


def settlements_expire(*, today: date, actor_id: int | None = None) -> int:
    """End what time has overtaken: an offer (or one waiting for approval) past its expiry or
    due date, an accepted settlement unpaid after its due date plus grace. Returns how many."""
    candidates = Settlement.objects.filter(
        status__in=LIVE_STATUSES, due_on__lt=today
    ) | Settlement.objects.filter(
        status__in=(Settlement.Status.OFFERED, Settlement.Status.PENDING_APPROVAL),
        expires_on__lt=today,
    )
    expired = 0
    for settlement_id in candidates.values_list("pk", flat=True).distinct().order_by("pk"):
        with transaction.atomic():
            if _expire_one(settlement_id, today, actor_id):
                expired += 1
    return expired


def _expire_one(settlement_id: int, today: date, actor_id: int | None) -> bool:
    account_id = Settlement.objects.filter(pk=settlement_id).values_list("account_id", flat=True)
    # The account first (as a payment's transaction locks it), then the settlement, re-read.
    Account.objects.select_for_update().filter(pk__in=account_id).first()
    settlement = Settlement.objects.select_for_update().filter(pk=settlement_id).first()
    if settlement is None or settlement.status not in LIVE_STATUSES:
        return False
    if settlement.status == Settlement.Status.ACCEPTED:
        grace_days = client_terms_get(client_id=settlement.account.client_id).promise_grace_days
        paid, last_day = _counted(settlement, grace_days)
        if today <= last_day:
            return False
        if paid >= settlement.amount:  # paid in time, not yet judged: settle it instead
            settlement_after_payment(account_id=settlement.account_id, today=today)
            return False
    settlement.status = Settlement.Status.EXPIRED
    settlement.status_changed_at = clock.now()
    settlement.save(update_fields=["status", "status_changed_at"])
    settlement_audit("settlement_expired", settlement, {"today": today.isoformat()}, actor_id)
    return True
