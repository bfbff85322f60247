"""Recalling accounts: the one place an account becomes `recalled`, whatever asked for it.

A recalled account keeps its history but is no longer collected: its status is `recalled`, which
the compliance gate refuses for every contact (the dialer and the outbox sender ask the gate again
just before they dial or send), the strategy stops planning it, the debtor's page stops showing
it, and the desk says who recalled it, when and by which placement (docs/adr/0037-recalls.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from solvent.arrangements.selectors import open_arrangements
from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.portfolio.models import Account, Client, Placement

# Accounts still being worked: a recall takes these back. Paid, settled and closed accounts are
# finished (their status is the outcome the client is reported), and recalled ones already are.
RECALLABLE = (
    Account.Status.ACTIVE,
    Account.Status.PROMISE,
    Account.Status.PLAN,
    Account.Status.DISPUTED,
    Account.Status.LEGAL,
)
# Recalled regardless (the debt is the client's), but the client and the floor are told.
_IN_FLIGHT_STATUS = {
    Account.Status.PROMISE: "a promise to pay",
    Account.Status.PLAN: "a payment plan",
    Account.Status.DISPUTED: "an open dispute",
    Account.Status.LEGAL: "legal action",
}
# Accounts recalled per transaction (and per audit entry).
CHUNK = 500
# How many in-flight accounts the placement's warnings name one by one (the audit has them all).
WARNINGS_NAMED = 50


@dataclass(frozen=True, slots=True)
class RecallOutcome:
    recalled: int
    # account number -> what was in flight on it when it was recalled
    in_flight: dict[str, str]


def accounts_recall(
    *,
    client: Client,
    account_ids: list[int],
    placement: Placement | None,
    reason: str,
    actor_id: int | None,
) -> int:
    """Recall the client's open accounts among `account_ids`; returns how many were recalled.

    Accounts already recalled, paid, settled or closed (or another client's) are left as they are,
    so recalling twice changes nothing. Audited per batch of accounts (`account.recalled`, with
    the placement, the reason and what was in flight); the placement counts them
    (`accounts_recalled`) and its warnings name the accounts recalled with work in flight.
    """
    outcome = accounts_recall_outcome(
        client=client,
        account_ids=account_ids,
        placement=placement,
        reason=reason,
        actor_id=actor_id,
    )
    return outcome.recalled


def accounts_recall_outcome(
    *,
    client: Client,
    account_ids: Iterable[int],
    placement: Placement | None,
    reason: str,
    actor_id: int | None,
) -> RecallOutcome:
    """`accounts_recall`, also returning what was in flight on each account it recalled."""
    now = clock.now()
    wanted = sorted(set(account_ids))
    recalled = 0
    in_flight: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        # The rows are locked, so a promise or a payment being written now either lands before
        # the recall (and is reported in flight) or waits and finds the account recalled.
        with transaction.atomic():
            rows = list(
                Account.objects.select_for_update()
                .filter(client=client, pk__in=chunk, status__in=RECALLABLE)
                .order_by("pk")
                .values_list("pk", "account_number", "status")
            )
            if not rows:
                continue
            ids = [pk for pk, _, _ in rows]
            flights = _in_flight(rows)
            Account.objects.filter(pk__in=ids).update(
                status=Account.Status.RECALLED,
                recalled_at=now,
                recall_placement=placement,
                updated_at=now,
            )
            if placement is not None:
                counted: dict[str, Any] = {"accounts_recalled": F("accounts_recalled") + len(ids)}
                if placement.status == Placement.Status.RUNNING:
                    # A long recall inside the import's run is work too: the run stays alive.
                    counted["heartbeat_at"] = clock.now()
                Placement.objects.filter(pk=placement.pk).update(**counted)
            audit_record(
                action="account.recalled",
                system="recall by the client (a recall file or a full refresh)",
                object_type="placement" if placement is not None else "client",
                object_id=placement.pk if placement is not None else client.pk,
                data={
                    "client": client.code,
                    "placement": placement.pk if placement is not None else None,
                    "reason": reason,
                    "accounts": ids,
                    "account_numbers": [number for _, number, _ in rows],
                    "in_flight": flights,
                },
                actor_id=actor_id,
            )
        recalled += len(ids)
        in_flight.update(flights)
    if placement is not None:
        if in_flight:
            placement_warnings_add(placement, [_in_flight_line(in_flight)])
        placement.refresh_from_db(fields=["accounts_recalled"])
    return RecallOutcome(recalled, in_flight)


def placement_warnings_add(placement: Placement, lines: list[str]) -> None:
    """Append lines to the placement's warnings (kept by the run's finish, which re-reads it)."""
    with transaction.atomic():
        current = Placement.objects.select_for_update().get(pk=placement.pk)
        text = "\n".join(line for line in (current.warnings, *lines) if line)
        Placement.objects.filter(pk=placement.pk).update(warnings=text)
    placement.warnings = text


def _in_flight(rows: Sequence[tuple[int, str, str]]) -> dict[str, str]:
    """What is going on on each account about to be recalled: an arrangement, a dispute, a suit."""
    numbers = {pk: number for pk, number, _ in rows}
    found: dict[str, list[str]] = {}
    arrangements = open_arrangements(numbers)
    for promise in arrangements.promises:
        found.setdefault(numbers[promise.account_id], []).append(
            f"pending promise of {promise.amount} {promise.currency} due {promise.due_on}"
        )
    for plan in arrangements.plans:
        found.setdefault(numbers[plan.account_id], []).append(
            f"{plan.status} payment plan of {plan.instalment_amount} {plan.currency} "
            f"{plan.frequency}"
        )
    for _, number, status in rows:
        # The status alone says "promise" or "plan"; the arrangement found above says which.
        if status in _IN_FLIGHT_STATUS and (
            number not in found or status not in (Account.Status.PROMISE, Account.Status.PLAN)
        ):
            found.setdefault(number, []).append(_IN_FLIGHT_STATUS[Account.Status(status)])
    return {number: "; ".join(notes) for number, notes in sorted(found.items())}


def _in_flight_line(in_flight: dict[str, str]) -> str:
    named = ", ".join(
        f"{number} ({what})" for number, what in list(in_flight.items())[:WARNINGS_NAMED]
    )
    more = len(in_flight) - WARNINGS_NAMED
    return (
        f"recalled with work in flight on {len(in_flight):,} accounts (tell the client and the "
        f"floor): {named}" + (f", and {more:,} more (in the audit log)" if more > 0 else "")
    )
