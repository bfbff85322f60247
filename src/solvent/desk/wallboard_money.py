"""The wallboard's figures from issue 13: payments taken on the day and debtors' chats waiting.

Aggregate queries over the client ids the board shows, like ``desk.wallboard_ledger``'s: one per
grouping (client, team, total) for payments, one for chats. A payment counts on the day it was
posted (``posted_at`` in the agency's day) while it stands: pending or cleared, not returned or
reversed. docs/wallboard.md and docs/chat.md say the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Model, QuerySet, Sum

from solvent.desk.domain.wallboard import Figures
from solvent.portal.chat import chat_waiting_counts

STANDING = ("pending", "cleared")


def payment_model() -> type[Model] | None:
    """The Payment model when the payments app is installed, else None (figures show 0)."""
    if not apps.is_installed("solvent.payments"):
        return None
    try:
        return apps.get_model("payments", "Payment")
    except LookupError:
        return None


def payments_taken(
    model: type[Model], client_ids: frozenset[int], start: datetime, end: datetime
) -> QuerySet[Any]:
    return model._default_manager.filter(
        client_id__in=list(client_ids),
        posted_at__gte=start,
        posted_at__lt=end,
        status__in=STANDING,
    )


def apply_payments(target: Figures, rows: Iterable[Mapping[str, Any]]) -> None:
    for row in rows:
        target.payments += row["count"]
        currency = row["currency"]
        target.payment_amounts[currency] = target.payment_amounts.get(currency, Decimal("0")) + (
            row["amount"] or Decimal("0")
        )


def apply_money(
    client_ids: frozenset[int],
    start: datetime,
    end: datetime,
    by_client: Mapping[int, Figures],
    by_team: Mapping[int, Figures],
    total: Figures,
) -> None:
    """Payments taken on the day, per client, per team and in total."""
    model = payment_model()
    if model is None:
        return
    payments = payments_taken(model, client_ids, start, end)
    amounts = {"count": Count("pk", distinct=True), "amount": Sum("amount")}
    for row in payments.values("client_id", "currency").annotate(**amounts):
        apply_payments(by_client[row["client_id"]], [row])
    team_rows = payments.filter(client__teams__in=list(by_team))
    for row in team_rows.values("client__teams", "currency").annotate(**amounts):
        apply_payments(by_team[row["client__teams"]], [row])
    apply_payments(total, payments.values("currency").annotate(**amounts))


def apply_chats(
    client_ids: frozenset[int],
    by_client: Mapping[int, Figures],
    by_team: Mapping[int, Figures],
    served: list[tuple[int, int]],
    total: Figures,
) -> None:
    """Chats waiting for an answer now; a team's are its clients' (an account has one client)."""
    counts = chat_waiting_counts(client_ids)
    for client_id, figures in by_client.items():
        figures.chats_waiting = counts.get(client_id, 0)
    for figures in by_team.values():
        figures.chats_waiting = 0
    for team_id, client_id in served:
        waiting = by_team[team_id].chats_waiting or 0
        by_team[team_id].chats_waiting = waiting + counts.get(client_id, 0)
    total.chats_waiting = sum(counts.values())
