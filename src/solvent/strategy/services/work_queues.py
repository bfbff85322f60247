"""Writes of the teams' work queues: add items (the daily plan), derive them from the records and
close them (the refresh), claim one for an agent, finish one.

The order is ``strategy.work_rules``'s; the sources and their keys are ``work_sources``'s; the
claim is the desk's (docs/adr/0025-work-queue-and-callbacks.md): the candidate row is locked with
SKIP LOCKED on PostgreSQL and the claim itself is a conditional UPDATE that one transaction wins.
docs/work-queues.md explains the whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.db.models import Q

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.access import access_account_by_id
from solvent.portfolio.models import Account
from solvent.strategy.models import WorkItem
from solvent.strategy.selectors.work_queues import work_items_claimable
from solvent.strategy.services import work_sources
from solvent.strategy.work_rules import (
    KINDS_CLOSED_BY_OUTCOME,
    WorkItemRequest,
    WorkKind,
    claim_expiry,
    source_prefix,
    work_priority,
)

_BATCH = 1000
# How many items a claim tries before it gives up on the work queues (each lost race costs one).
_CLAIM_TRIES = 20
_SYSTEM = "work queues"


def work_items_add(*, items: Sequence[WorkItemRequest]) -> int:
    """Add the plan's items; a key already added (open, done or cancelled) is left alone.

    A new item supersedes (cancels) the open items of the same account and kind whose key has the
    same prefix: today's plan replaces yesterday's unworked call. Returns how many were added.
    """
    now = clock.now()
    wanted = {item.source_key: item for item in items}
    accounts = dict(
        Account.objects.filter(pk__in={item.account_id for item in wanted.values()}).values_list(
            "pk", "client_id"
        )
    )
    missing = sorted({item.account_id for item in wanted.values()} - set(accounts))
    if missing:
        raise NotFoundError(f"accounts {missing[:10]} not found")
    added = 0
    with transaction.atomic():
        keys = list(wanted)
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            made = set(
                WorkItem.objects.filter(source_key__in=batch).values_list("source_key", flat=True)
            )
            new = [wanted[key] for key in batch if key not in made]
            _supersede(new, now)
            WorkItem.objects.bulk_create(
                [_from_request(item, accounts[item.account_id], now) for item in new],
                ignore_conflicts=True,
            )
            added += len(new)
        if added:
            audit_record(
                action="work_items.add",
                object_type="strategy.WorkItem",
                data={"added": added, "asked": len(items)},
                system=_SYSTEM,
            )
    return added


def _from_request(item: WorkItemRequest, client_id: int, now: datetime) -> WorkItem:
    return WorkItem(
        client_id=client_id,
        account_id=item.account_id,
        kind=item.kind.value,
        priority=work_priority(
            item.kind, opened_at=item.due_at, now=now, plan_priority=item.plan_priority
        ),
        due_at=item.due_at,
        reason=item.reason[:255],
        source_key=item.source_key,
        created_at=now,
    )


def _supersede(new: list[WorkItemRequest], now: datetime) -> None:
    groups: dict[tuple[WorkKind, str], set[int]] = defaultdict(set)
    for item in new:
        groups[(item.kind, source_prefix(item.source_key))].add(item.account_id)
    keys = [item.source_key for item in new]
    for (kind, prefix), account_ids in groups.items():
        WorkItem.objects.filter(
            status=WorkItem.Status.OPEN,
            kind=kind.value,
            account_id__in=account_ids,
            source_key__startswith=f"{prefix}:",
        ).exclude(source_key__in=keys).update(
            status=WorkItem.Status.CANCELLED, done_at=now, claimed_until=None
        )


@dataclass(frozen=True, slots=True)
class RefreshFigures:
    """What a refresh did: items made, finished (cause gone, outcome recorded), cancelled (the
    account left collection) and disputes moved in the order."""

    created: int
    done: int
    cancelled: int
    reordered: int

    @property
    def changed(self) -> int:
        return self.created + self.done + self.cancelled + self.reordered


def work_items_refresh(*, now: datetime) -> RefreshFigures:
    """Derive the items the records call for, close those whose cause has gone. Idempotent."""
    with transaction.atomic():
        new = (
            work_sources.promises_create(now=now)
            + work_sources.holds_create(now=now)
            + work_sources.flags_create(now=now)
        )
        for start in range(0, len(new), _BATCH):
            WorkItem.objects.bulk_create(new[start : start + _BATCH], ignore_conflicts=True)
        finished = work_sources.resolved_item_ids() + work_sources.outcome_item_ids()
        done = _close(finished, WorkItem.Status.DONE, now)
        left = list(
            WorkItem.objects.filter(status=WorkItem.Status.OPEN)
            .exclude(account__status=Account.Status.ACTIVE)
            .values_list("pk", flat=True)
        )
        cancelled = _close(left, WorkItem.Status.CANCELLED, now)
        reordered = _disputes_reorder(now)
        figures = RefreshFigures(len(new), done, cancelled, reordered)
        if figures.changed:  # a run that found nothing leaves no entry
            audit_record(
                action="work_items.refresh",
                object_type="strategy.WorkItem",
                data={
                    "created": figures.created,
                    "done": figures.done,
                    "cancelled": figures.cancelled,
                    "reordered": figures.reordered,
                },
                system=_SYSTEM,
            )
    return figures


def _close(ids: list[int], status: str, now: datetime) -> int:
    closed = 0
    unique = sorted(set(ids))
    for start in range(0, len(unique), _BATCH):
        closed += WorkItem.objects.filter(
            pk__in=unique[start : start + _BATCH], status=WorkItem.Status.OPEN
        ).update(status=status, done_at=now, claimed_until=None)
    return closed


def _disputes_reorder(now: datetime) -> int:
    """A dispute near the end of its verification clock moves up a band (the only kind whose
    place depends on the day)."""
    items = list(
        WorkItem.objects.filter(status=WorkItem.Status.OPEN, kind=WorkKind.DISPUTE.value).only(
            "pk", "priority", "due_at"
        )
    )
    moved = []
    for item in items:
        priority = work_priority(WorkKind.DISPUTE, opened_at=item.due_at, now=now)
        if priority != item.priority:
            item.priority = priority
            moved.append(item)
    WorkItem.objects.bulk_update(moved, ["priority"], batch_size=_BATCH)
    return len(moved)


# --- the claim ------------------------------------------------------------------------------


def work_item_claim_next(
    *, user: User | AnonymousUser, now: datetime, account_claim: Callable[[int], bool]
) -> WorkItem | None:
    """Give the agent the highest open item nobody holds and hold it for them (CLAIM_DURATION).

    ``account_claim`` is the desk's claim of the item's account (the general queue's entry), so an
    account is never worked by two agents from two queues; when it fails the item is let go and
    the next one is tried. Call inside a transaction (the desk's ``queue_next_claim``).
    """
    tried: list[int] = []
    for _ in range(_CLAIM_TRIES):
        rows = work_items_claimable(user=user, now=now).exclude(pk__in=tried)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        row = rows.values_list("pk", "account_id").first()
        if row is None:
            return None
        pk, account_id = row
        tried.append(pk)
        if not _claim(user, pk, now):
            continue
        if account_claim(account_id):
            return WorkItem.objects.get(pk=pk)
        WorkItem.objects.filter(pk=pk, claimed_by=user.pk).update(
            claimed_by=None, claimed_until=None
        )
    return None


def _claim(user: User | AnonymousUser, pk: int, now: datetime) -> bool:
    """The compare-and-set: the item is this agent's if it is open and nobody else holds it now."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=user.pk)
    won = WorkItem.objects.filter(Q(pk=pk, status=WorkItem.Status.OPEN) & free).update(
        claimed_by=user.pk, claimed_until=claim_expiry(now)
    )
    return won == 1


def work_items_release(*, user: User | AnonymousUser, now: datetime) -> list[int]:
    """The agent moves on: a held contact item whose account has an agent's outcome since it was
    made is done; every other held item goes back to the queue, and not to this agent again for
    ``SKIP_WINDOW``. Returns the ids finished."""
    held = list(
        WorkItem.objects.filter(
            claimed_by=user.pk, claimed_until__gt=now, status=WorkItem.Status.OPEN
        ).values_list("pk", "account_id", "created_at", "kind")
    )
    contact = [(pk, account, made) for pk, account, made, kind in held if kind in _OUTCOME_KINDS]
    done = work_sources.outcome_recorded(contact)
    _close(done, WorkItem.Status.DONE, now)
    WorkItem.objects.filter(pk__in=[row[0] for row in held if row[0] not in done]).update(
        claimed_until=now
    )
    return done


_OUTCOME_KINDS = frozenset(kind.value for kind in KINDS_CLOSED_BY_OUTCOME)


def work_item_open(
    *,
    user: User | AnonymousUser,
    account_id: int,
    item_id: int,
    account_claim: Callable[[int], bool] | None = None,
) -> WorkItem:
    """The agent opens an item from the list: it is theirs for CLAIM_DURATION, unless another
    agent holds it (ValidationError ``work_item_claimed``)."""
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    now = clock.now()
    with transaction.atomic():
        item = _open_item(account, item_id)
        if not _claim(user, item.pk, now) or (
            account_claim is not None and not account_claim(account.pk)
        ):
            raise ValidationError(
                "another agent is working on this account", code="work_item_claimed"
            )
        audit_record(
            action="work_item.claim",
            object_type="strategy.WorkItem",
            object_id=item.pk,
            data={"account_id": account.pk, "kind": item.kind},
            actor_id=user.pk,
        )
    item.refresh_from_db()
    return item


def work_item_done(*, user: User | AnonymousUser, account_id: int, item_id: int) -> WorkItem:
    """The agent says the item is worked ("Done"): it leaves the queue."""
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    now = clock.now()
    with transaction.atomic():
        item = _open_item(account, item_id, lock=True)
        item.status = WorkItem.Status.DONE
        item.done_at = now
        item.claimed_until = None
        item.save(update_fields=["status", "done_at", "claimed_until"])
        audit_record(
            action="work_item.done",
            object_type="strategy.WorkItem",
            object_id=item.pk,
            data={"account_id": account.pk, "kind": item.kind},
            actor_id=user.pk,
        )
    return item


def _open_item(account: Account, item_id: int, *, lock: bool = False) -> WorkItem:
    items = WorkItem.objects.select_for_update() if lock else WorkItem.objects
    item = items.filter(pk=item_id, account=account).first()
    if item is None:
        raise NotFoundError(f"work item {item_id} not found")
    if item.status != WorkItem.Status.OPEN:
        raise ValidationError(f"the item is already {item.status}", code="work_item_closed")
    return item
