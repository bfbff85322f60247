"""A small campaign for the engine's tests and the crash test: dialable debtors planned for today.

Built from track A's service fixtures (Ohio debtors with consent on their mobiles, Tuesday 9 June
2026, noon in Columbus) plus a team for the bots. ``ticking_clock`` moves the world's clock from
NOON at the wall clock's pace, as the running dialer needs time to pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from solvent.dialer.models import Campaign
from solvent.portfolio.models import Team
from tests.compliance.services.compliance_fixtures import NOON
from tests.dialer.services.dialer_fixtures import campaign_create, dialable_debtor, plan_item_create

CAMPAIGN = "acme-standard"


def campaign_world(debtors: int, **fields: object) -> Campaign:
    """A campaign and ``debtors`` dialable debtors, each with one call planned for today."""
    campaign = campaign_create(CAMPAIGN, **fields)
    team, _ = Team.objects.get_or_create(name="Acme floor")
    if campaign.client_id is not None:
        team.clients.add(campaign.client_id)
    campaign.team = team
    campaign.save(update_fields=["team"])
    for number in range(debtors):
        who = dialable_debtor(str(number + 1))
        plan_item_create(who, campaign=CAMPAIGN, planned_at=NOON - timedelta(hours=1))
    return campaign


def ticking_clock(start: datetime = NOON) -> Callable[[], datetime]:
    """``start``, then moving on with the wall clock."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)
