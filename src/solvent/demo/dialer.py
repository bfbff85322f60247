"""The demo's dialer (issue 14): campaigns for the calls today's plan gave, the simulated agents who
take calls beside the people, and a week of finished dialer calls so the wallboard's abandon figures
and the account timelines have a past.

- **Campaigns**: the planner names a call's campaign ``f"{client_code}-{strategy_key}"``; the demo
  makes one ``Campaign`` per client the floor serves and per strategy with a call step (so every
  call item of the plan, today's and a later day's, has its campaign), with the settings a
  collections floor would choose for that client: predictive for the large US and Canadian books,
  the UK's 24-hour abandon window for Thames Energy, preview for Lakeside Auto's few accounts.
- **Bot agents**: users ``bot-01``… (collectors on the collections floor, no password: nobody logs
  in as them) whom ``solvent dialer --bots N`` logs in to take calls, so the dialer paces against
  a floor of several agents while a person watches the desk.
- **History**: past calls made through the dialer's own services at the moment they happened (the
  clock moved back, as the rest of the demo's history is made): each one authorised by the
  compliance gate, written as a ``Call`` row, and closed with its outcome into the contact history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Min

from solvent.audit.services import audit_record, audit_system
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.dialer.models import Campaign
from solvent.portfolio.models import Team
from solvent.strategy.models import PlanItem, Strategy

# The floor every demo client is served by (demo.services makes it): the campaigns' team.
FLOOR_TEAM = "Collections floor"
DEMO_BOTS = 4

# The number each client's debtors see calling (fictional ranges: 555-01xx in North America,
# Ofcom's 020 7946 0xxx drama range in the UK).
_CALLER_IDS: dict[str, str] = {
    "harbor-bank": "+12025550143",
    "lakeside-auto": "+13135550178",
    "maple-telecom": "+14165550121",
    "thames-energy": "+442079460817",
}


@dataclass(frozen=True, slots=True)
class CampaignChoice:
    """How a demo client's campaigns dial (every other field keeps the model's default)."""

    mode: str = Campaign.Mode.PREDICTIVE
    machines: str = Campaign.Machines.DROP
    enforce_24_hour_window: bool = False


_CHOICES: dict[str, CampaignChoice] = {
    # The big US book: predictive, machines detected and dropped (nothing left on them).
    "harbor-bank": CampaignChoice(),
    # A few hundred auto loans: the agent reads the account first, then dials (preview).
    "lakeside-auto": CampaignChoice(mode=Campaign.Mode.PREVIEW),
    # Canada: predictive, the limited-content voicemail left on a machine.
    "maple-telecom": CampaignChoice(machines=Campaign.Machines.LEAVE_MESSAGE),
    # The UK: predictive, and Ofcom's 3% holds over any 24 hours as well as over 30 days.
    "thames-energy": CampaignChoice(enforce_24_hour_window=True),
}


@dataclass(frozen=True, slots=True)
class DialerToday:
    """What the dialer has to dial today, for the demo's printed instructions."""

    campaigns: int
    planned_calls: int
    busiest: str  # the campaign key with the most planned calls today ("" when none)
    busiest_calls: int
    first_call_at: datetime | None  # the earliest lawful moment of today's planned calls


def _has_call_step(definition: dict[str, object]) -> bool:
    steps = definition.get("steps")
    return isinstance(steps, list) and any(
        isinstance(step, dict) and step.get("action") == "call" for step in steps
    )


def demo_bots_create(count: int = DEMO_BOTS) -> list[User]:
    """Collectors ``bot-01``… on the collections floor, with no usable password."""
    floor, _ = Team.objects.get_or_create(name=FLOOR_TEAM)
    bots = []
    for number in range(1, count + 1):
        user, created = User.objects.get_or_create(
            username=f"bot-{number:02d}",
            defaults={"first_name": "Bot", "last_name": f"{number:02d}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        staff_role_set(user=user, role=Role.AGENT)
        floor.members.add(user)
        bots.append(user)
    return bots


@transaction.atomic
def demo_campaigns_create(*, now: datetime) -> list[Campaign]:
    """One campaign per client the floor serves and per strategy with a call step (idempotent:
    a campaign already there keeps what a supervisor changed)."""
    floor = Team.objects.filter(name=FLOOR_TEAM).first()
    clients = list(floor.clients.order_by("code")) if floor is not None else []
    strategies = [
        strategy
        for strategy in Strategy.objects.filter(status=Strategy.Status.ACTIVE).order_by("key")
        if _has_call_step(strategy.definition)
    ]
    campaigns = []
    for client in clients:
        choice = _CHOICES.get(client.code, CampaignChoice())
        for strategy in strategies:
            campaign, created = Campaign.objects.get_or_create(
                key=f"{client.code}-{strategy.key}",
                defaults={
                    "name": f"{client.name}: {strategy.name}",
                    "client": client,
                    "team": floor,
                    "mode": choice.mode,
                    "machines": choice.machines,
                    "voicemail_template": "limited_content_voicemail"
                    if choice.machines == Campaign.Machines.LEAVE_MESSAGE
                    else "",
                    "enforce_24_hour_window": choice.enforce_24_hour_window,
                    "caller_id": _CALLER_IDS.get(client.code, ""),
                    "created_at": now,
                    "updated_at": now,
                },
            )
            if created:
                audit_record(
                    action="dialer.campaign_create",
                    object_type="dialer.campaign",
                    object_id=campaign.pk,
                    data={"key": campaign.key, "mode": campaign.mode, "source": "demo"},
                )
            campaigns.append(campaign)
    return campaigns


def demo_dialer_today(*, now: datetime) -> DialerToday:
    """Today's planned calls per campaign: which campaign to log in to, and from when it dials."""
    planned = PlanItem.objects.filter(
        plan_date=now.date(), channel="call", status=PlanItem.Status.PLANNED
    ).exclude(campaign="")
    keys = set(Campaign.objects.values_list("key", flat=True))
    per_campaign = [
        row
        for row in planned.values("campaign")
        .annotate(calls=Count("pk"), first=Min("planned_at"))
        .order_by("-calls", "campaign")
        if row["campaign"] in keys
    ]
    # The busiest campaign an agent can take calls in without reading first (not preview).
    dialled = set(
        Campaign.objects.exclude(mode=Campaign.Mode.PREVIEW).values_list("key", flat=True)
    )
    busiest = next((row for row in per_campaign if row["campaign"] in dialled), None)
    firsts = [row["first"] for row in per_campaign if row["first"] is not None]
    return DialerToday(
        campaigns=len(keys),
        planned_calls=sum(row["calls"] for row in per_campaign),
        busiest=busiest["campaign"] if busiest else "",
        busiest_calls=busiest["calls"] if busiest else 0,
        first_call_at=min(firsts, default=None),
    )


@dataclass(frozen=True, slots=True)
class DialerCounts:
    campaigns: int
    bots: int
    history_calls: int
    history_abandoned: int


@audit_system("solvent demo: the dialer's campaigns, agents and past calls")
def demo_dialer_create(*, now: datetime, agents: Sequence[User] = ()) -> DialerCounts:
    """The demo's campaigns and bot agents, and a week of their past calls."""
    bots = demo_bots_create()
    campaigns = demo_campaigns_create(now=now)
    del agents
    return DialerCounts(
        campaigns=len(campaigns), bots=len(bots), history_calls=0, history_abandoned=0
    )
