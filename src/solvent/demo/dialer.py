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

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Min, Q

from solvent.audit.services import audit_record, audit_system
from solvent.compliance.domain.model import CampaignFigures
from solvent.compliance.models import Consent
from solvent.compliance.services import consent_grant
from solvent.contact.domain.model import Disposition
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.demo.work import _at
from solvent.dialer.models import Call, Campaign, HopperEntry
from solvent.dialer.selectors import campaign_figures
from solvent.dialer.services import call_event_apply, call_outcome_record, calls_dial_authorize
from solvent.portfolio.generate import weighted_choice
from solvent.portfolio.models import Account, AccountDebtor, ContactStatus, Phone, Team
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
    suggested: str  # the campaign to log in to ("" when none has calls today)
    suggested_name: str  # as the agent's Dialer page lists it
    suggested_calls: int
    suggested_from: datetime | None  # its first call's lawful moment
    keys: tuple[str, ...] = ()  # the campaigns with calls today, busiest first


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
                    system="demo: the demo's dialer campaigns",
                )
            campaigns.append(campaign)
    return campaigns


def demo_dialer_today(*, now: datetime) -> DialerToday:
    """Today's planned calls per campaign: which campaign to log in to, and from when it dials.

    The campaign suggested is a dialled one (not preview) with the most calls lawful now, else
    the one whose calls start soonest: a newcomer who goes ready there gets a call first."""
    planned = PlanItem.objects.filter(
        plan_date=now.date(), channel="call", status=PlanItem.Status.PLANNED
    ).exclude(campaign="")
    keys = set(Campaign.objects.values_list("key", flat=True))
    per_campaign = [
        row
        for row in planned.values("campaign")
        .annotate(
            calls=Count("pk"),
            due=Count("pk", filter=Q(planned_at__lte=now)),
            first=Min("planned_at"),
        )
        .order_by("-calls", "campaign")
        if row["campaign"] in keys
    ]
    dialled = set(
        Campaign.objects.exclude(mode=Campaign.Mode.PREVIEW).values_list("key", flat=True)
    )
    choices = [row for row in per_campaign if row["campaign"] in dialled and row["first"]]
    suggested = min(
        choices, key=lambda row: (-row["due"], row["first"], -row["calls"]), default=None
    )
    return DialerToday(
        campaigns=len(keys),
        planned_calls=sum(row["calls"] for row in per_campaign),
        suggested=suggested["campaign"] if suggested else "",
        suggested_name=Campaign.objects.get(key=suggested["campaign"]).name if suggested else "",
        suggested_calls=suggested["calls"] if suggested else 0,
        suggested_from=suggested["first"] if suggested else None,
        keys=tuple(row["campaign"] for row in per_campaign),
    )


@dataclass(frozen=True, slots=True)
class DialerCounts:
    campaigns: int
    bots: int
    history_calls: int  # past calls made and closed (refused dials are not calls)
    history_abandoned: int


# What became of a dialled number, as weights (a predictive campaign on aged debt).
_RESULTS: tuple[tuple[str, int], ...] = (
    ("no_answer", 38),
    ("busy", 8),
    ("machine", 20),
    ("person", 31),
    ("not_in_service", 3),
)
# What the agent recorded when a person was put through.
_CONVERSATIONS: tuple[tuple[str, int], ...] = (
    (Disposition.RIGHT_PARTY_CONTACT, 44),
    (Disposition.PROMISE_TO_PAY, 12),
    (Disposition.CALLBACK_REQUESTED, 10),
    (Disposition.THIRD_PARTY, 18),
    (Disposition.REFUSED, 11),
    (Disposition.WRONG_NUMBER, 5),
)
# A person-answered call finds no agent whenever that keeps the campaign's abandon rate at or
# under this, in its 30 days (and 24 hours, in the UK): a floor paced near its limit, not over.
ABANDON_CEILING = 0.029
# The busiest campaign's past is this many times the others' (the one the wallboard is read by).
BUSIEST_SHARE = 3
# The share of US numbers the creditor's file shows the consumer gave on the application.
CONSENT_SHARE = 0.8
DAY_OVER = "demo history: that day's dialling is over"


@dataclass(slots=True)
class _Tally:
    calls: int = 0
    abandoned: int = 0
    people: int = 0


def _history_accounts(campaign: Campaign, today: date) -> list[tuple[int, Phone]]:
    """(account, its primary debtor's first valid phone) of the campaign's client's active
    accounts, leaving out today's planned calls (their caps are the plan's to use)."""
    if campaign.client_id is None:
        return []
    planned_today = PlanItem.objects.filter(plan_date=today, channel="call").values("account_id")
    links = list(
        AccountDebtor.objects.filter(
            role=AccountDebtor.Role.PRIMARY,
            account__client_id=campaign.client_id,
            account__status=Account.Status.ACTIVE,
        )
        .exclude(account_id__in=planned_today)
        .order_by("account_id")
        .values_list("account_id", "debtor_id")
    )
    phones: dict[int, Phone] = {}
    for phone in Phone.objects.filter(
        debtor_id__in=[debtor for _account, debtor in links], status=ContactStatus.VALID
    ).order_by("debtor_id", "pk"):
        phones.setdefault(phone.debtor_id, phone)
    return [(account, phones[debtor]) for account, debtor in links if debtor in phones]


def demo_application_consents(
    *, phones: Iterable[Phone], now: datetime, rng: random.Random, share: float = CONSENT_SHARE
) -> int:
    """Prior express consent to autodialled calls for ``share`` of the US numbers given, as the
    creditor's file records it: the number the consumer gave on the credit application (the
    FCC's 2008 ruling for calls about that debt). Without it the TCPA refuses every
    autodialled call to a mobile, so a US predictive campaign dials only the rest; the numbers
    left without consent are refused at dial time with the rule, and wait for a manual call."""
    granted = 0
    seen: set[tuple[int, str]] = set()
    for phone in sorted(phones, key=lambda phone: (phone.debtor_id, phone.e164)):
        key = (phone.debtor_id, phone.e164)
        if phone.region_code != "US" or key in seen:
            continue
        seen.add(key)
        if (
            rng.random() >= share
            or Consent.objects.filter(
                debtor_id=phone.debtor_id, contact_point=phone.e164, channel="call"
            ).exists()
        ):
            continue
        consent_grant(
            debtor_id=phone.debtor_id,
            channel="call",
            contact_point=phone.e164,
            source="application",
            scope="autodialled",
            at=now - timedelta(days=rng.randrange(400, 1500)),
            evidence="the number the consumer gave on the credit application (client file)",
        )
        granted += 1
    return granted


def _planned_phones(today: date) -> list[Phone]:
    """The phones today's planned calls will dial."""
    wanted = set(
        PlanItem.objects.filter(
            plan_date=today, channel="call", status=PlanItem.Status.PLANNED
        ).values_list("debtor_id", "contact_point")
    )
    debtors = {debtor for debtor, _point in wanted if debtor is not None}
    return [
        phone
        for phone in Phone.objects.filter(debtor_id__in=debtors).order_by("pk")
        if (phone.debtor_id, phone.e164) in wanted
    ]


def _may_abandon(campaign: Campaign, figures: CampaignFigures) -> bool:
    def within(abandoned: int, answered: int) -> bool:
        return (abandoned + 1) / (answered + 1) <= ABANDON_CEILING

    return within(figures.abandoned_30d, figures.live_answered_30d) and (
        not campaign.enforce_24_hour_window
        or within(figures.abandoned_24h, figures.live_answered_24h)
    )


def _history_call(
    campaign: Campaign,
    entry: HopperEntry,
    moment: datetime,
    rng: random.Random,
    agents: Sequence[User],
    tally: _Tally,
) -> None:
    """One past call through the dialer's services, each step at its own moment."""
    with _at(moment):
        figures = campaign_figures(campaign_id=campaign.pk, now=moment)
        calls = calls_dial_authorize(
            campaign_id=campaign.pk, entries=[entry], figures=figures, now=moment
        )
    if not calls:
        return  # refused at dial time (a cap, the hour): the entry says why
    call = calls[0]
    result = weighted_choice(rng, _RESULTS)
    ringing = moment + timedelta(seconds=rng.randrange(1, 4))
    with _at(ringing):
        call_event_apply(call_id=call.pk, state="ringing", at=ringing)
    outcome, disposition, agent_id = result, "", None
    end = ringing + timedelta(seconds=campaign.ring_timeout_seconds)
    if result in ("machine", "person"):
        answered = ringing + timedelta(seconds=rng.randrange(4, 15))
        person = result == "person"
        with _at(answered):
            call_event_apply(
                call_id=call.pk, state="answered", at=answered, answered_by_person=person
            )
        end = answered + timedelta(seconds=rng.randrange(3, 30))
        if not person and campaign.machines == Campaign.Machines.LEAVE_MESSAGE:
            outcome = Call.Outcome.VOICEMAIL_LEFT
        elif person:
            tally.people += 1
            # Every call made so far (this one excepted) has ended within minutes of its dial.
            so_far = campaign_figures(campaign_id=campaign.pk, now=moment + timedelta(minutes=15))
            if _may_abandon(campaign, so_far):
                outcome = Call.Outcome.ABANDONED
                tally.abandoned += 1
            else:
                connected = answered + timedelta(seconds=1)
                with _at(connected):
                    call_event_apply(call_id=call.pk, state="connected", at=connected)
                outcome, agent_id = Call.Outcome.CONNECTED, rng.choice(agents).pk
                disposition = weighted_choice(rng, _CONVERSATIONS)
                end = connected + timedelta(seconds=rng.randrange(60, 420))
    with _at(end):
        call_outcome_record(
            call_id=call.pk,
            outcome=outcome,
            at=end,
            agent_id=agent_id,
            disposition=disposition,
            summary="Demo history" if agent_id else "",
        )
    tally.calls += 1


def demo_dialer_history_create(
    *,
    now: datetime,
    campaigns: Sequence[Campaign],
    agents: Sequence[User],
    days: int = 7,
    calls_per_day: int = 8,
    seed: int = 14,
) -> _Tally:
    """``calls_per_day`` past calls a day for ``days`` days in each campaign (three times as many
    in the first, the busiest: enough people answer there for the abandon figures to move), through the
    dialer's services (gate, states, outcome, history, recycling) with the clock at each moment.

    The hopper entries of those days are the demo's stand-in for the plans they came from (the
    demo keeps no past plans); once their calls are closed, their days are over (DONE).
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    tally = _Tally()
    for number, campaign in enumerate(campaigns):
        per_day = calls_per_day * (BUSIEST_SHARE if number == 0 else 1)
        candidates = _history_accounts(campaign, now.date())
        rng.shuffle(candidates)
        candidates = candidates[: per_day * days]
        demo_application_consents(phones=[phone for _a, phone in candidates], now=now, rng=rng)
        for days_ago in range(days, 0, -1):
            day = now - timedelta(days=days_ago)
            picked = candidates[:per_day]
            candidates = candidates[per_day:] + picked  # everyone's turn before a second
            moments = []
            for account_id, phone in picked:
                zone = (phone.time_zones or ["UTC"])[0]
                local = day.astimezone(ZoneInfo(zone)).replace(
                    hour=rng.randrange(10, 17), minute=rng.randrange(60), second=0, microsecond=0
                )
                moments.append((local.astimezone(UTC), account_id, phone, zone, local))
            # In the order they happened, so each call's figures include every call before it.
            for moment, account_id, phone, zone, local in sorted(moments, key=lambda m: m[0:2]):
                entry, created = HopperEntry.objects.get_or_create(
                    campaign=campaign,
                    plan_date=local.date(),
                    account_id=account_id,
                    defaults={
                        "debtor_id": phone.debtor_id,
                        "phone": phone.e164,
                        "time_zone": zone,
                        "best_hour": local.hour,
                        "not_before": moment,
                        # As ``hopper_take`` hands it to the dialer: dialling, first attempt.
                        "status": HopperEntry.Status.DIALLING,
                        "attempts": 1,
                        "updated_at": moment,
                    },
                )
                if created:
                    _history_call(campaign, entry, moment, rng, agents, tally)
    HopperEntry.objects.filter(
        campaign__in=list(campaigns),
        plan_date__lt=now.date(),
        status__in=[HopperEntry.Status.WAITING, HopperEntry.Status.DIALLING],
    ).update(status=HopperEntry.Status.DONE, reason="day_over", detail=DAY_OVER, updated_at=now)
    return tally


def _history_campaigns(now: datetime) -> list[Campaign]:
    """The dialled (not preview) campaigns with calls in today's plan, busiest first."""
    counts = dict(
        PlanItem.objects.filter(
            plan_date=now.date(), channel="call", status=PlanItem.Status.PLANNED
        )
        .values("campaign")
        .annotate(calls=Count("pk"))
        .values_list("campaign", "calls")
    )
    campaigns = Campaign.objects.filter(key__in=list(counts)).exclude(mode=Campaign.Mode.PREVIEW)
    return sorted(campaigns, key=lambda campaign: (-counts[campaign.key], campaign.key))


@audit_system("solvent demo: the dialer's campaigns, agents and past calls")
def demo_dialer_create(
    *,
    now: datetime,
    agents: Sequence[User] = (),
    history_days: int = 7,
    calls_per_day: int = 8,
    seed: int = 14,
) -> DialerCounts:
    """The demo's campaigns and bot agents, and ``history_days`` of past calls taken by the
    named agents and the bots."""
    bots = demo_bots_create()
    campaigns = demo_campaigns_create(now=now)
    demo_application_consents(
        phones=_planned_phones(now.date()),
        now=now,
        rng=random.Random(seed),  # noqa: S311 - reproducible demo data
    )
    tally = demo_dialer_history_create(
        now=now,
        campaigns=_history_campaigns(now),
        agents=[*agents, *bots],
        days=history_days,
        calls_per_day=calls_per_day,
        seed=seed,
    )
    return DialerCounts(
        campaigns=len(campaigns),
        bots=len(bots),
        history_calls=tally.calls,
        history_abandoned=tally.abandoned,
    )


def demo_calls_bring_forward(*, campaign_key: str, now: datetime) -> int:
    """Today's later calls of the suggested campaign come due now, so a newcomer who goes ready
    is called within seconds instead of at the plan's next hour. Only when it is: the gate still
    decides each call at dial time, in the debtor's own hours. Answers how many moved."""
    moved = PlanItem.objects.filter(
        plan_date=now.date(),
        campaign=campaign_key,
        channel="call",
        status=PlanItem.Status.PLANNED,
        planned_at__gt=now,
    ).update(planned_at=now)
    HopperEntry.objects.filter(
        campaign__key=campaign_key, status=HopperEntry.Status.WAITING, not_before__gt=now
    ).update(not_before=now, updated_at=now)
    return moved
