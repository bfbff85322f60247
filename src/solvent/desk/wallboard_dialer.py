"""The wallboard's dialer card: each campaign of the board's clients, now.

Per campaign: its status and mode, its agents by state (the paused ones with their reasons), the
lines up, the numbers waiting in the hopper, the day's dials and connects, and the abandon figures
over the last 30 days and 24 hours with numerator and denominator, marked as the 3% limit nears
(from 2.4%) and when it is passed. The counts are ``dialer.selectors_campaigns.campaign_floor_list``'s
(the definitions of ``dialer.selectors.campaign_figures``), three queries whatever the number of
campaigns, agents and calls. A past day shows that day's dials and connects, and the windows ending
at its end; agents and lines are today's only. docs/wallboard.md defines each figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from solvent.desk.wallboard_ledger import day_bounds
from solvent.desk.wallboard_scope import WallboardScope
from solvent.dialer.models import Campaign
from solvent.dialer.selectors_campaigns import CampaignFloor, campaign_floor_list


@dataclass(frozen=True)
class DialerBoard:
    live: bool
    campaigns: list[CampaignFloor]

    @property
    def warnings(self) -> list[CampaignFloor]:
        """The campaigns near or over the limit in either window (the card's banner)."""
        return [floor for floor in self.campaigns if {floor.level_30d, floor.level_24h} - {"ok"}]


def wallboard_dialer_get(*, scope: WallboardScope, now: datetime, live: bool) -> DialerBoard:
    """The campaigns of the board's clients (a team filter: also its campaigns of no client)."""
    start, end = day_bounds(scope.day)
    shown = Q(client_id__in=list(scope.client_ids))
    if scope.team is not None:
        shown |= Q(client__isnull=True, team=scope.team)
    campaigns = Campaign.objects.filter(shown).select_related("client").order_by("key")
    floors = campaign_floor_list(
        campaigns=campaigns, day_start=start, now=now if live else min(now, end)
    )
    return DialerBoard(live=live, campaigns=floors)
