"""Reads of the campaigns for a person: which they see, one by key, and who may change them.

A campaign is seen by who sees its client (``portfolio.access``: the teams serving the client, and
the agency-wide roles); a campaign of no client only by the agency-wide roles and the members of
its team. A key the person does not see is NotFoundError, as a missing one (nobody learns that a
campaign of another client exists). Supervisors and admins start, pause and change campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from solvent.compliance.domain.model import CampaignFigures
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.dialer.domain.campaigns import MAX_ABANDON_RATE, abandon_level, abandon_rate
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.dialer.selectors import (
    WINDOW_24_HOURS,
    WINDOW_30_DAYS,
    abandoned_q,
    person_answered_q,
)
from solvent.portfolio.access import access_client_ids

CAMPAIGN_MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def campaign_queryset(*, user: User | AnonymousUser) -> QuerySet[Campaign]:
    """The campaigns this person sees (ordered by key)."""
    if staff_role_get(user=user) is None:
        return Campaign.objects.none()
    client_ids = access_client_ids(user=user)
    campaigns = Campaign.objects.select_related("client", "team").order_by("key")
    if client_ids is None:
        return campaigns
    return campaigns.filter(
        Q(client_id__in=list(client_ids)) | Q(client__isnull=True, team__members=user.pk)
    ).distinct()


def campaign_by_key(*, user: User | AnonymousUser, key: str) -> Campaign:
    """One campaign this person sees, or NotFoundError (also for another client's)."""
    campaign = campaign_queryset(user=user).filter(key=key).first()
    if campaign is None:
        raise NotFoundError("campaign not found")
    return campaign


def campaign_manage_require(*, user: User | AnonymousUser) -> None:
    """PermissionDeniedError unless this person's role runs campaigns (supervisor, admin)."""
    if staff_role_get(user=user) not in CAMPAIGN_MANAGER_ROLES:
        raise PermissionDeniedError("only supervisors and admins change campaigns")


def campaign_may_manage(*, user: User | AnonymousUser) -> bool:
    return staff_role_get(user=user) in CAMPAIGN_MANAGER_ROLES


def agent_session_list(
    *, user: User | AnonymousUser, campaign_key: str = ""
) -> QuerySet[AgentSession]:
    """The open agent sessions (logged in now) of the campaigns this person sees."""
    sessions = AgentSession.objects.filter(
        logged_out_at__isnull=True, campaign__in=campaign_queryset(user=user)
    )
    if campaign_key:
        sessions = sessions.filter(campaign__key=campaign_key)
    return sessions.select_related("campaign", "agent").order_by("campaign__key", "agent__username")


# --- the floor: each campaign's figures now -------------------------------------------------

LINE_UP_STATES = (
    Call.State.DIALLING,
    Call.State.RINGING,
    Call.State.ANSWERED,
    Call.State.CONNECTED,
)


@dataclass
class CampaignFloor:
    """A campaign now: its agents by state, its lines, its hopper, today's dials and connects,
    and its abandon figures over the two regulatory windows (``selectors.campaign_figures``'s
    definitions, counted for every campaign at once)."""

    campaign: Campaign
    figures: CampaignFigures
    agents: dict[str, int] = field(default_factory=dict)  # state -> agents logged in
    pause_reasons: dict[str, int] = field(default_factory=dict)  # reason -> paused agents
    lines_up: int = 0
    hopper_waiting: int = 0
    dials_today: int = 0
    connects_today: int = 0

    @property
    def limit(self) -> float:
        return min(self.campaign.target_abandon_rate or MAX_ABANDON_RATE, MAX_ABANDON_RATE)

    @property
    def rate_30d(self) -> float | None:
        return abandon_rate(self.figures.abandoned_30d, self.figures.live_answered_30d)

    @property
    def rate_24h(self) -> float | None:
        return abandon_rate(self.figures.abandoned_24h, self.figures.live_answered_24h)

    @property
    def level_30d(self) -> str:
        return abandon_level(self.figures.abandoned_30d, self.figures.live_answered_30d)

    @property
    def level_24h(self) -> str:
        return abandon_level(self.figures.abandoned_24h, self.figures.live_answered_24h)

    @property
    def agents_logged_in(self) -> int:
        return sum(self.agents.values())

    @property
    def agents_talking(self) -> int:
        """On a call, or being connected to one."""
        return self.agents.get("talking", 0) + self.agents.get("reserved", 0)

    @property
    def percent_30d(self) -> str:
        return _percent(self.rate_30d)

    @property
    def percent_24h(self) -> str:
        return _percent(self.rate_24h)


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def agency_day_start(now: datetime) -> datetime:
    """The start of the agency's day (settings.TIME_ZONE) holding ``now``: "today" of the figures."""
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)


def campaign_floor_list(
    *, campaigns: QuerySet[Campaign], day_start: datetime, now: datetime | None = None
) -> list[CampaignFloor]:
    """Each campaign's figures now, in three queries whatever the number of campaigns, agents and
    calls (the campaigns with their hopper, the agents, the calls). "Today" is from ``day_start``
    (the agency's day); the abandon windows end at ``now``."""
    moment = now or clock.now()
    waiting = (
        HopperEntry.objects.filter(campaign=OuterRef("pk"), status=HopperEntry.Status.WAITING)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    floors = {
        campaign.pk: CampaignFloor(
            campaign=campaign,
            figures=CampaignFigures(),
            hopper_waiting=campaign.hopper_waiting_now,
        )
        for campaign in campaigns.annotate(hopper_waiting_now=Coalesce(Subquery(waiting), 0))
    }
    if not floors:
        return []
    ids = list(floors)
    sessions = (
        AgentSession.objects.filter(campaign_id__in=ids, logged_out_at__isnull=True)
        .values_list("campaign_id", "state", "pause_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for campaign_id, state, reason, n in sessions:
        floor = floors[campaign_id]
        floor.agents[state] = floor.agents.get(state, 0) + n
        if state == AgentSession.State.PAUSED:
            why = reason or "no reason given"
            floor.pause_reasons[why] = floor.pause_reasons.get(why, 0) + n
    since_30 = moment - WINDOW_30_DAYS
    in_30 = Q(answered_at__gt=since_30, answered_at__lte=moment)
    in_24 = Q(answered_at__gt=moment - WINDOW_24_HOURS, answered_at__lte=moment)
    calls = (
        Call.objects.filter(campaign_id__in=ids)
        .filter(
            Q(state__in=LINE_UP_STATES)
            | Q(started_at__gte=day_start)
            | Q(answered_at__gt=since_30, answered_at__lte=moment)
        )
        .values("campaign_id")
        .annotate(
            lines_up=Count("pk", filter=Q(state__in=LINE_UP_STATES)),
            dials=Count("pk", filter=Q(started_at__gte=day_start, started_at__lte=moment)),
            connects=Count("pk", filter=Q(connected_at__gte=day_start, connected_at__lte=moment)),
            abandoned_30d=Count("pk", filter=in_30 & abandoned_q()),
            live_answered_30d=Count("pk", filter=in_30 & person_answered_q()),
            abandoned_24h=Count("pk", filter=in_24 & abandoned_q()),
            live_answered_24h=Count("pk", filter=in_24 & person_answered_q()),
        )
        .order_by()
    )
    for row in calls:
        floor = floors[row["campaign_id"]]
        floor.lines_up = row["lines_up"]
        floor.dials_today = row["dials"]
        floor.connects_today = row["connects"]
        floor.figures = CampaignFigures(
            abandoned_30d=row["abandoned_30d"],
            live_answered_30d=row["live_answered_30d"],
            abandoned_24h=row["abandoned_24h"],
            live_answered_24h=row["live_answered_24h"],
        )
    return list(floors.values())
