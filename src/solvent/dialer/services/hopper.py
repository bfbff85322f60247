"""The hopper: the numbers a campaign dials next, filled from today's plan and taken best first.

``hopper_fill`` adds the day's planned calls of the campaign (``PlanItem.campaign`` = the
campaign's key) that are not in the hopper yet, keeping at most ``hopper_size`` waiting.
``hopper_take`` hands the dialer the best waiting entries that may be dialled now (the plan's
priority, then how near now is to the debtor's best hour) and marks them DIALLING: on PostgreSQL
the rows are locked with SKIP LOCKED, so two takers never get the same entry; on SQLite the
IMMEDIATE transaction (settings) serialises the writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Case
from django.db.models.functions import Abs, Coalesce

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.dialer.models import Campaign, HopperEntry
from solvent.portfolio.models import AccountDebtor, ContactStatus, Phone
from solvent.strategy.models import PlanItem

# A hopper entry whose best hour is unknown sorts after every known one at the same priority.
_UNKNOWN_NEARNESS = 24


def _campaign_locked(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} not found")
    return campaign


def hopper_fill(*, campaign_id: int, now: datetime | None = None) -> int:
    """Add today's planned calls of the campaign that are not in the hopper yet, keeping at most
    ``campaign.hopper_size`` waiting; answers how many rows were added.

    "Today" is the debtor's: a plan item joins when its plan date is the local date in its time
    zone. The calls due now come first, best priority first, then the later ones, soonest
    first (a hopper full of evening calls must not keep the calls due now out). A number
    already marked wrong or invalid joins as SKIPPED (``number_invalid``), so the account screen
    can say why it is not dialled. One transaction, the campaign row locked, so two dialer
    processes filling at once do not both add the same items.
    """
    moment = now or clock.now()
    with transaction.atomic():
        campaign = _campaign_locked(campaign_id)
        waiting = HopperEntry.objects.filter(
            campaign=campaign, status=HopperEntry.Status.WAITING
        ).count()
        room = campaign.hopper_size - waiting
        if room <= 0:
            return 0
        items = _todays_calls_not_in_hopper(campaign, moment)[:room]
        entries = [_entry_of(campaign, item, moment) for item in items]
        if not entries:
            return 0
        _debtors_fill_in(entries)
        _invalid_numbers_skip(entries)
        HopperEntry.objects.bulk_create(entries, ignore_conflicts=True)
        audit_record(
            action="dialer.hopper_filled",
            system="dialer",
            object_type="dialer.Campaign",
            object_id=campaign.pk,
            data={
                "added": len(entries),
                "skipped": sum(entry.status == HopperEntry.Status.SKIPPED for entry in entries),
            },
        )
    return len(entries)


def _todays_calls_not_in_hopper(campaign: Campaign, moment: datetime) -> QuerySet[PlanItem]:
    """The campaign's planned calls of the debtors' today, not in the hopper, in fill order.

    One query: the plan date each time zone is on now (at most three dates are in play around
    the world) is one condition per zone, and the hopper's once-a-day key excludes what is in.
    """
    day = moment.date()
    calls = PlanItem.objects.filter(
        campaign=campaign.key, status=PlanItem.Status.PLANNED, channel="call"
    )
    zones = (
        calls.filter(plan_date__range=(day - timedelta(days=1), day + timedelta(days=1)))
        .values_list("time_zone", flat=True)
        .distinct()
    )
    today = Q(pk__in=[])
    for zone in zones:
        local = moment.astimezone(ZoneInfo(zone or "UTC")).date()
        today |= Q(time_zone=zone, plan_date=local)
    present = HopperEntry.objects.filter(
        campaign=campaign, plan_date=OuterRef("plan_date"), account_id=OuterRef("account_id")
    )
    # Due now: best priority first. Later today: soonest first, then priority.
    later = Case(
        When(planned_at__gt=moment, then=F("planned_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return (
        calls.filter(today)
        .exclude(Exists(present))
        .order_by(later.asc(nulls_first=True), "-priority", "account_id")
    )


def _entry_of(campaign: Campaign, item: PlanItem, moment: datetime) -> HopperEntry:
    zone = ZoneInfo(item.time_zone or "UTC")
    planned_at = item.planned_at or moment
    return HopperEntry(
        campaign=campaign,
        plan_date=item.plan_date,
        plan_item_id=item.pk,
        account_id=item.account_id,
        debtor_id=item.debtor_id or 0,
        phone=item.contact_point,
        time_zone=item.time_zone,
        priority=item.priority,
        best_hour=planned_at.astimezone(zone).hour if item.planned_at else None,
        not_before=planned_at,
        updated_at=moment,
    )


def _debtors_fill_in(entries: list[HopperEntry]) -> None:
    """A plan item without a debtor (older plans): the account's primary debtor."""
    missing = [entry.account_id for entry in entries if not entry.debtor_id]
    if not missing:
        return
    primary: dict[int, int] = {}
    for account_id, debtor_id in (
        AccountDebtor.objects.filter(account_id__in=missing)
        .order_by("account_id", "role", "pk")
        .values_list("account_id", "debtor_id")
    ):
        primary.setdefault(account_id, debtor_id)
    for entry in entries:
        if not entry.debtor_id and entry.account_id in primary:
            entry.debtor_id = primary[entry.account_id]


def _invalid_numbers_skip(entries: list[HopperEntry]) -> None:
    """Numbers marked wrong or invalid since the plan was made join as SKIPPED, not WAITING."""
    bad = set(
        Phone.objects.filter(
            debtor_id__in={entry.debtor_id for entry in entries},
            e164__in={entry.phone for entry in entries},
        )
        .exclude(status=ContactStatus.VALID)
        .values_list("debtor_id", "e164")
    )
    for entry in entries:
        if not entry.phone or (entry.debtor_id, entry.phone) in bad:
            entry.status = HopperEntry.Status.SKIPPED
            entry.reason = "number_invalid"
            entry.detail = (
                f"the number {entry.phone} is marked wrong or invalid"
                if entry.phone
                else "the plan gave no number to call"
            )


def _nearness_to_best_hour(zones: Sequence[str], moment: datetime) -> Coalesce:
    """|the debtor's local hour now - their best hour|, as SQL (one CASE arm per time zone)."""
    local_hour = Case(
        *(
            When(time_zone=zone, then=Value(moment.astimezone(ZoneInfo(zone or "UTC")).hour))
            for zone in zones
        ),
        default=Value(moment.hour),
        output_field=IntegerField(),
    )
    return Coalesce(
        Abs(F("best_hour") - local_hour),
        Value(_UNKNOWN_NEARNESS),
        output_field=IntegerField(),
    )


def hopper_take(
    *,
    campaign_id: int,
    count: int,
    now: datetime | None = None,
    entry_ids: Sequence[int] | None = None,
) -> list[HopperEntry]:
    """The best ``count`` waiting entries that may be dialled now, marked DIALLING with one more
    attempt, best first: the plan's priority, then nearness to the debtor's best hour.

    ``entry_ids`` restricts the choice to those entries (an agent's preview dial of one entry).
    Safe under concurrency: two takers never get the same entry.
    """
    moment = now or clock.now()
    if count <= 0:
        return []
    with transaction.atomic():
        waiting = HopperEntry.objects.filter(
            campaign_id=campaign_id, status=HopperEntry.Status.WAITING, not_before__lte=moment
        )
        if entry_ids is not None:
            waiting = waiting.filter(pk__in=list(entry_ids))
        zones = sorted(set(waiting.values_list("time_zone", flat=True).distinct()))
        candidates = waiting.annotate(nearness=_nearness_to_best_hour(zones, moment)).order_by(
            "-priority", "nearness", "not_before", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        taken: list[HopperEntry] = list(candidates[:count])
        if not taken:
            return []
        for entry in taken:
            entry.status = HopperEntry.Status.DIALLING
            entry.attempts += 1
            entry.updated_at = moment
        HopperEntry.objects.bulk_update(taken, ["status", "attempts", "updated_at"])
    return taken
