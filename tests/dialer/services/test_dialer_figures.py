"""A campaign's abandon figures, counted from its calls over (now - 30 days, now] and 24 hours.

A call answered exactly 30 days (or 24 hours) before now has left the window: the window is the
last 30 days up to and including now, half-open at its far end, so a call counts for exactly 30
days and no longer. The same rule for both windows and both counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solvent.compliance.domain.model import CampaignFigures
from solvent.dialer.models import Call, Campaign
from solvent.dialer.selectors import call_id_of, call_ref, campaign_figures
from tests.compliance.services.compliance_fixtures import NOON, ohio_debtor_create
from tests.dialer.services.dialer_fixtures import campaign_create

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)


def _call(campaign: Campaign, answered_at: datetime | None, **fields: object) -> Call:
    who = ohio_debtor_create(f"{Call.objects.count()}")
    values: dict[str, object] = {
        "campaign": campaign,
        "account": who.card,
        "debtor_id": who.debtor.pk,
        "phone": "+16142250123",
        "state": Call.State.ENDED,
        "started_at": (answered_at or NOON) - timedelta(seconds=10),
        "answered_at": answered_at,
    }
    values.update(fields)
    return Call.objects.create(**values)


def _abandoned(campaign: Campaign, at: datetime) -> Call:
    return _call(campaign, at, outcome=Call.Outcome.ABANDONED, answered_by_person=True)


def _connected(campaign: Campaign, at: datetime) -> Call:
    return _call(campaign, at, outcome=Call.Outcome.CONNECTED, connected_at=at)


def test_a_call_answered_exactly_thirty_days_ago_has_left_the_window() -> None:
    campaign = campaign_create()
    _abandoned(campaign, NOON - timedelta(days=30))  # out
    _abandoned(campaign, NOON - timedelta(days=30) + TICK)  # in the 30 days
    _connected(campaign, NOON - timedelta(hours=24))  # in the 30 days, out of the 24 hours
    _connected(campaign, NOON - timedelta(hours=24) + TICK)  # in both
    _abandoned(campaign, NOON)  # now itself: in both
    _connected(campaign, NOON + TICK)  # the future (a later clock's call): not yet

    assert campaign_figures(campaign_id=campaign.pk, now=NOON) == CampaignFigures(
        abandoned_30d=2, live_answered_30d=4, abandoned_24h=1, live_answered_24h=2
    )


def test_only_calls_a_person_answered_count_and_only_the_campaigns_own() -> None:
    campaign, other = campaign_create(), campaign_create(key="other")
    at = NOON - timedelta(hours=1)
    _call(campaign, None, outcome=Call.Outcome.NO_ANSWER)
    _call(campaign, None, outcome=Call.Outcome.BUSY)
    _call(campaign, at, outcome=Call.Outcome.MACHINE, answered_by_person=False)
    _call(campaign, at, outcome=Call.Outcome.VOICEMAIL_LEFT, answered_by_person=False)
    # A machine that reached an agent (detection off) is not a person.
    _call(campaign, at, outcome=Call.Outcome.CONNECTED, connected_at=at, answered_by_person=False)
    _call(campaign, at, state=Call.State.CONNECTED, connected_at=at)  # talking now: counted
    _call(campaign, at, state=Call.State.ANSWERED, answered_by_person=True)  # fate not known yet
    _call(campaign, None, outcome=Call.Outcome.INTERRUPTED)  # the dialer died while it rang
    _call(campaign, at, outcome=Call.Outcome.INTERRUPTED, connected_at=at)  # was talking
    _call(campaign, at, outcome=Call.Outcome.ABANDONED)  # no verdict: a person, abandoned
    _abandoned(other, at)
    _connected(campaign, at)

    assert campaign_figures(campaign_id=campaign.pk, now=NOON) == CampaignFigures(
        abandoned_30d=1, live_answered_30d=4, abandoned_24h=1, live_answered_24h=4
    )


def test_the_figures_are_one_query() -> None:
    campaign = campaign_create()
    _abandoned(campaign, NOON - timedelta(hours=2))
    with CaptureQueriesContext(connection) as queries:
        campaign_figures(campaign_id=campaign.pk, now=NOON)
    assert len(queries) == 1


def test_a_call_ref_names_the_call_and_back() -> None:
    assert call_ref(42) == "call-42"
    assert call_id_of(call_ref(42)) == 42
    for wrong in ("call-", "call-x", "42", "sip-42"):
        with pytest.raises(ValueError, match="not a dialer call ref"):
            call_id_of(wrong)
