"""The dialer's services end to end on one debtor: fill, take, authorise, events, outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest

from solvent.core import clock
from solvent.dialer import selectors
from solvent.dialer.models import Call, HopperEntry
from solvent.dialer.services import (
    call_event_apply,
    call_outcome_record,
    calls_dial_authorize,
    hopper_fill,
    hopper_take,
)
from tests.compliance.services.compliance_fixtures import NOON
from tests.dialer.services.dialer_fixtures import campaign_create, dialable_debtor, plan_item_create

pytestmark = pytest.mark.django_db


def test_a_planned_call_is_filled_taken_dialled_and_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)
    campaign = campaign_create()
    who = dialable_debtor()
    plan_item_create(who, planned_at=NOON - timedelta(hours=1))

    assert hopper_fill(campaign_id=campaign.pk, now=NOON) == 1
    (entry,) = hopper_take(campaign_id=campaign.pk, count=5, now=NOON)
    figures = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON)
    (call,) = calls_dial_authorize(
        campaign_id=campaign.pk, entries=[entry], figures=figures, now=NOON
    )
    call_event_apply(call_id=call.pk, state="ringing", at=NOON + timedelta(seconds=3))
    call_event_apply(
        call_id=call.pk, state="answered", at=NOON + timedelta(seconds=9), answered_by_person=True
    )
    call_event_apply(call_id=call.pk, state="connected", at=NOON + timedelta(seconds=10))
    closed = call_outcome_record(
        call_id=call.pk,
        outcome="connected",
        at=NOON + timedelta(minutes=3),
        disposition="promise_to_pay",
    )
    assert closed.state == Call.State.ENDED
    assert closed.interaction_id is not None
    entry.refresh_from_db()
    assert entry.status == HopperEntry.Status.DONE
    later = selectors.campaign_figures(campaign_id=campaign.pk, now=NOON + timedelta(minutes=5))
    assert later.live_answered_24h == 1
    assert later.abandoned_24h == 0
    why = selectors.hopper_why_not(account_id=who.card.pk, now=NOON + timedelta(minutes=5))
    assert [reason.code for reason in why] == ["done_today"]
