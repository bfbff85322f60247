"""The wallboard's dialer card: per campaign of the board's clients, agents by state, lines, the
hopper, today's dials and connects, and the abandon figures (30 days, 24 hours) with numerator and
denominator, marked as the 3% limit nears; the same counts as ``selectors.campaign_figures``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.dialer.domain.campaigns import abandon_level, abandon_rate
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.dialer.selectors import campaign_figures
from solvent.dialer.selectors_campaigns import agency_day_start, campaign_floor_list
from tests.desk.dialer_supervision_world import (
    Floor,
    account_create,
    call_create,
    campaign_create,
    floor_build,
    session_create,
    user_create,
)

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)


# --- the pure rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("abandoned", "answered", "level"),
    [
        (0, 0, "ok"),
        (0, 100, "ok"),
        (2, 100, "ok"),
        (24, 1000, "near"),
        (3, 100, "near"),
        (31, 1000, "over"),
        (1, 1, "over"),
    ],
)
def test_the_limit_nears_from_2_4_percent_and_is_passed_above_3(abandoned, answered, level) -> None:
    assert abandon_level(abandoned, answered) == level


def test_no_rate_before_anybody_answered() -> None:
    assert abandon_rate(0, 0) is None and abandon_rate(1, 4) == 0.25


# --- the card ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def floor(db) -> Floor:
    world = floor_build(NOW)
    campaign = world.acme_campaign
    # 30 days: 39 reached an agent, one abandoned 3 days ago (1 / 40 = 2.5%: near the limit);
    # 24 hours: one connected this morning, none abandoned; a machine dropped (not a person).
    for n in range(38):
        call_create(
            campaign,
            world.account,
            started_at=NOW - timedelta(days=5, minutes=n),
            agent=world.ann,
            outcome="connected",
            answered_by_person=True,
        )
    call_create(campaign, world.account, started_at=NOW - timedelta(days=3), outcome="abandoned")
    call_create(
        campaign,
        world.account,
        started_at=NOW - timedelta(hours=3),
        agent=world.ann,
        outcome="connected",
        answered_by_person=True,
    )
    call_create(
        campaign,
        world.account,
        started_at=NOW - timedelta(hours=2),
        outcome="machine",
        answered_by_person=False,
    )
    call_create(
        campaign, world.account, started_at=NOW - timedelta(minutes=1), state=Call.State.RINGING
    )
    call_create(
        campaign,
        world.account,
        started_at=NOW - timedelta(minutes=2),
        agent=world.abe,
        state=Call.State.CONNECTED,
        answered_by_person=True,
    )
    session_create(campaign, world.ann, AgentSession.State.READY, NOW)
    session_create(campaign, world.abe, AgentSession.State.TALKING, NOW)
    for name, reason in (("amy", "break"), ("al", "break"), ("ash", "training")):
        session_create(
            campaign, user_create(name, None, world.acme_team), "paused", NOW, pause_reason=reason
        )
    HopperEntry.objects.create(
        campaign=campaign,
        plan_date=NOW.date(),
        account=world.account,
        debtor_id=1,
        phone="+15185550100",
        not_before=NOW,
        updated_at=NOW,
    )
    # Globex: over the limit (1 abandoned of 2 answered today).
    call_create(
        world.globex_campaign,
        world.globex_account,
        started_at=NOW - timedelta(hours=1),
        outcome="abandoned",
    )
    call_create(
        world.globex_campaign,
        world.globex_account,
        started_at=NOW - timedelta(hours=1),
        outcome="connected",
        answered_by_person=True,
    )
    return world


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _row(html: str, key: str) -> dict[str, str]:
    row = re.search(rf'<tr data-campaign="{key}">(.*?)</tr>', html, re.S)
    assert row, key
    cells = re.findall(r'data-figure="(\w+)"[^>]*>(.*?)</td>', row.group(1), re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for name, text in cells}


@pytest.mark.django_db
def test_each_campaign_of_the_board_with_its_figures(floor) -> None:
    html = _as(floor.sue).get("/wallboard/figures/").content.decode()
    row = _row(html, "acme-early")
    assert row["ready"] == "1" and row["talking"] == "1"
    assert row["paused"] == "2 break, 1 training"
    assert row["lines_up"] == "2" and row["hopper"] == "1"
    assert row["dials"] == "4" and row["connects"] == "2"  # today: 3 h, 2 h, 2 min and 1 min ago
    assert row["abandon_30d"] == "1 / 41 2.4%"
    assert row["abandon_24h"] == "0 / 2 0.0%"
    assert 'data-figure="abandon_30d" data-level="near"' in html
    assert 'data-testid="abandon-warning"' in html and "near the 3% limit" in html
    assert "globex-late" not in html and 'href="/campaigns/"' in html


@pytest.mark.django_db
def test_over_the_limit_is_marked_over(floor) -> None:
    html = _as(floor.gil).get("/wallboard/figures/").content.decode()
    assert _row(html, "globex-late")["abandon_24h"] == "1 / 2 50.0%"
    assert 'data-figure="abandon_24h" data-level="over"' in html
    assert "over the 3% limit" in html and "acme-early" not in html


@pytest.mark.django_db
def test_the_card_counts_as_the_dialers_own_figures(floor) -> None:
    campaigns = Campaign.objects.order_by("key")
    for row in campaign_floor_list(campaigns=campaigns, day_start=agency_day_start(NOW), now=NOW):
        assert row.figures == campaign_figures(campaign_id=row.campaign.pk, now=NOW)


@pytest.mark.django_db
def test_a_past_day_shows_its_dials_without_the_live_columns(floor) -> None:
    html = _as(floor.ada).get("/wallboard/figures/?date=2026-06-06").content.decode()
    row = _row(html, "acme-early")
    assert "ready" not in row and "lines_up" not in row
    assert row["dials"] == "1" and row["abandon_30d"] == "1 / 39 2.6%"  # up to that day's end


@pytest.mark.django_db
def test_the_card_costs_the_same_queries_for_more_campaigns_agents_and_calls(floor) -> None:
    http = _as(floor.ada)
    with CaptureQueriesContext(connection) as small:
        assert http.get("/wallboard/figures/").status_code == 200
    for n in range(5):
        campaign = campaign_create(f"more-{n}", floor.acme, floor.acme_team, NOW)
        account = account_create(floor.acme)
        call_create(campaign, account, started_at=NOW - timedelta(hours=1), outcome="abandoned")
        agent = user_create(f"more-agent-{n}", None, floor.acme_team)
        session_create(campaign, agent, AgentSession.State.PAUSED, NOW, pause_reason="lunch")
    with CaptureQueriesContext(connection) as large:
        html = http.get("/wallboard/figures/").content.decode()
    assert 'data-campaign="more-4"' in html
    assert len(large.captured_queries) == len(small.captured_queries) <= 30
