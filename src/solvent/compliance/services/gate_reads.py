"""The gate's reads: the debtors' ledger locks and every row their decisions need, in a fixed number
of queries whatever the number of requests.

``gate.contact_attempts_authorize_many`` is the only caller. The reads are here so the gate itself
reads as what it does (check, lock, decide, write, audit); the lock order they set is the gate's:
ledger rows first (in debtor order), then, at the end of the gate, the audit chain head.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F

from solvent.compliance.domain import model
from solvent.compliance.engine_input import (
    LEDGER_WINDOW,
    DebtorRows,
    history_events,
    latest_notices,
)
from solvent.compliance.models import (
    Consent,
    ContactAttempt,
    DebtNotice,
    DebtorLedger,
    Hold,
    TimePreference,
)
from solvent.portfolio.models import Account, Address, Debtor, Email, Phone


def debtor_ledgers_lock(debtor_ids: list[int]) -> None:
    """Lock the debtors' ledger rows until the surrounding transaction ends (``debtor_ids``: existing
    debtors).

    Missing rows are created first; ``ignore_conflicts`` lets two first callers race safely (the
    loser's insert waits for the winner and then does nothing). The rows are locked in one statement
    in debtor order, so two callers with overlapping debtors wait for each other instead of
    deadlocking. On SQLite ``select_for_update`` is a no-op, but the settings open every transaction
    with BEGIN IMMEDIATE, a database-wide write lock.
    """
    DebtorLedger.objects.bulk_create(
        [DebtorLedger(debtor_id=pk) for pk in debtor_ids], ignore_conflicts=True
    )
    list(
        DebtorLedger.objects.select_for_update()
        .filter(pk__in=debtor_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def debtor_ledger_lock(*, debtor_id: int) -> None:
    """Lock one debtor's ledger row until the surrounding transaction ends (the debtor exists)."""
    debtor_ledgers_lock([debtor_id])


@dataclass
class GateReads:
    """Every row the gate's decisions read, grouped by debtor (one ``IN`` query per table)."""

    debtors: dict[int, Debtor]
    owed: dict[int, list[Account]]
    rows: dict[int, DebtorRows]
    ledger: dict[int, list[ContactAttempt]]
    # Reservations made by this call, per debtor: a later request about the same debtor sees them.
    reserved: dict[int, list[model.HistoryEvent]] = field(default_factory=dict)

    def history(self, debtor_id: int, at: datetime) -> tuple[model.HistoryEvent, ...]:
        """The debtor's ledger within LEDGER_WINDOW of ``at``, this call's reservations included.

        The stored rows come ordered by (at, pk); reservations made in this call have larger ids,
        so a stable sort by time keeps the order a fresh read would give.
        """
        low, high = at - LEDGER_WINDOW, at + LEDGER_WINDOW
        stored = history_events(a for a in self.ledger.get(debtor_id, []) if low <= a.at <= high)
        reserved = [e for e in self.reserved.get(debtor_id, []) if low <= e.at <= high]
        if not reserved:
            return stored
        return tuple(sorted((*stored, *reserved), key=lambda event: event.at))


def _grouped(rows: Iterable[Any], key: str) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def gate_reads_load(debtors: dict[int, Debtor], start: datetime, end: datetime) -> GateReads:
    """Everything about ``debtors`` (read under their ledger locks), the ledger within start..end.

    The debtors themselves are read by the caller before the lock (it needs to know which exist to
    create their ledger rows); nothing the lock protects lives on the debtor row.
    """
    debtor_ids = sorted(debtors)
    ids = {"debtor_id__in": debtor_ids}
    # One query for the debts and who owes them: a co-signed account comes once per debtor.
    accounts = Account.objects.filter(account_debtors__debtor_id__in=debtor_ids).annotate(
        owed_by=F("account_debtors__debtor_id")
    )
    owed: dict[int, list[Account]] = defaultdict(list)
    for account in accounts.order_by("pk", "owed_by"):
        owed[account.owed_by].append(account)
    account_ids = sorted({account.pk for debts in owed.values() for account in debts})
    notices = (
        latest_notices(
            DebtNotice.objects.filter(account_id__in=account_ids).values_list(
                "account_id", "kind", "sent_on"
            )
        )
        if account_ids
        else {}
    )
    addresses = _grouped(Address.objects.filter(**ids).order_by("pk"), "debtor_id")
    phones = _grouped(Phone.objects.filter(**ids).order_by("pk"), "debtor_id")
    emails = _grouped(Email.objects.filter(**ids).order_by("pk"), "debtor_id")
    holds = _grouped(
        Hold.objects.filter(**ids).order_by("pk").prefetch_related("accounts"), "debtor_id"
    )
    consents = _grouped(
        Consent.objects.filter(**ids).order_by("pk").prefetch_related("accounts"), "debtor_id"
    )
    preferences = _grouped(TimePreference.objects.filter(**ids).order_by("pk"), "debtor_id")
    ledger = _grouped(
        ContactAttempt.objects.filter(**ids, at__gte=start, at__lte=end)
        .exclude(status=ContactAttempt.Status.CANCELLED)
        .prefetch_related("accounts")
        .order_by("at", "pk"),
        "debtor_id",
    )
    rows = {
        pk: DebtorRows(
            addresses=addresses.get(pk, []),
            phones=phones.get(pk, []),
            emails=emails.get(pk, []),
            holds=holds.get(pk, []),
            consents=consents.get(pk, []),
            preferences=preferences.get(pk, []),
            notices=notices,  # keyed by account: each debtor looks up only its own
        )
        for pk in debtor_ids
    }
    return GateReads(debtors=debtors, owed=dict(owed), rows=rows, ledger=dict(ledger))
