"""The account's status follows its arrangements: "plan" while a plan is in force, "promise" while
a promise is pending, else "active" (``domain.status.account_status_follow``). A paid, settled,
disputed, legal, recalled or closed account is left alone: those are decided elsewhere (the
payments ledger sets "paid" at a zero balance and reopens it on a return, then this runs)."""

from __future__ import annotations

from solvent.arrangements.domain.status import account_status_follow
from solvent.arrangements.models import PaymentPlan, Promise
from solvent.audit.services import audit_record
from solvent.portfolio.models import Account


def account_status_sync(*, account_id: int, actor_id: int | None = None) -> str:
    """Set the account's status from its open arrangements (audited when it changes), in the
    caller's transaction; returns the status."""
    account = Account.objects.select_for_update().get(pk=account_id)
    status = account_status_follow(
        account.status,
        pending_promise=Promise.objects.filter(
            account_id=account_id, status=Promise.Status.PENDING
        ).exists(),
        active_plan=PaymentPlan.objects.filter(
            account_id=account_id, status=PaymentPlan.Status.ACTIVE
        ).exists(),
    )
    if status != account.status:
        before = account.status
        account.status = status
        account.save(update_fields=["status", "updated_at"])
        audit_record(
            action="arrangements.account_status_followed",
            object_type="portfolio.Account",
            object_id=account_id,
            data={"from": before, "to": status},
            actor_id=actor_id,
            system="" if actor_id else "arrangements: the account's status follows them",
        )
    return status
