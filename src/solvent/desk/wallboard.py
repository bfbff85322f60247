"""The supervisor wallboard's reads: the day's figures per client, per team and in total.

Every figure is an aggregate query (a fixed number of queries, whatever the day's history or the
number of clients, teams and agents) over the client ids the user may see, narrowed by the filters
(``desk.wallboard_scope``). The words and definitions are the glossary's; docs/wallboard.md says
which definition each figure uses and how it is counted. The queries are ``desk.wallboard_ledger``'s;
the agents ``desk.wallboard_agents``'; payments taken and chats waiting ``desk.wallboard_money``'s
(issue 13); the pure rules and values ``desk.domain.wallboard``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, Sum

from solvent.compliance.models import ContactAttempt, Hold
from solvent.core import clock
from solvent.desk.domain.wallboard import Figures, Wallboard
from solvent.desk.queue_rules import QUEUE_BLOCKING_HOLD_KINDS
from solvent.desk.wallboard_agents import agent_rows
from solvent.desk.wallboard_ledger import (
    LedgerLink,
    agency_today,
    apply_ledger,
    apply_promises,
    blocks_count,
    day_bounds,
    ledger_aggregates,
    ledger_links,
    promise_model,
    promises_made,
)
from solvent.desk.wallboard_money import apply_chats, apply_money, payment_model
from solvent.desk.wallboard_scope import WallboardScope
from solvent.portfolio.models import Account, AccountDebtor, Team

# --- the board ----------------------------------------------------------------------------------


def wallboard_get(*, scope: WallboardScope, now: datetime | None = None) -> Wallboard:
    """Every figure of the board: per client, per team, the total and the agents."""
    now = now or clock.now()
    live = scope.day == agency_today(now)
    start, end = day_bounds(scope.day)
    client_ids = scope.client_ids
    by_client = {
        c.pk: Figures(key=c.code, label=c.name) for c in scope.clients if c.pk in client_ids
    }
    candidates = [t for t in scope.teams if scope.team is None or t.pk == scope.team.pk]
    # (team, client) pairs of the board: a team is shown when it serves one of its clients.
    served = list(
        Team.clients.through._default_manager.filter(
            team_id__in=[t.pk for t in candidates], client_id__in=list(client_ids)
        ).values_list("team_id", "client_id")
    )
    shown_teams = [t for t in candidates if any(team_id == t.pk for team_id, _ in served)]
    teams = [Figures(key=str(t.pk), label=t.name) for t in shown_teams]
    by_team = dict(zip([t.pk for t in shown_teams], teams, strict=True))
    team_ids = list(by_team)
    total = Figures(key="total", label="Total")

    links = ledger_links(client_ids, start, end)
    aggregates = ledger_aggregates()
    for row in links.values("account__client_id").annotate(**aggregates):
        apply_ledger(by_client[row["account__client_id"]], row)
    team_links = links.filter(account__client__teams__in=team_ids)
    for row in team_links.values("account__client__teams").annotate(**aggregates):
        apply_ledger(by_team[row["account__client__teams"]], row)
    apply_ledger(total, links.aggregate(**aggregates))

    groups: tuple[tuple[str, Mapping[Any, Figures]], ...] = (
        ("client", by_client),
        ("team", by_team),
        ("total", {None: total}),
    )
    for by, targets in groups:
        for by_rule in (False, True):
            rows = blocks_count(client_ids, start, end, by=by, team_ids=team_ids, by_rule=by_rule)
            for group, rule, refused, proposed in rows:
                if by_rule:
                    if refused:
                        targets[group].blocks[rule] = refused
                else:
                    targets[group].refused = refused
                    targets[group].proposed = proposed

    model = promise_model()
    if model is not None:
        promises = promises_made(model, client_ids, start, end)
        amounts = {"count": Count("pk", distinct=True), "amount": Sum("amount")}
        for row in promises.values("account__client_id", "currency").annotate(**amounts):
            apply_promises(by_client[row["account__client_id"]], [row])
        team_rows = promises.filter(account__client__teams__in=team_ids)
        for row in team_rows.values("account__client__teams", "currency").annotate(**amounts):
            apply_promises(by_team[row["account__client__teams"]], [row])
        apply_promises(total, promises.values("currency").annotate(**amounts))

    apply_money(client_ids, start, end, by_client, by_team, total)
    if live:
        _apply_queue(client_ids, start, by_client, by_team, served, total)
        apply_chats(client_ids, by_client, by_team, served, total)

    return Wallboard(
        day=scope.day,
        live=live,
        now=now,
        clients=list(by_client.values()),
        teams=teams,
        total=total,
        agents=agent_rows(scope=scope, now=now, live=live),
        dialer_installed=apps.is_installed("solvent.dialer"),
        promises_installed=model is not None,
        payments_installed=payment_model() is not None,
    )


def _apply_queue(
    client_ids: frozenset[int],
    start: datetime,
    by_client: dict[int, Figures],
    by_team: dict[int, Figures],
    served: list[tuple[int, int]],
    total: Figures,
) -> None:
    """Accounts the work queue could offer and nobody touched today, per client, team and total.

    Active, no ledger row about them since the day began, and no open hold that stops every
    collection contact (the work queue's rule, ADR 0025: person-wide or naming the account).
    Counted as the active accounts less those touched or held, found from the day's ledger and the
    open holds (small sets), so the portfolio is read once, by an index, not once per account. An
    account has one client, so a team's queue is the sum of its clients'.
    """
    active = Account.objects.filter(client_id__in=list(client_ids), status=Account.Status.ACTIVE)
    touched = LedgerLink._default_manager.filter(contactattempt__at__gte=start).exclude(
        contactattempt__status=ContactAttempt.Status.CANCELLED
    )
    blocking = {"released_at__isnull": True, "kind__in": QUEUE_BLOCKING_HOLD_KINDS}
    named = Hold.accounts.through._default_manager.filter(
        **{f"hold__{name}": value for name, value in blocking.items()}
    )
    person_wide = AccountDebtor.objects.filter(
        **{f"debtor__holds__{name}": value for name, value in blocking.items()},
        debtor__holds__accounts__isnull=True,
    )
    out = active.filter(
        Q(pk__in=touched.values("account_id"))
        | Q(pk__in=named.values("account_id"))
        | Q(pk__in=person_wide.values("account_id"))
    )
    counts = dict(active.values("client_id").annotate(n=Count("pk")).values_list("client_id", "n"))
    for client_id, n in (
        out.values("client_id").annotate(n=Count("pk")).values_list("client_id", "n")
    ):
        counts[client_id] -= n
    for client_id, figures in by_client.items():
        figures.queue = counts.get(client_id, 0)
    for figures in by_team.values():
        figures.queue = 0
    for team_id, client_id in served:
        by_team[team_id].queue = (by_team[team_id].queue or 0) + counts.get(client_id, 0)
    total.queue = sum(counts.values())
