"""What lets an account screen panel refresh itself only when what it shows changed (issue 13).

A panel polls with the digest of what it drew; the view answers 204 (nothing to swap) while the
digest is the same, else the panel again. The digest is a hash of the few values a change would
touch, read with a handful of small indexed queries, so an open account screen costs little.
"""

from __future__ import annotations

import hashlib

from solvent.arrangements.models import (
    IncomeExpenditure,
    PaymentPlan,
    PlanInstalment,
    Promise,
    VulnerabilityFlag,
)
from solvent.portfolio.models import Account, AccountDebtor


def arrangements_digest(account: Account) -> str:
    """The arrangements panel's state: promises, plans and their instalments, the debtors' flags
    and statements, and the balance (a promise's form states it)."""
    debtor_ids = AccountDebtor.objects.filter(account_id=account.pk).values("debtor_id")
    parts: list[object] = [
        account.balance,
        list(
            Promise.objects.filter(account_id=account.pk)
            .order_by("pk")
            .values_list("pk", "status", "status_changed_at")
        ),
        list(
            PaymentPlan.objects.filter(account_id=account.pk)
            .order_by("pk")
            .values_list("pk", "status", "status_changed_at")
        ),
        list(
            PlanInstalment.objects.filter(plan__account_id=account.pk)
            .order_by("pk")
            .values_list("pk", "status")
        ),
        list(
            VulnerabilityFlag.objects.filter(debtor_id__in=debtor_ids)
            .order_by("pk")
            .values_list("pk", "ended_at")
        ),
        list(
            IncomeExpenditure.objects.filter(debtor_id__in=debtor_ids)
            .order_by("-pk")
            .values_list("pk", flat=True)[:1]
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
