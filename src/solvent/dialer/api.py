"""The dialer's REST endpoints (mounted at /api/dialer). Thin: the campaign through the
tenant-scoped selectors (another client's is a 404, as a missing one), then the role, then one
service or selector.

GET  /api/dialer/campaigns                  the campaigns the user sees
POST /api/dialer/campaigns                  create one (supervisor, admin): 201
GET  /api/dialer/campaigns/{key}            one campaign
PUT  /api/dialer/campaigns/{key}            change the settings given (supervisor, admin)
POST /api/dialer/campaigns/{key}/pause      nothing new is dialled (supervisor, admin)
POST /api/dialer/campaigns/{key}/resume     dial again (supervisor, admin)
GET  /api/dialer/campaigns/{key}/figures    abandon figures (30 days, 24 hours), lines, hopper
GET  /api/dialer/agents?campaign=           the agents logged in, their states
"""

# No ``from __future__ import annotations``: ninja reads the parameters' annotations at import.
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.dialer.domain.campaigns import CampaignSettings, abandon_rate
from solvent.dialer.models import AgentSession, Campaign
from solvent.dialer.schemas import (
    AgentSessionOut,
    CampaignChangeIn,
    CampaignFiguresOut,
    CampaignIn,
    CampaignKey,
    CampaignOut,
    CampaignSettingsIn,
    PauseIn,
)
from solvent.dialer.selectors_campaigns import (
    agency_day_start,
    agent_session_list,
    campaign_by_key,
    campaign_floor_list,
    campaign_manage_require,
    campaign_queryset,
)
from solvent.dialer.services.campaigns import (
    campaign_create,
    campaign_pause,
    campaign_resume,
    campaign_update,
)
from solvent.portfolio.access import access_client_queryset

router = Router(tags=["dialer"])


def _settings(payload: CampaignSettingsIn) -> CampaignSettings:
    return CampaignSettings(**payload.dict(include=set(CampaignSettingsIn.model_fields)))


@router.get("/campaigns", response=list[CampaignOut])
def campaign_index(request: HttpRequest) -> list[Campaign]:
    """The campaigns of the clients the user sees, by key."""
    return list(campaign_queryset(user=request.user))


@router.post("/campaigns", response={201: CampaignOut})
def campaign_new(request: HttpRequest, payload: CampaignIn) -> Status[Any]:
    """A new campaign for a client the user sees, active at once (the plan names its calls)."""
    client = access_client_queryset(user=request.user).filter(code=payload.client).first()
    if client is None:
        raise NotFoundError("client not found")
    campaign_manage_require(user=request.user)
    campaign = campaign_create(
        key=payload.key,
        settings=_settings(payload),
        client_id=client.pk,
        actor_id=request.user.pk,
    )
    return Status(201, campaign)


@router.get("/campaigns/{key}", response=CampaignOut)
def campaign_detail(request: HttpRequest, key: CampaignKey) -> Campaign:
    return campaign_by_key(user=request.user, key=key)


@router.put("/campaigns/{key}", response=CampaignOut)
def campaign_change(request: HttpRequest, key: CampaignKey, payload: CampaignChangeIn) -> Campaign:
    """Change the settings given (a field left out keeps its value); the dialer reads them at its
    next pass."""
    campaign = campaign_by_key(user=request.user, key=key)
    campaign_manage_require(user=request.user)
    current = {name: getattr(campaign, name) for name in CampaignSettingsIn.model_fields}
    given = payload.dict(exclude_none=True)
    settings = CampaignSettings(**{**current, **given})
    return campaign_update(campaign_id=campaign.pk, settings=settings, actor_id=request.user.pk)


@router.post("/campaigns/{key}/pause", response=CampaignOut)
def campaign_pause_view(request: HttpRequest, key: CampaignKey, payload: PauseIn) -> Campaign:
    """Nothing new is dialled; calls up finish. Pausing a paused campaign changes nothing."""
    campaign = campaign_by_key(user=request.user, key=key)
    campaign_manage_require(user=request.user)
    return campaign_pause(campaign_id=campaign.pk, actor_id=request.user.pk, reason=payload.reason)


@router.post("/campaigns/{key}/resume", response=CampaignOut)
def campaign_resume_view(request: HttpRequest, key: CampaignKey) -> Campaign:
    campaign = campaign_by_key(user=request.user, key=key)
    campaign_manage_require(user=request.user)
    return campaign_resume(campaign_id=campaign.pk, actor_id=request.user.pk)


def _window(abandoned: int, live_answered: int) -> dict[str, Any]:
    return {
        "abandoned": abandoned,
        "live_answered": live_answered,
        "rate": abandon_rate(abandoned, live_answered),
    }


@router.get("/campaigns/{key}/figures", response=CampaignFiguresOut)
def campaign_figures_view(request: HttpRequest, key: CampaignKey) -> dict[str, Any]:
    """The abandon figures over the last 30 days and 24 hours (numerator and denominator), the
    lines up, the hopper and today's dials and connects (the agency's day)."""
    campaign = campaign_by_key(user=request.user, key=key)
    now = clock.now()
    start = agency_day_start(now)
    (floor,) = campaign_floor_list(
        campaigns=campaign_queryset(user=request.user).filter(pk=campaign.pk),
        day_start=start,
        now=now,
    )
    figures = floor.figures
    return {
        "key": campaign.key,
        "at": now,
        "limit": floor.limit,
        "last_30_days": _window(figures.abandoned_30d, figures.live_answered_30d),
        "last_24_hours": _window(figures.abandoned_24h, figures.live_answered_24h),
        "lines_up": floor.lines_up,
        "hopper_waiting": floor.hopper_waiting,
        "dials_today": floor.dials_today,
        "connects_today": floor.connects_today,
        "agents": floor.agents,
    }


@router.get("/agents", response=list[AgentSessionOut])
def agent_index(request: HttpRequest, campaign: CampaignKey | None = None) -> list[AgentSession]:
    """The agents logged in to the campaigns the user sees (one campaign when named)."""
    if campaign:
        campaign_by_key(user=request.user, key=campaign)
    return list(agent_session_list(user=request.user, campaign_key=campaign or ""))
