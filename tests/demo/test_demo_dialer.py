"""The demo's dialer: a campaign for every call today's plan gave, bot agents on the floor, a past
of finished calls, and the demo's start says how to take a call."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.demo.dialer import DEMO_BOTS, FLOOR_TEAM
from solvent.dialer.models import Campaign
from solvent.portfolio.models import Team
from solvent.strategy.models import PlanItem, Strategy

pytestmark = pytest.mark.django_db


def test_every_call_of_todays_demo_plan_has_its_campaign_and_bots_take_calls(
    tmp_path, settings
) -> None:
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--no-serve", "--accounts", "150", stdout=out)
    calls = PlanItem.objects.filter(channel="call", status=PlanItem.Status.PLANNED)
    keys = set(calls.values_list("campaign", flat=True))
    assert calls.count() >= 5, "the demo's plan for today has calls to dial"
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
    named = printed.split("log in to the campaign ")[1].split(",")[0]
    assert named in keys and campaigns[named].mode != Campaign.Mode.PREVIEW, named
    # Loading again changes nothing.
    call_command("demo", "--no-serve", "--accounts", "150", stdout=StringIO())
    assert Campaign.objects.count() == len(campaigns)
