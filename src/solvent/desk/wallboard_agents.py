"""The wallboard's agents: each one's state now and figures on the board's clients, and a drill-down.

An agent is shown on the board of a user who sees one of the clients the agent's teams serve; an
agent the user does not see is NotFoundError (the drill-down's 404), as any record of another client.
States (docs/wallboard.md, rules in ``desk.domain.wallboard.agent_state``) come from the day's
activity: a reserved call of theirs, their interactions and the decisions they asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Sum

from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.core.models import Role
from solvent.desk.domain.wallboard import ON_CALL_WITHIN, AgentRow, Figures, agent_state
from solvent.desk.presenters import place_name
from solvent.desk.wallboard_ledger import (
    LedgerLink,
    agency_today,
    apply_ledger,
    apply_promises,
    day_bounds,
    ledger_aggregates,
    ledger_links,
    promise_model,
    promises_made,
)
from solvent.desk.wallboard_scope import WallboardScope
from solvent.portfolio.models import Account, Phone

AGENT_INTERACTIONS_SHOWN = 200


# --- agents ---------------------------------------------------------------------------------


def _agents(scope: WallboardScope) -> QuerySet[User]:
    """Agents in the teams serving the board's clients."""
    return (
        User.objects.filter(
            staff_profile__role=Role.AGENT, teams__clients__in=list(scope.client_ids)
        )
        .distinct()
        .order_by("username", "pk")
    )


def agent_rows(
    *, scope: WallboardScope, now: datetime, live: bool, agent_id: int | None = None
) -> list[AgentRow]:
    """Each agent's state (live only) and figures on the board's clients, in three queries."""
    start, end = day_bounds(scope.day)
    agents = _agents(scope)
    if agent_id is not None:
        agents = agents.filter(pk=agent_id)
    interactions = Interaction.objects.filter(
        agent=OuterRef("pk"), occurred_at__gte=start, occurred_at__lt=end
    ).order_by("-occurred_at")
    decisions = DecisionLog.objects.filter(
        asked_by=OuterRef("pk"), decided_at__gte=start, decided_at__lt=end
    ).order_by("-decided_at")
    agents = agents.annotate(
        last_interaction_at=Subquery(interactions.values("occurred_at")[:1]),
        last_decision_at=Subquery(decisions.values("decided_at")[:1]),
        on_call=Exists(
            ContactAttempt.objects.filter(
                decision_log__asked_by=OuterRef("pk"),
                channel="call",
                status=ContactAttempt.Status.RESERVED,
                at__gte=max(start, now - ON_CALL_WITHIN),
                at__lte=now,
            )
        ),
    )
    listed = list(agents)
    figures = {agent.pk: Figures(key=str(agent.pk), label=agent.get_username()) for agent in listed}
    links = ledger_links(scope.client_ids, start, end).filter(
        contactattempt__decision_log__asked_by__in=list(figures)
    )
    by_agent = links.values("contactattempt__decision_log__asked_by").annotate(
        **ledger_aggregates()
    )
    for row in by_agent:
        apply_ledger(figures[row["contactattempt__decision_log__asked_by"]], row)
    model = promise_model()
    if model is not None:
        promises = promises_made(model, scope.client_ids, start, end).filter(
            created_by__in=list(figures)
        )
        rows = promises.values("created_by", "currency").annotate(
            count=Count("pk", distinct=True), amount=Sum("amount")
        )
        for row in rows:
            apply_promises(figures[row["created_by"]], [row])
    result = []
    for agent in listed:
        times = [t for t in (agent.last_interaction_at, agent.last_decision_at) if t is not None]
        last = max(times) if times else None
        state = None
        if live:
            state = agent_state(
                now=now,
                on_call=agent.on_call,
                last_interaction_at=agent.last_interaction_at,
                last_activity_at=last,
            )
        result.append(AgentRow(agent.pk, agent.get_username(), state, last, figures[agent.pk]))
    return result


@dataclass(frozen=True)
class AgentInteraction:
    interaction: Interaction
    accounts: list[tuple[int, str]]  # (id, number) of the accounts the user sees
    debtor_local_time: str  # when it happened where the debtor is ("" when no zone is known)


def _debtor_local(moment: datetime, zones: list[str]) -> str:
    """The moment in the zone of the phone the interaction used ("09:05 EDT, New York")."""
    if not zones:
        return ""
    try:
        local = moment.astimezone(ZoneInfo(zones[0]))
    except (KeyError, ValueError):
        return ""
    return f"{local:%H:%M %Z}, {place_name(zones[0])}"


def agent_get(*, scope: WallboardScope, agent_id: int, now: datetime | None = None) -> AgentRow:
    """One agent of the board's teams, or NotFoundError (also for another client's agent)."""
    now = now or clock.now()
    rows = agent_rows(scope=scope, now=now, live=scope.day == agency_today(now), agent_id=agent_id)
    if not rows:
        raise NotFoundError(f"agent {agent_id} not found")
    return rows[0]


def agent_interaction_list(*, scope: WallboardScope, agent_id: int) -> list[AgentInteraction]:
    """The agent's interactions of the day about the board's clients, newest first, with links."""
    start, end = day_bounds(scope.day)
    about_scope = LedgerLink._default_manager.filter(
        account__client_id__in=list(scope.client_ids)
    ).values("contactattempt_id")
    interactions = list(
        Interaction.objects.filter(
            agent_id=agent_id,
            occurred_at__gte=start,
            occurred_at__lt=end,
            compliance_attempt_id__in=about_scope,
        ).order_by("-occurred_at", "-pk")[:AGENT_INTERACTIONS_SHOWN]
    )
    named = {pk for interaction in interactions for pk in interaction.account_ids or []}
    visible = dict(
        Account.objects.filter(pk__in=named, client_id__in=list(scope.client_ids)).values_list(
            "pk", "account_number"
        )
    )
    phones = Phone.objects.filter(
        debtor_id__in={interaction.debtor_id for interaction in interactions},
        e164__in={interaction.contact_point for interaction in interactions},
    ).values_list("debtor_id", "e164", "time_zones")
    zones = {(debtor_id, e164): list(time_zones or []) for debtor_id, e164, time_zones in phones}
    return [
        AgentInteraction(
            interaction,
            [(pk, visible[pk]) for pk in interaction.account_ids or [] if pk in visible],
            _debtor_local(
                interaction.occurred_at,
                zones.get((interaction.debtor_id, interaction.contact_point), []),
            ),
        )
        for interaction in interactions
    ]
