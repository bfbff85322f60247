"""The hopper: filled from today's planned calls of the campaign, taken best first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from solvent.audit.models import AuditEntry
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.dialer.models import HopperEntry
from solvent.dialer.services import hopper_fill, hopper_take
from solvent.portfolio.models import ContactStatus, Phone
from solvent.strategy.models import PlanItem
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create
from tests.dialer.services.dialer_fixtures import campaign_create, entry_create, plan_item_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOON)


def test_fill_adds_todays_planned_calls_of_the_campaign_once() -> None:
    campaign = campaign_create()
    first, second = ohio_debtor_create("a"), ohio_debtor_create("b")
    item = plan_item_create(first, planned_at=NOON + timedelta(hours=3), priority=5.0)
    plan_item_create(second, planned_at=NOON - timedelta(hours=1), priority=2.0)
    plan_item_create(second, campaign="other-campaign", loan=True)
    plan_item_create(first, channel="sms", loan=True)
    third = ohio_debtor_create("c")
    plan_item_create(third, status=PlanItem.Status.SKIPPED)

    assert hopper_fill(campaign_id=campaign.pk, now=NOON) == 2
    assert hopper_fill(campaign_id=campaign.pk, now=NOON) == 0, "a refill adds nothing twice"

    entry = HopperEntry.objects.get(account=first.card)
    assert entry.plan_item_id == item.pk
    assert (entry.debtor_id, entry.phone, entry.priority) == (first.debtor.pk, MOBILE, 5.0)
    assert entry.not_before == NOON + timedelta(hours=3), "from the plan's lawful time"
    assert entry.best_hour == 15, "the planned hour, in the debtor's zone (15:00 in Columbus)"
    assert entry.status == HopperEntry.Status.WAITING
    assert AuditEntry.objects.filter(action="dialer.hopper_filled").count() == 1


def test_fill_keeps_at_most_the_hopper_size_waiting_best_first() -> None:
    campaign = campaign_create(hopper_size=2)
    debtors = [ohio_debtor_create(str(index)) for index in range(4)]
    for index, who in enumerate(debtors):
        plan_item_create(who, priority=float(index))

    assert hopper_fill(campaign_id=campaign.pk, now=NOON) == 2
    assert set(HopperEntry.objects.values_list("priority", flat=True)) == {3.0, 2.0}
    assert hopper_fill(campaign_id=campaign.pk, now=NOON) == 0, "full"

    hopper_take(campaign_id=campaign.pk, count=1, now=NOON)
    assert hopper_fill(campaign_id=campaign.pk, now=NOON) == 1, "refilled as it drains"
    assert set(HopperEntry.objects.values_list("priority", flat=True)) == {3.0, 2.0, 1.0}


def test_fill_puts_the_calls_due_now_before_the_later_ones() -> None:
    campaign = campaign_create(hopper_size=3)
    debtors = [ohio_debtor_create(str(index)) for index in range(5)]
    plan_item_create(debtors[0], planned_at=NOON + timedelta(hours=6), priority=50.0)
    plan_item_create(debtors[1], planned_at=NOON + timedelta(hours=2), priority=40.0)
    plan_item_create(debtors[2], planned_at=NOON - timedelta(hours=1), priority=1.0)
    plan_item_create(debtors[3], planned_at=NOON, priority=2.0)
    plan_item_create(debtors[4], planned_at=NOON + timedelta(hours=2), priority=45.0)

    assert hopper_fill(campaign_id=campaign.pk, now=NOON) == 3
    added = HopperEntry.objects.values_list("account__account_number", flat=True)
    assert set(added) == {"CARD-2", "CARD-3", "CARD-4"}


def test_fill_takes_the_plan_of_the_debtors_own_day() -> None:
    campaign = campaign_create()
    who = ohio_debtor_create()
    plan_item_create(who)  # planned for 9 June
    # 01:00 UTC on 10 June is still 21:00 on 9 June in Columbus: today's plan there.
    late = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)
    assert hopper_fill(campaign_id=campaign.pk, now=late) == 1
    HopperEntry.objects.all().delete()
    # 05:00 UTC on 10 June is 01:00 on 10 June in Columbus: the 9 June plan is yesterday's.
    assert hopper_fill(campaign_id=campaign.pk, now=late + timedelta(hours=4)) == 0


def test_a_number_marked_wrong_since_planning_joins_skipped() -> None:
    campaign = campaign_create()
    who = ohio_debtor_create()
    plan_item_create(who)
    Phone.objects.filter(debtor=who.debtor, e164=MOBILE).update(status=ContactStatus.WRONG_NUMBER)

    assert hopper_fill(campaign_id=campaign.pk, now=NOON) == 1
    entry = HopperEntry.objects.get()
    assert (entry.status, entry.reason) == (HopperEntry.Status.SKIPPED, "number_invalid")
    assert hopper_take(campaign_id=campaign.pk, count=5, now=NOON) == []


def test_fill_of_an_unknown_campaign_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        hopper_fill(campaign_id=9999, now=NOON)


def test_take_gives_the_best_entries_that_may_be_dialled_now() -> None:
    campaign = campaign_create()
    debtors = [ohio_debtor_create(str(index)) for index in range(5)]
    low = entry_create(campaign, debtors[0], priority=1.0)
    high = entry_create(campaign, debtors[1], priority=9.0)
    later = entry_create(campaign, debtors[2], priority=20.0, not_before=NOON + timedelta(hours=1))
    done = entry_create(campaign, debtors[3], priority=30.0, status=HopperEntry.Status.DONE)
    middle = entry_create(campaign, debtors[4], priority=5.0)

    taken = hopper_take(campaign_id=campaign.pk, count=2, now=NOON)

    assert [entry.pk for entry in taken] == [high.pk, middle.pk]
    assert all(entry.status == HopperEntry.Status.DIALLING for entry in taken)
    assert all(entry.attempts == 1 for entry in taken)
    stored = {entry.pk: entry.status for entry in HopperEntry.objects.all()}
    assert stored[low.pk] == stored[later.pk] == HopperEntry.Status.WAITING
    assert stored[done.pk] == HopperEntry.Status.DONE
    assert stored[high.pk] == HopperEntry.Status.DIALLING
    assert [e.pk for e in hopper_take(campaign_id=campaign.pk, count=5, now=NOON)] == [low.pk]
    assert hopper_take(campaign_id=campaign.pk, count=5, now=NOON) == []


def test_at_equal_priority_the_debtor_nearest_their_best_hour_goes_first() -> None:
    campaign = campaign_create()
    debtors = [ohio_debtor_create(str(index)) for index in range(4)]
    # Noon in Columbus is 09:00 in Los Angeles and 17:00 in London.
    unknown = entry_create(campaign, debtors[0], best_hour=None)
    far = entry_create(campaign, debtors[1], best_hour=18)
    los_angeles = entry_create(campaign, debtors[2], best_hour=9, time_zone="America/Los_Angeles")
    near = entry_create(campaign, debtors[3], best_hour=13)

    taken = hopper_take(campaign_id=campaign.pk, count=4, now=NOON)

    assert [entry.pk for entry in taken] == [los_angeles.pk, near.pk, far.pk, unknown.pk]


def test_take_of_chosen_entries_takes_only_those() -> None:
    campaign = campaign_create()
    first, second = ohio_debtor_create("a"), ohio_debtor_create("b")
    entry_create(campaign, first, priority=9.0)
    chosen = entry_create(campaign, second, priority=1.0)
    taken = hopper_take(campaign_id=campaign.pk, count=1, now=NOON, entry_ids=[chosen.pk])
    assert [entry.pk for entry in taken] == [chosen.pk]
    assert hopper_take(campaign_id=campaign.pk, count=1, now=NOON, entry_ids=[chosen.pk]) == []
    assert hopper_take(campaign_id=campaign.pk, count=0, now=NOON) == []
