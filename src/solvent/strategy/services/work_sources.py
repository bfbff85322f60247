"""Where work items come from, read off the records, and when their cause has gone.

- a broken promise (``arrangements.Promise`` broken) -> ``broken_promise``, key ``promise:<id>``;
- an open dispute hold -> ``dispute``, key ``hold:<hold>:<account>`` for each account it names (a
  hold naming none is the person's: each of the debtor's accounts);
- an active vulnerability flag -> ``hardship`` on the flag's account, key ``vulnerability:<id>``;
  an open hardship hold not made by a flag (the flag's pause is the flag's item) -> ``hardship``;
- an open hold the client's file opened (``compliance.services.flag_holds``: cease, attorney,
  bankruptcy, deceased) -> ``review``: someone confirms it and tells the client.

Only active accounts get an item. A key is added once, ever (``source_key`` is unique): an item
done while its cause stays is not made again. Each ``*_create`` returns the new items; each
``*_closed`` the ids of open items whose cause has gone. The service writes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from solvent.arrangements.models import Promise, VulnerabilityFlag
from solvent.compliance.models import Hold
from solvent.compliance.services.flag_holds import PLACEMENT_SOURCE
from solvent.contact.models import Interaction
from solvent.portfolio.models import Account, AccountDebtor
from solvent.strategy.models import WorkItem
from solvent.strategy.work_rules import (
    DISPUTE_VERIFICATION_DAYS,
    KINDS_CLOSED_BY_OUTCOME,
    WorkKind,
    flag_source_key,
    hold_source_key,
    promise_source_key,
    source_ids,
    work_priority,
)

_BATCH = 1000


def _item(
    *,
    account: int,
    client: int,
    kind: WorkKind,
    key: str,
    opened_at: datetime,
    now: datetime,
    reason: str,
    amount: Decimal | None = None,
) -> WorkItem:
    return WorkItem(
        client_id=client,
        account_id=account,
        kind=kind.value,
        priority=work_priority(kind, opened_at=opened_at, now=now, amount=amount),
        due_at=opened_at,
        reason=reason[:255],
        source_key=key,
        created_at=now,
    )


def promises_create(*, now: datetime) -> list[WorkItem]:
    """A broken promise on an active account without its item yet (the key's unique index)."""
    made = WorkItem.objects.filter(
        source_key=Concat(Value("promise:"), Cast(OuterRef("pk"), CharField()))
    )
    promises = (
        Promise.objects.filter(status=Promise.Status.BROKEN, account__status=Account.Status.ACTIVE)
        .exclude(Exists(made))
        .values_list(
            "pk",
            "account_id",
            "account__client_id",
            "amount",
            "currency",
            "due_on",
            "status_changed_at",
            "created_at",
        )
    )
    return [
        _item(
            account=account,
            client=client,
            kind=WorkKind.BROKEN_PROMISE,
            key=promise_source_key(pk),
            opened_at=changed or created,
            now=now,
            reason=f"promised {amount} {currency} by {due_on:%d %b %Y}: not paid",
            amount=amount,
        )
        for pk, account, client, amount, currency, due_on, changed, created in promises.iterator()
    ]


def _hold_kind(hold: Hold, flag_holds: set[int]) -> WorkKind | None:
    if hold.kind == Hold.Kind.DISPUTE:
        return WorkKind.DISPUTE
    if hold.kind == Hold.Kind.HARDSHIP:
        return None if hold.pk in flag_holds else WorkKind.HARDSHIP
    if hold.source == PLACEMENT_SOURCE:
        return WorkKind.REVIEW
    return None


def _hold_reason(hold: Hold, kind: WorkKind) -> str:
    placed = hold.placed_at
    if kind is WorkKind.DISPUTE:
        return (
            f"disputed on {placed:%d %b %Y}: verification within {DISPUTE_VERIFICATION_DAYS} days"
        )
    if kind is WorkKind.HARDSHIP:
        return f"hardship pause since {placed:%d %b %Y}"
    return f"the client's file says {hold.kind}: confirm it and tell the client"


def _open_holds() -> Iterator[list[Hold]]:
    holds = Hold.objects.filter(released_at__isnull=True).filter(
        kind__in=(Hold.Kind.DISPUTE, Hold.Kind.HARDSHIP)
    ) | Hold.objects.filter(released_at__isnull=True, source=PLACEMENT_SOURCE)
    ids = list(holds.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), _BATCH):
        yield list(
            Hold.objects.filter(pk__in=ids[start : start + _BATCH]).prefetch_related("accounts")
        )


def holds_create(*, now: datetime) -> list[WorkItem]:
    """An item per open dispute, hardship or placement hold and each active account it covers."""
    flag_holds = set(
        VulnerabilityFlag.objects.filter(hold__isnull=False).values_list("hold_id", flat=True)
    )
    created: list[WorkItem] = []
    for holds in _open_holds():
        debtor_accounts: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for debtor, account, client in AccountDebtor.objects.filter(
            debtor_id__in={hold.debtor_id for hold in holds},
            account__status=Account.Status.ACTIVE,
        ).values_list("debtor_id", "account_id", "account__client_id"):
            debtor_accounts[debtor].append((account, client))
        wanted: dict[str, WorkItem] = {}
        for hold in holds:
            kind = _hold_kind(hold, flag_holds)
            if kind is None:
                continue
            named = {account.pk for account in hold.accounts.all()}
            for account, client in debtor_accounts[hold.debtor_id]:
                if named and account not in named:
                    continue
                key = hold_source_key(hold.pk, account)
                wanted[key] = _item(
                    account=account,
                    client=client,
                    kind=kind,
                    key=key,
                    opened_at=hold.placed_at,
                    now=now,
                    reason=_hold_reason(hold, kind),
                )
        made = set(
            WorkItem.objects.filter(source_key__in=list(wanted)).values_list(
                "source_key", flat=True
            )
        )
        created += [item for key, item in wanted.items() if key not in made]
    return created


def flags_create(*, now: datetime) -> list[WorkItem]:
    """A hardship item on the account each active vulnerability flag was told about."""
    made = WorkItem.objects.filter(
        source_key=Concat(Value("vulnerability:"), Cast(OuterRef("pk"), CharField()))
    )
    flags = (
        VulnerabilityFlag.objects.filter(active=True, account__status=Account.Status.ACTIVE)
        .exclude(Exists(made))
        .values_list("pk", "account_id", "account__client_id", "kind", "treatment", "recorded_at")
    )
    return [
        _item(
            account=account,
            client=client,
            kind=WorkKind.HARDSHIP,
            key=flag_source_key(pk),
            opened_at=recorded_at,
            now=now,
            reason=f"vulnerability ({kind.replace('_', ' ')}): {treatment.replace('_', ' ')}",
        )
        for pk, account, client, kind, treatment, recorded_at in flags.iterator()
    ]


def _open_items(prefix: str) -> list[tuple[int, tuple[int, ...]]]:
    rows = WorkItem.objects.filter(
        status=WorkItem.Status.OPEN, source_key__startswith=f"{prefix}:"
    ).values_list("pk", "source_key")
    return [(pk, source_ids(key)) for pk, key in rows]


def resolved_item_ids() -> list[int]:
    """Open items whose cause has gone: the promise is no longer broken (kept, cancelled), the
    hold was released, the flag ended."""
    gone: list[int] = []
    for prefix, still in (
        ("promise", Promise.objects.filter(status=Promise.Status.BROKEN)),
        ("hold", Hold.objects.filter(released_at__isnull=True)),
        ("vulnerability", VulnerabilityFlag.objects.filter(active=True)),
    ):
        items = _open_items(prefix)
        for start in range(0, len(items), _BATCH):
            batch = items[start : start + _BATCH]
            causes = {ids[0] for _pk, ids in batch if ids}
            alive = set(still.filter(pk__in=causes).values_list("pk", flat=True))
            gone += [pk for pk, ids in batch if not ids or ids[0] not in alive]
    return gone


def outcome_item_ids() -> list[int]:
    """Open contact items (a broken promise, a planned call) on whose account an agent recorded an
    outcome after the item was made: the call was made."""
    items = list(
        WorkItem.objects.filter(
            status=WorkItem.Status.OPEN, kind__in=KINDS_CLOSED_BY_OUTCOME
        ).values_list("pk", "account_id", "created_at")
    )
    done: list[int] = []
    for start in range(0, len(items), _BATCH):
        batch = items[start : start + _BATCH]
        done += outcome_recorded(batch)
    return done


def outcome_recorded(items: list[tuple[int, int, datetime]]) -> list[int]:
    """Of (item, account, since) the items whose account has an agent's interaction since then."""
    if not items:
        return []
    latest: dict[int, datetime] = {}
    for account_ids, occurred_at in Interaction.objects.filter(
        agent__isnull=False,
        occurred_at__gte=min(since for _pk, _account, since in items),
        debtor__account_debtors__account_id__in={account for _pk, account, _since in items},
    ).values_list("account_ids", "occurred_at"):
        for account in account_ids or []:
            if account not in latest or latest[account] < occurred_at:
                latest[account] = occurred_at
    return [pk for pk, account, since in items if account in latest and latest[account] >= since]
