"""The dialer's reads: a campaign's abandon figures, why an account is not being dialled, call refs.

``campaign_figures`` counts the ``Call`` rows themselves (exact, and the same after a restart: no
counter to lose). ``hopper_why_not`` answers the agent's "why is this account not in the hopper?"
in plain words. ``call_ref``/``call_id_of`` name a call for the telephony (``call-<pk>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from solvent.compliance.domain.model import CampaignFigures
from solvent.core import clock
from solvent.dialer.models import Call, Campaign, HopperEntry
from solvent.portfolio.models import ContactStatus, Phone
from solvent.strategy.models import PlanItem

CALL_REF_PREFIX = "call-"

# The two regulatory windows: (now - length, now]. A call answered exactly 30 days (or 24 hours)
# before ``now`` has left the window, as it would a moment later: the windows are "the last 30
# days" and "the last 24 hours" up to and including now (decided in track A of issue 14, tested).
WINDOW_30_DAYS = timedelta(days=30)
WINDOW_24_HOURS = timedelta(hours=24)


def call_ref(call_id: int) -> str:
    """The telephony's name for a call: ``call-<Call.pk>``."""
    return f"{CALL_REF_PREFIX}{call_id}"


def call_id_of(ref: str) -> int:
    """The ``Call.pk`` of a telephony ref (ValueError for a ref that is not one of ours)."""
    if not ref.startswith(CALL_REF_PREFIX) or not ref[len(CALL_REF_PREFIX) :].isdigit():
        raise ValueError(f"not a dialer call ref: {ref!r}")
    return int(ref[len(CALL_REF_PREFIX) :])


def person_answered_q() -> Q:
    """A person answered (the abandon rate's denominator): the call reached an agent, or was
    abandoned (a person answered and no agent took it). A machine the detector recognised, or
    the agent heard, is not a person; an unknown verdict counts as one (an agent took it)."""
    return ~Q(answered_by_person=False) & (
        Q(connected_at__isnull=False) | Q(outcome=Call.Outcome.ABANDONED)
    )


def abandoned_q() -> Q:
    """Abandoned: a person answered and no agent took it in time (``call_outcome_record`` records
    a call the dialer died on after a person answered as abandoned too)."""
    return Q(outcome=Call.Outcome.ABANDONED)


def campaign_figures(*, campaign_id: int, now: datetime | None = None) -> CampaignFigures:
    """The campaign's abandoned and person-answered calls over 30 days and 24 hours before ``now``.

    Counted by the time the call was answered (``answered_at``, indexed with the campaign), in
    (now - window, now]; one query.
    """
    moment = now or clock.now()
    since_30 = moment - WINDOW_30_DAYS
    since_24 = moment - WINDOW_24_HOURS
    in_30 = Q(answered_at__gt=since_30)
    in_24 = Q(answered_at__gt=since_24)
    figures = Call.objects.filter(
        campaign_id=campaign_id, answered_at__gt=since_30, answered_at__lte=moment
    ).aggregate(
        abandoned_30d=Count("pk", filter=in_30 & abandoned_q()),
        live_answered_30d=Count("pk", filter=in_30 & person_answered_q()),
        abandoned_24h=Count("pk", filter=in_24 & abandoned_q()),
        live_answered_24h=Count("pk", filter=in_24 & person_answered_q()),
    )
    return CampaignFigures(
        abandoned_30d=figures["abandoned_30d"],
        live_answered_30d=figures["live_answered_30d"],
        abandoned_24h=figures["abandoned_24h"],
        live_answered_24h=figures["live_answered_24h"],
    )


@dataclass(frozen=True, slots=True)
class WhyNot:
    """One reason an account is not being dialled now: a stable ``code`` and a sentence."""

    code: str
    text: str


def local_day(now: datetime, time_zone: str) -> date:
    """Today in the debtor's zone (UTC when none is known)."""
    return now.astimezone(ZoneInfo(time_zone or "UTC")).date()


def todays_plan_item(
    *, account_id: int, now: datetime, channel: str | None = None
) -> PlanItem | None:
    """The account's plan item for the debtor's today (the plan date is the debtor's local date)."""
    day = now.date()
    items = PlanItem.objects.filter(
        account_id=account_id, plan_date__range=(day - timedelta(days=1), day + timedelta(days=1))
    ).order_by("-plan_date")
    if channel is not None:
        items = items.filter(channel=channel)
    for item in items:
        if item.plan_date == local_day(now, item.time_zone):
            return item
    return None


def _local_time(moment: datetime, time_zone: str) -> str:
    local = moment.astimezone(ZoneInfo(time_zone or "UTC"))
    return f"{local:%H:%M}"


def _is_window_rule(rule_id: str) -> bool:
    return any(word in rule_id for word in ("inconvenient_time", "calling_hours", "window", "hour"))


def hopper_why_not(*, account_id: int, now: datetime | None = None) -> list[WhyNot]:
    """Why the account is not being dialled now, in words an agent understands.

    Today's hopper entry says it best (waiting and where in line, dialled N times, refused by the
    gate and why); without one, today's plan item (not planned, planned for a campaign that is
    missing or paused, planned for later today). A paused campaign or a number marked invalid is
    listed beside the entry's own reason.
    """
    moment = now or clock.now()
    entry = _todays_entry(account_id, moment)
    item = todays_plan_item(account_id=account_id, now=moment, channel="call")
    if entry is None:
        if item is None:
            other = todays_plan_item(account_id=account_id, now=moment)
            if other is not None and other.status == PlanItem.Status.PLANNED:
                return [
                    WhyNot(
                        "not_planned_today",
                        f"Not planned for a call today: today's plan uses "
                        f"{other.channel or 'no channel'}.",
                    )
                ]
            because = (
                other.detail or other.reason
                if other is not None
                else "today's plan has nothing for this account"
            )
            return [WhyNot("not_planned_today", f"Not planned for a call today: {because}.")]
        if item.status != PlanItem.Status.PLANNED:
            because = item.detail or item.reason
            return [WhyNot("not_planned_today", f"Not planned for a call today: {because}.")]
        campaign = Campaign.objects.filter(key=item.campaign).first()
        if campaign is None:
            return [
                WhyNot(
                    "campaign_missing",
                    f"Planned for the campaign {item.campaign!r}, which does not exist: "
                    "a supervisor must create it.",
                )
            ]
    else:
        campaign = entry.campaign
    reasons: list[WhyNot] = []
    if campaign.status != Campaign.Status.ACTIVE:
        reasons.append(
            WhyNot(
                "campaign_paused",
                f"The campaign {campaign.name or campaign.key} is {campaign.status}: "
                "nothing new is dialled.",
            )
        )
    phone = entry.phone if entry is not None else (item.contact_point if item else "")
    debtor_id = entry.debtor_id if entry is not None else (item.debtor_id if item else None)
    status = _phone_status(account_id, debtor_id, phone)
    if status is not None and status != ContactStatus.VALID:
        words = "a wrong number" if status == ContactStatus.WRONG_NUMBER else "invalid"
        if entry is None or entry.reason != "number_invalid":
            reasons.append(WhyNot("number_invalid", f"The number {phone} is marked {words}."))
    reasons.append(_entry_reason(campaign, item, entry, moment))
    return reasons


def _todays_entry(account_id: int, now: datetime) -> HopperEntry | None:
    """The account's hopper entry for the debtor's today (the latest, if two campaigns have one)."""
    day = now.date()
    entries = (
        HopperEntry.objects.filter(
            account_id=account_id,
            plan_date__range=(day - timedelta(days=1), day + timedelta(days=1)),
        )
        .select_related("campaign")
        .order_by("-plan_date", "-updated_at", "-pk")
    )
    for entry in entries:
        if entry.plan_date == local_day(now, entry.time_zone):
            return entry
    return None


def _phone_status(account_id: int, debtor_id: int | None, phone: str) -> str | None:
    if not phone:
        return None
    phones = Phone.objects.filter(e164=phone)
    if debtor_id:
        phones = phones.filter(debtor_id=debtor_id)
    else:
        phones = phones.filter(debtor__account_debtors__account_id=account_id)
    status: str | None = phones.values_list("status", flat=True).first()
    return status


def _entry_reason(
    campaign: Campaign, item: PlanItem | None, entry: HopperEntry | None, now: datetime
) -> WhyNot:
    zone = item.time_zone if item is not None else ""
    if entry is None:
        if item is not None and item.planned_at is not None and item.planned_at > now:
            return WhyNot(
                "outside_window",
                f"Outside its calling window now: planned from "
                f"{_local_time(item.planned_at, zone)} (the debtor's time).",
            )
        return WhyNot(
            "waiting",
            f"Not in the hopper yet: the campaign's next refill adds it "
            f"(the hopper holds {campaign.hopper_size}).",
        )
    if entry.status == HopperEntry.Status.DIALLING:
        return WhyNot("dialling_now", "Being dialled now.")
    if entry.status == HopperEntry.Status.SKIPPED:
        if entry.reason == "number_invalid":
            return WhyNot("number_invalid", f"Skipped: {entry.detail}.")
        return WhyNot(
            "cap_reached",
            f"The gate refused it: {entry.detail} (rule {entry.reason}); "
            "it is not lawful again today.",
        )
    if entry.status == HopperEntry.Status.DONE:
        if entry.reason == "attempts_used":
            return WhyNot(
                "attempts_used",
                f"Already dialled {entry.attempts} times today "
                f"(the campaign allows {campaign.max_attempts_per_day}).",
            )
        return WhyNot("done_today", f"Done for today: {entry.detail or entry.reason}.")
    if entry.not_before > now:
        when = f"{_local_time(entry.not_before, entry.time_zone or zone)} (the debtor's time)"
        if "." in entry.reason and not _is_window_rule(entry.reason):
            return WhyNot(
                "cap_reached",
                f"The gate refused it: {entry.detail} (rule {entry.reason}); next from {when}.",
            )
        return WhyNot("outside_window", f"Outside its calling window now: next from {when}.")
    ahead = HopperEntry.objects.filter(
        campaign=campaign,
        status=HopperEntry.Status.WAITING,
        not_before__lte=now,
        priority__gt=entry.priority,
    ).count()
    return WhyNot(
        "waiting",
        f"Waiting in the hopper: number {ahead + 1} in line "
        f"(dialled {entry.attempts} of {campaign.max_attempts_per_day} times today).",
    )


def attempt_is_dialler_call(*, attempt_id: int) -> bool:
    """Whether the gate's attempt belongs to a dialer call (its outcome is the dialer's to record:
    ``services.call_outcome_record``, which also frees the line and the agent)."""
    return Call.objects.filter(attempt_id=attempt_id).exists()
