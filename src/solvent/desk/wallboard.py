"""The supervisor wallboard's reads: today's figures per client, per team and in total, and agents.

Every figure is an aggregate query (a fixed number of queries, whatever the day's history or the
number of clients, teams and agents) over the client ids the user may see
(``portfolio.access.access_client_queryset``). The words and definitions are the glossary's
(docs/wallboard.md says which definition each figure uses and how it is counted):

- the contact-attempt ledger (``compliance.ContactAttempt``) is the one source of attempts,
  contacts, right-party contacts and messages; its ``accounts`` say which client a row is about,
  so a row about no account in particular is in no client's figures;
- a refused contact is a ``compliance.DecisionLog`` with ``allowed`` false: a block, never an
  attempt (the gate reserves no ledger row for it);
- promises come from ``arrangements.Promise`` when that app is installed, else they are 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet, Subquery, Sum

from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.core.models import Role
from solvent.portfolio.access import access_client_queryset
from solvent.portfolio.models import Account, Client, Team

# Ledger outcomes of an attempt that reached a person (any party) and the right party.
REACHED_OUTCOMES = frozenset(
    {
        ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION,
        ContactAttempt.Outcome.THIRD_PARTY_CONVERSATION,
        ContactAttempt.Outcome.WRONG_NUMBER,
    }
)
RIGHT_PARTY_OUTCOMES = frozenset({ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION})
# A message the provider accepted (what happened to it afterwards is a later outcome).
SENT_OUTCOMES = frozenset(
    {
        ContactAttempt.Outcome.SENT,
        ContactAttempt.Outcome.DELIVERED,
        ContactAttempt.Outcome.BOUNCED,
        ContactAttempt.Outcome.FAILED,
    }
)
MESSAGE_CHANNELS = ("sms", "email", "letter")
# Answered live calls of the dialer: a person picked up (the abandon rate's denominator).
ANSWERED_LIVE_OUTCOMES = REACHED_OUTCOMES | {ContactAttempt.Outcome.ABANDONED}

ON_CALL_WITHIN = timedelta(hours=1)
WRAP_UP_WITHIN = timedelta(minutes=2)
OFFLINE_AFTER = timedelta(minutes=30)
AGENT_INTERACTIONS_SHOWN = 200


class AgentState(StrEnum):
    ON_CALL = "on a call"
    WRAP_UP = "wrap-up"
    IDLE = "idle"
    OFFLINE = "offline"


def agent_state(
    *,
    now: datetime,
    on_call: bool,
    last_interaction_at: datetime | None,
    last_activity_at: datetime | None,
) -> AgentState:
    """An agent's state from their activity (pure: the times come in as arguments).

    On a call: a call the gate reserved for them within the hour has no outcome yet. Wrap-up: they
    recorded an interaction in the last 2 minutes. Offline: nothing for 30 minutes. Else idle.
    """
    if on_call:
        return AgentState.ON_CALL
    if last_interaction_at is not None and now - last_interaction_at <= WRAP_UP_WITHIN:
        return AgentState.WRAP_UP
    if last_activity_at is not None and now - last_activity_at <= OFFLINE_AFTER:
        return AgentState.IDLE
    return AgentState.OFFLINE


@dataclass(frozen=True)
class Ratio:
    """A rate with its numerator and denominator, as the glossary asks."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> str:
        if not self.denominator:
            return "n/a"
        return f"{100 * self.numerator / self.denominator:.1f}%"

    def __str__(self) -> str:
        return f"{self.numerator} / {self.denominator} ({self.percent})"


@dataclass
class Figures:
    """One row of the wallboard: a client, a team or everything the user sees."""

    key: str
    label: str
    attempts: int = 0
    call_attempts: int = 0
    contacts: int = 0
    right_party_contacts: int = 0
    promises: int = 0
    promise_amounts: dict[str, Decimal] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)
    delivered: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, int] = field(default_factory=dict)  # refused decisions per rule
    refused: int = 0  # refused decisions, whatever rules refused them
    queue: int | None = None
    abandoned: int = 0
    answered_live: int = 0

    @property
    def contact_rate(self) -> Ratio:
        return Ratio(self.contacts, self.call_attempts)

    @property
    def right_party_contact_rate(self) -> Ratio:
        return Ratio(self.right_party_contacts, self.call_attempts)

    @property
    def abandon_rate(self) -> Ratio:
        return Ratio(self.abandoned, self.answered_live)

    @property
    def messages(self) -> list[tuple[str, int, int]]:
        return [(c, self.sent.get(c, 0), self.delivered.get(c, 0)) for c in MESSAGE_CHANNELS]


@dataclass(frozen=True)
class AgentRow:
    user_id: int
    username: str
    state: AgentState | None
    last_activity_at: datetime | None
    figures: Figures


@dataclass(frozen=True)
class Wallboard:
    day: date
    live: bool
    now: datetime
    clients: list[Figures]
    teams: list[Figures]
    total: Figures
    agents: list[AgentRow]
    dialer_installed: bool
    promises_installed: bool


@dataclass(frozen=True)
class WallboardScope:
    """What the board is about: the clients the user sees, narrowed by the filters."""

    client_ids: frozenset[int]
    teams: tuple[Team, ...]  # teams the user may filter on (serving one of their clients)
    clients: tuple[Client, ...]  # clients the user may filter on
    team: Team | None
    client: Client | None
    day: date


def agency_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def agency_today(now: datetime | None = None) -> date:
    return (now or clock.now()).astimezone(agency_zone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The agency's day (settings.TIME_ZONE) as a UTC-aware half-open range."""
    zone = agency_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def wallboard_scope(
    *,
    user: User | AnonymousUser,
    team_id: int | None = None,
    client_code: str = "",
    day: date | None = None,
) -> WallboardScope:
    """The clients the board covers; a team or client the user does not see is NotFoundError."""
    visible = access_client_queryset(user=user)
    clients = tuple(visible.order_by("name", "pk"))
    client_ids = frozenset(client.pk for client in clients)
    teams = tuple(Team.objects.filter(clients__in=client_ids).distinct().order_by("name", "pk"))
    team = None
    if team_id is not None:
        team = next((candidate for candidate in teams if candidate.pk == team_id), None)
        if team is None:
            raise NotFoundError(f"team {team_id} not found")
        client_ids &= frozenset(team.clients.values_list("pk", flat=True))
    client = None
    if client_code:
        client = next((candidate for candidate in clients if candidate.code == client_code), None)
        if client is None:
            raise NotFoundError(f"client {client_code} not found")
        client_ids &= {client.pk}
    return WallboardScope(
        client_ids=client_ids,
        teams=teams,
        clients=clients,
        team=team,
        client=client,
        day=day or agency_today(),
    )


# --- the ledger: attempts, contacts, right-party contacts, messages, abandoned calls -------------

_LedgerLink: type[Model] = ContactAttempt.accounts.through
_ATTEMPT = "contactattempt"


def _ledger_aggregates() -> dict[str, Count]:
    outbound = Q(contactattempt__direction=ContactAttempt.Direction.OUTBOUND)
    calls = outbound & Q(contactattempt__channel="call")
    outcome = "contactattempt__outcome__in"
    figures = {
        "attempts": Count(_ATTEMPT, distinct=True, filter=outbound),
        "call_attempts": Count(_ATTEMPT, distinct=True, filter=calls),
        "contacts": Count(_ATTEMPT, distinct=True, filter=calls & Q(**{outcome: REACHED_OUTCOMES})),
        "right_party_contacts": Count(
            _ATTEMPT, distinct=True, filter=calls & Q(**{outcome: RIGHT_PARTY_OUTCOMES})
        ),
        "abandoned": Count(
            _ATTEMPT,
            distinct=True,
            filter=calls & Q(contactattempt__autodialled=True, contactattempt__outcome="abandoned"),
        ),
        "answered_live": Count(
            _ATTEMPT,
            distinct=True,
            filter=calls & Q(contactattempt__autodialled=True, **{outcome: ANSWERED_LIVE_OUTCOMES}),
        ),
    }
    for channel in MESSAGE_CHANNELS:
        on_channel = outbound & Q(contactattempt__channel=channel)
        figures[f"sent_{channel}"] = Count(
            _ATTEMPT, distinct=True, filter=on_channel & Q(**{outcome: SENT_OUTCOMES})
        )
        figures[f"delivered_{channel}"] = Count(
            _ATTEMPT, distinct=True, filter=on_channel & Q(contactattempt__outcome="delivered")
        )
    return figures


def _ledger_links(client_ids: Iterable[int], start: datetime, end: datetime) -> QuerySet[Any]:
    """Ledger rows of the day about the clients' accounts; cancelled reservations never happened."""
    return _LedgerLink._default_manager.filter(
        account__client_id__in=list(client_ids),
        contactattempt__at__gte=start,
        contactattempt__at__lt=end,
    ).exclude(contactattempt__status=ContactAttempt.Status.CANCELLED)


def _apply_ledger(target: Figures, row: Mapping[str, Any]) -> None:
    for name in (
        "attempts",
        "call_attempts",
        "contacts",
        "right_party_contacts",
        "abandoned",
        "answered_live",
    ):
        setattr(target, name, row[name] or 0)
    for channel in MESSAGE_CHANNELS:
        target.sent[channel] = row[f"sent_{channel}"] or 0
        target.delivered[channel] = row[f"delivered_{channel}"] or 0


# --- blocks: refused decisions by rule (JSON lists unnested in SQL, per database) ---------------

_BLOCKS_SQL = {
    "postgresql": """
        SELECT {key}, {rule}, COUNT(DISTINCT decision.id)
        FROM compliance_decisionlog decision
        {by_rule}
        CROSS JOIN LATERAL jsonb_array_elements_text(decision.account_ids) AS named(value)
        JOIN portfolio_account account ON account.id = named.value::bigint
        {join}
        WHERE decision.allowed = false AND decision.decided_at >= %s AND decision.decided_at < %s
          AND account.client_id IN ({clients}) {where}
        {group_by}
    """,
    "sqlite": """
        SELECT {key}, {rule}, COUNT(DISTINCT decision.id)
        FROM compliance_decisionlog decision{by_rule}, json_each(decision.account_ids) AS named
        JOIN portfolio_account account ON account.id = named.value
        {join}
        WHERE decision.allowed = 0 AND decision.decided_at >= %s AND decision.decided_at < %s
          AND account.client_id IN ({clients}) {where}
        {group_by}
    """,
}
_BY_TEAM_JOIN = "JOIN portfolio_team_clients team ON team.client_id = account.client_id"
_BY_RULE = {
    "postgresql": (
        "CROSS JOIN LATERAL jsonb_array_elements_text(decision.blocking_rule_ids) AS rule(value)"
    ),
    "sqlite": ", json_each(decision.blocking_rule_ids) AS rule",
}
_GROUP_COLUMN = {"client": "account.client_id", "team": "team.team_id", "total": ""}


def _group_by(columns: list[str]) -> str:
    """PostgreSQL refuses a constant in GROUP BY: only columns, and none for a single group."""
    named = [column for column in columns if column]
    return f"GROUP BY {', '.join(named)}" if named else ""


def _blocks(
    client_ids: frozenset[int],
    start: datetime,
    end: datetime,
    *,
    by: str,
    team_ids: list[int],
    by_rule: bool,
) -> list[tuple[Any, str, int]]:
    """(group, rule id, refused decisions), group a client id, a team id or None (the total).

    Without ``by_rule`` the rule id is "" and a decision two rules refused counts once.
    """
    if not client_ids or (by == "team" and not team_ids):
        return []
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    sql = _BLOCKS_SQL[vendor]
    params: list[Any] = [start, end, *sorted(client_ids)]
    where = ""
    if by == "team":
        where = f"AND team.team_id IN ({', '.join(['%s'] * len(team_ids))})"
        params += team_ids
    statement = sql.format(
        key=_GROUP_COLUMN[by] or "NULL",
        join=_BY_TEAM_JOIN if by == "team" else "",
        clients=", ".join(["%s"] * len(client_ids)),
        where=where,
        rule="rule.value" if by_rule else "''",
        group_by=_group_by([_GROUP_COLUMN[by], "rule.value" if by_rule else ""]),
        by_rule=_BY_RULE[vendor] if by_rule else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [(group, str(rule), int(count)) for group, rule, count in cursor.fetchall()]


# --- promises (arrangements.Promise, written by another feature) -------------------------------


def promise_model() -> type[Model] | None:
    """The Promise model when the arrangements app is installed, else None (figures show 0)."""
    if not apps.is_installed("solvent.arrangements"):
        return None
    try:
        return apps.get_model("arrangements", "Promise")
    except LookupError:
        return None


def _promises(
    model: type[Model], client_ids: frozenset[int], start: datetime, end: datetime
) -> QuerySet[Any]:
    """Promises made on the day about the clients' accounts; a cancelled one was withdrawn."""
    return model._default_manager.filter(
        account__client_id__in=list(client_ids), created_at__gte=start, created_at__lt=end
    ).exclude(status="cancelled")


def _apply_promises(target: Figures, rows: Iterable[Mapping[str, Any]]) -> None:
    for row in rows:
        target.promises += row["count"]
        currency = row["currency"]
        target.promise_amounts[currency] = target.promise_amounts.get(currency, Decimal("0")) + (
            row["amount"] or Decimal("0")
        )


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
    shown_teams = [t for t in scope.teams if scope.team is None or t.pk == scope.team.pk]
    teams = [Figures(key=str(t.pk), label=t.name) for t in shown_teams]
    by_team = dict(zip([t.pk for t in shown_teams], teams, strict=True))
    team_ids = list(by_team)
    total = Figures(key="total", label="Total")

    links = _ledger_links(client_ids, start, end)
    aggregates = _ledger_aggregates()
    for row in links.values("account__client_id").annotate(**aggregates):
        _apply_ledger(by_client[row["account__client_id"]], row)
    team_links = links.filter(account__client__teams__in=team_ids)
    for row in team_links.values("account__client__teams").annotate(**aggregates):
        _apply_ledger(by_team[row["account__client__teams"]], row)
    _apply_ledger(total, links.aggregate(**aggregates))

    groups: tuple[tuple[str, Mapping[Any, Figures]], ...] = (
        ("client", by_client),
        ("team", by_team),
        ("total", {None: total}),
    )
    for by, targets in groups:
        for by_rule in (False, True):
            rows = _blocks(client_ids, start, end, by=by, team_ids=team_ids, by_rule=by_rule)
            for group, rule, count in rows:
                if by_rule:
                    targets[group].blocks[rule] = count
                else:
                    targets[group].refused = count

    model = promise_model()
    if model is not None:
        promises = _promises(model, client_ids, start, end)
        amounts = {"count": Count("pk", distinct=True), "amount": Sum("amount")}
        for row in promises.values("account__client_id", "currency").annotate(**amounts):
            _apply_promises(by_client[row["account__client_id"]], [row])
        team_rows = promises.filter(account__client__teams__in=team_ids)
        for row in team_rows.values("account__client__teams", "currency").annotate(
            **amounts
        ):
            _apply_promises(by_team[row["account__client__teams"]], [row])
        _apply_promises(total, promises.values("currency").annotate(**amounts))

    if live:
        _apply_queue(client_ids, start, by_client, by_team, team_ids, total)

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
    )


def _apply_queue(
    client_ids: frozenset[int],
    start: datetime,
    by_client: dict[int, Figures],
    by_team: dict[int, Figures],
    team_ids: list[int],
    total: Figures,
) -> None:
    """Accounts active and not touched today: no ledger row about them since the day began."""
    touched = _LedgerLink._default_manager.filter(contactattempt__at__gte=start).exclude(
        contactattempt__status=ContactAttempt.Status.CANCELLED
    )
    waiting = Account.objects.filter(
        client_id__in=list(client_ids), status=Account.Status.ACTIVE
    ).exclude(pk__in=touched.values("account_id"))
    for figures in (*by_client.values(), *by_team.values(), total):
        figures.queue = 0
    for row in waiting.values("client_id").annotate(count=Count("pk")):
        by_client[row["client_id"]].queue = row["count"]
    team_rows = waiting.filter(client__teams__in=team_ids).values("client__teams")
    for team_row in team_rows.annotate(count=Count("pk", distinct=True)):
        by_team[team_row["client__teams"]].queue = team_row["count"]
    total.queue = waiting.count()


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
    links = _ledger_links(scope.client_ids, start, end).filter(
        contactattempt__decision_log__asked_by__in=list(figures)
    )
    by_agent = links.values("contactattempt__decision_log__asked_by").annotate(
        **_ledger_aggregates()
    )
    for row in by_agent:
        _apply_ledger(figures[row["contactattempt__decision_log__asked_by"]], row)
    model = promise_model()
    if model is not None:
        promises = _promises(model, scope.client_ids, start, end).filter(
            created_by__in=list(figures)
        )
        rows = promises.values("created_by", "currency").annotate(
            count=Count("pk", distinct=True), amount=Sum("amount")
        )
        for row in rows:
            _apply_promises(figures[row["created_by"]], [row])
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
    about_scope = _LedgerLink._default_manager.filter(
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
    return [
        AgentInteraction(
            interaction,
            [(pk, visible[pk]) for pk in interaction.account_ids or [] if pk in visible],
        )
        for interaction in interactions
    ]


def chart_data(board: Wallboard) -> dict[str, Any]:
    """What the page's chart draws (rendered into a JSON block, read by desk/wallboard.js)."""
    return {
        "labels": [row.label for row in board.clients],
        "series": [
            {"label": "Attempts", "values": [row.attempts for row in board.clients]},
            {"label": "Contacts", "values": [row.contacts for row in board.clients]},
            {
                "label": "Right-party contacts",
                "values": [row.right_party_contacts for row in board.clients],
            },
            {"label": "Promises", "values": [row.promises for row in board.clients]},
            {"label": "Blocks", "values": [row.refused for row in board.clients]},
        ],
        "total": {"attempts": board.total.attempts, "contacts": board.total.contacts},
    }
