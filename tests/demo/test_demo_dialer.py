"""The demo's dialer: a campaign for every call today's plan gave, bot agents on the floor, a past
of finished calls, and the demo's start says how to take a call."""

from __future__ import annotations

import functools
from io import StringIO

import pytest
from django.core.management import call_command

from solvent.core import clock
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.demo.dialer import DEMO_BOTS, FLOOR_TEAM
from solvent.demo.management.commands import demo as demo_command
from solvent.dialer.models import Call, Campaign, HopperEntry
from solvent.dialer.selectors import campaign_figures
from solvent.dialer.services import hopper_fill
from solvent.portfolio.models import Team
from solvent.strategy.models import PlanItem, Strategy

pytestmark = pytest.mark.django_db


def test_every_call_of_todays_demo_plan_has_its_campaign_and_bots_take_calls(
    tmp_path, settings, monkeypatch
) -> None:
    settings.VAR_DIR = tmp_path
    # A shorter past than the demo's week keeps the test fast; the demo's own hook still runs it.
    monkeypatch.setattr(
        demo_command,
        "demo_dialer_create",
        functools.partial(demo_command.demo_dialer_create, history_days=3, calls_per_day=5),
    )
    out = StringIO()
    call_command("demo", "--no-serve", "--accounts", "150", stdout=out)
    calls = PlanItem.objects.filter(channel="call", status=PlanItem.Status.PLANNED)
    keys = set(calls.values_list("campaign", flat=True))
    # The demo's year of history (demo.analytics) leaves a 150-account book fewer calls due today
    # (accounts paid, settled, recalled, promised or called within the week): a few, not five.
    assert calls.count() >= 3, "the demo's plan for today has calls to dial"
    campaigns = {campaign.key: campaign for campaign in Campaign.objects.all()}
    assert keys <= set(campaigns), keys - set(campaigns)
    for key in keys:
        campaign = campaigns[key]
        assert campaign.status == Campaign.Status.ACTIVE
        assert campaign.client is not None
        assert Strategy.objects.filter(key=key.removeprefix(f"{campaign.client.code}-")).exists()
        assert campaign.team is not None and campaign.team.name == FLOOR_TEAM
    assert campaigns["thames-energy-middle"].enforce_24_hour_window  # the UK's 24 hours
    assert campaigns["lakeside-auto-middle"].mode == Campaign.Mode.PREVIEW
    floor = Team.objects.get(name=FLOOR_TEAM)
    bots = list(floor.members.filter(username__startswith="bot-").order_by("username"))
    assert [bot.username for bot in bots] == [f"bot-{n:02d}" for n in range(1, DEMO_BOTS + 1)]
    assert all(staff_role_get(user=bot) == Role.AGENT for bot in bots)
    assert not any(bot.has_usable_password() for bot in bots)
    # The printed instructions name a campaign that has calls today.
    printed = out.getvalue()
    assert "log in as agent, open Dialer, log in to the campaign " in printed
    named = printed.split("log in to the campaign ")[1].split(", go Ready")[0]
    name, named = named.rsplit(" (", 1)
    named = named.rstrip(")")
    assert name.strip('"') == campaigns[named].name
    assert named in keys and campaigns[named].mode != Campaign.Mode.PREVIEW, named
    # The hopper's source: the busiest campaign fills from today's plan.
    campaign = campaigns[named]
    # Its calls are due now (a newcomer who goes ready is called at once; the gate still decides).
    assert not calls.filter(campaign=named, planned_at__gt=clock.now()).exists()
    assert "due since" in printed
    added = hopper_fill(campaign_id=campaign.pk)
    assert added == calls.filter(campaign=named).count() > 0
    # A week of past calls, each closed into the contact history, under the abandon limit.
    past = Call.objects.filter(started_at__date__lt=clock.today())
    assert past.count() >= 10
    assert not past.exclude(state=Call.State.ENDED).exists()
    assert not past.exclude(outcome="failed").filter(interaction_id__isnull=True).exists()
    assert "connected" in set(past.values_list("outcome", flat=True))
    answered = 0
    for key in set(past.values_list("campaign__key", flat=True)):
        figures = campaign_figures(campaign_id=campaigns[key].pk)
        answered += figures.live_answered_30d
        assert figures.abandoned_30d <= 0.03 * figures.live_answered_30d, (key, figures)
    assert answered > 0
    # The past days are over: nothing of theirs waits to be dialled today.
    waiting = HopperEntry.objects.filter(status=HopperEntry.Status.WAITING)
    assert not waiting.filter(plan_date__lt=clock.today()).exists()
    # Loading again changes nothing.
    call_command("demo", "--no-serve", "--accounts", "150", stdout=StringIO())
    assert Campaign.objects.count() == len(campaigns)
    assert Call.objects.filter(started_at__date__lt=clock.today()).count() == past.count()
