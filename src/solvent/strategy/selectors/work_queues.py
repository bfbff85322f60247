"""Reads of the teams' work queues, tenant-scoped: a user sees the items of their teams' clients.

The tenant filter is on the item's copied client id (``access_client_ids``, the access module's own
answer, as the desk's queue does), so the ``work_item_queue`` index is walked per client. An item is
on a queue while it is open, due, on an active account, and (for contact work) on an account no
hold has taken out of contact. The order is ``strategy.work_rules``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from solvent.compliance.domain.holds import CONTACT_STOPPING_HOLD_KINDS
from solvent.compliance.models import Hold
from solvent.portfolio.access import access_client_ids
from solvent.portfolio.models import Account
from solvent.strategy.models import WorkItem
from solvent.strategy.work_rules import (
    KINDS_DESPITE_HOLDS,
    QUEUE_LABELS,
    QUEUE_ORDER,
    SKIP_WINDOW,
    WorkKind,
)

WORK_ORDER = (F("priority").desc(), F("due_at").asc(), F("id").asc())


def _blocking_hold() -> Exists:
    """An open hold that stops all contact about the item's account (person-wide or naming it)."""
    holds = Hold.objects.filter(
        released_at__isnull=True,
        kind__in=CONTACT_STOPPING_HOLD_KINDS,
        debtor__account_debtors__account_id=OuterRef("account_id"),
    ).filter(Q(accounts__isnull=True) | Q(accounts=OuterRef("account_id")))
    return Exists(holds)


def work_items_visible(*, user: User | AnonymousUser) -> QuerySet[WorkItem]:
    """Every item of the clients the user serves (any status): the one tenant filter."""
    client_ids = access_client_ids(user=user)
    if client_ids is None:
        return WorkItem.objects.all()
    return WorkItem.objects.filter(client_id__in=client_ids)


def work_items_queued(*, user: User | AnonymousUser, now: datetime) -> QuerySet[WorkItem]:
    """The items on the user's queues now, in the queue's order (claimed ones included)."""
    return (
        work_items_visible(user=user)
        .filter(status=WorkItem.Status.OPEN, due_at__lte=now, account__status=Account.Status.ACTIVE)
        .filter(Q(kind__in=KINDS_DESPITE_HOLDS) | ~_blocking_hold())
        .order_by(*WORK_ORDER)
    )


def work_items_claimable(*, user: User | AnonymousUser, now: datetime) -> QuerySet[WorkItem]:
    """What "next account" may give this user: queued, held by nobody, not one they just skipped."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    skipped = Q(claimed_by=user.pk, claimed_until__gt=now - SKIP_WINDOW)
    return work_items_queued(user=user, now=now).filter(free).exclude(skipped)


@dataclass(frozen=True, slots=True)
class QueueCount:
    """One queue's line on the page: its kind, its label and how many items wait."""

    kind: str
    label: str
    count: int


def work_queue_summary(*, user: User | AnonymousUser, now: datetime) -> list[QueueCount]:
    """How many items wait on each of the user's queues, in the queues' order (callbacks aside:
    they are the desk's, which puts its count first)."""
    counts = dict(
        work_items_queued(user=user, now=now)
        .order_by()
        .values_list("kind")
        .annotate(count=Count("id"))
        .values_list("kind", "count")
    )
    return [
        QueueCount(kind.value, QUEUE_LABELS[kind], counts.get(kind.value, 0))
        for kind in QUEUE_ORDER
        if kind is not WorkKind.CALLBACK
    ]


def work_queue_list(
    *, user: User | AnonymousUser, kind: str | None, now: datetime, limit: int = 50
) -> list[WorkItem]:
    """The first items of one queue (None: all the user's queues together), in order."""
    items = work_items_queued(user=user, now=now)
    if kind is not None:
        items = items.filter(kind=kind)
    return list(items.select_related("account", "claimed_by")[:limit])


def account_work_items(*, account: Account) -> QuerySet[WorkItem]:
    """An account's open items (the account was loaded through the access module by the caller)."""
    return WorkItem.objects.filter(account=account, status=WorkItem.Status.OPEN).order_by(
        *WORK_ORDER
    )
