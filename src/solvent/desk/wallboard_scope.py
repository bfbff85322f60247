"""What a wallboard is about: the clients the user sees (``access_client_queryset``), a team, a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser, User

from solvent.core.domain.errors import NotFoundError
from solvent.desk.wallboard_ledger import agency_today
from solvent.portfolio.access import access_client_queryset
from solvent.portfolio.models import Client, Team


@dataclass(frozen=True)
class WallboardScope:
    """What the board is about: the clients the user sees, narrowed by the filters."""

    client_ids: frozenset[int]
    teams: tuple[Team, ...]  # teams the user may filter on (serving one of their clients)
    clients: tuple[Client, ...]  # clients the user may filter on
    team: Team | None
    client: Client | None
    day: date


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
