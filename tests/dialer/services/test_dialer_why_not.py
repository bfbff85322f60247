"""'Why is this account not in the hopper?': every reason, in words an agent understands."""

from __future__ import annotations

from datetime import timedelta

import pytest

from solvent.dialer.models import Campaign, HopperEntry
from solvent.dialer.selectors import WhyNot, hopper_why_not
from solvent.portfolio.models import ContactStatus, Phone
from solvent.strategy.models import PlanItem
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create
from tests.dialer.services.dialer_fixtures import campaign_create, entry_create, plan_item_create

pytestmark = pytest.mark.django_db


def _why(account_id: int) -> list[tuple[str, str]]:
    return [
        (reason.code, reason.text) for reason in hopper_why_not(account_id=account_id, now=NOON)
    ]


def test_an_account_with_no_plan_today_is_not_planned() -> None:
    who = ohio_debtor_create()
    assert _why(who.card.pk) == [
        (
            "not_planned_today",
            "Not planned for a call today: today's plan has nothing for this account.",
        )
    ]


def test_a_plan_item_skipped_by_the_plan_says_why() -> None:
    who = ohio_debtor_create()
    plan_item_create(who, status=PlanItem.Status.SKIPPED)
    PlanItem.objects.update(detail="team acme's staffed calls for 2026-06-09 are all planned")
    ((code, text),) = _why(who.card.pk)
    assert code == "not_planned_today"
    assert "staffed calls" in text


def test_a_plan_that_sends_a_message_today_is_not_a_call() -> None:
    who = ohio_debtor_create()
    plan_item_create(who, channel="sms")
    assert _why(who.card.pk) == [
        ("not_planned_today", "Not planned for a call today: today's plan uses sms.")
    ]


def test_a_campaign_nobody_created_is_missing() -> None:
    who = ohio_debtor_create()
    plan_item_create(who, campaign="acme-late")
    ((code, text),) = _why(who.card.pk)
    assert code == "campaign_missing"
    assert "'acme-late'" in text


def test_a_planned_call_for_later_today_is_outside_its_window_now() -> None:
    campaign_create()
    who = ohio_debtor_create()
    plan_item_create(who, planned_at=NOON + timedelta(hours=2))
    assert _why(who.card.pk) == [
        (
            "outside_window",
            "Outside its calling window now: planned from 14:00 (the debtor's time).",
        )
    ]


def test_a_planned_call_not_yet_in_the_hopper_waits_for_the_refill() -> None:
    campaign_create()
    who = ohio_debtor_create()
    plan_item_create(who, planned_at=NOON - timedelta(hours=2))
    ((code, text),) = _why(who.card.pk)
    assert code == "waiting"
    assert "next refill" in text


def test_a_paused_campaign_is_said_beside_the_entrys_place() -> None:
    campaign = campaign_create(status=Campaign.Status.PAUSED)
    who = ohio_debtor_create()
    entry_create(campaign, who)
    reasons = hopper_why_not(account_id=who.card.pk, now=NOON)
    assert [reason.code for reason in reasons] == ["campaign_paused", "waiting"]
    assert reasons[0].text == "The campaign Acme standard is paused: nothing new is dialled."


def test_a_waiting_entry_says_its_place_in_line() -> None:
    campaign = campaign_create()
    first, second, third = (ohio_debtor_create(s) for s in "abc")
    entry_create(campaign, first, priority=9.0)
    entry_create(campaign, second, priority=8.0)
    entry_create(campaign, third, priority=1.0, attempts=1)
    assert _why(third.card.pk) == [
        ("waiting", "Waiting in the hopper: number 3 in line (dialled 1 of 3 times today).")
    ]


def test_an_entry_waiting_for_a_retry_says_from_when() -> None:
    campaign = campaign_create()
    who = ohio_debtor_create()
    entry_create(campaign, who, not_before=NOON + timedelta(minutes=30), reason="busy_retry")
    assert _why(who.card.pk) == [
        ("outside_window", "Outside its calling window now: next from 12:30 (the debtor's time).")
    ]


def test_an_entry_the_gate_holds_back_until_later_today_says_the_rule() -> None:
    campaign = campaign_create()
    who = ohio_debtor_create()
    entry_create(
        campaign,
        who,
        not_before=NOON + timedelta(hours=1),
        reason="regf.call_frequency.post_conversation_7d",
        detail="A telephone conversation about this debt took place within 7 days",
    )
    ((code, text),) = _why(who.card.pk)
    assert code == "cap_reached"
    assert text.endswith(
        "(rule regf.call_frequency.post_conversation_7d); next from 13:00 (the debtor's time)."
    )


def test_an_entry_being_dialled_says_so() -> None:
    campaign = campaign_create()
    who = ohio_debtor_create()
    entry_create(campaign, who, status=HopperEntry.Status.DIALLING, attempts=1)
    assert _why(who.card.pk) == [("dialling_now", "Being dialled now.")]


def test_an_entry_out_of_attempts_says_how_many() -> None:
    campaign = campaign_create()
    who = ohio_debtor_create()
    entry_create(campaign, who, status=HopperEntry.Status.DONE, attempts=3, reason="attempts_used")
    assert _why(who.card.pk) == [
        ("attempts_used", "Already dialled 3 times today (the campaign allows 3).")
    ]


def test_an_entry_done_for_today_gives_the_reason() -> None:
    campaign = campaign_create()
    who = ohio_debtor_create()
    entry_create(
        campaign,
        who,
        status=HopperEntry.Status.DONE,
        attempts=1,
        reason="reached",
        detail="reached today: an agent spoke with the person",
    )
    assert _why(who.card.pk) == [
        ("done_today", "Done for today: reached today: an agent spoke with the person.")
    ]


def test_a_number_marked_wrong_is_said_once() -> None:
    campaign = campaign_create()
    who = ohio_debtor_create()
    Phone.objects.filter(debtor=who.debtor, e164=MOBILE).update(status=ContactStatus.WRONG_NUMBER)
    entry_create(campaign, who, status=HopperEntry.Status.DONE, reason="wrong_number")
    reasons = hopper_why_not(account_id=who.card.pk, now=NOON)
    assert reasons[0] == WhyNot("number_invalid", f"The number {MOBILE} is marked a wrong number.")
    assert [reason.code for reason in reasons] == ["number_invalid", "done_today"]
    HopperEntry.objects.update(
        status=HopperEntry.Status.SKIPPED,
        reason="number_invalid",
        detail=f"the number {MOBILE} is marked wrong or invalid",
    )
    assert [reason.code for reason in hopper_why_not(account_id=who.card.pk, now=NOON)] == [
        "number_invalid"
    ]
