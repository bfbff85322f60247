"""A campaign and today's planned calls for the dialer's service tests, built from the models.

The Ohio debtors of the compliance fixtures (Tuesday 9 June 2026, noon in Columbus) keep the
Reg F rules alone in play; the plan items are written as the planner writes them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from solvent.compliance.services import consent_grant
from solvent.dialer.models import Campaign, HopperEntry
from solvent.portfolio.models import Client
from solvent.strategy.models import PlanItem, PlanRun
from tests.compliance.services.compliance_fixtures import (
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

ZONE = "America/New_York"


def dialable_debtor(suffix: str = "1") -> OhioDebtor:
    """An Ohio debtor whose mobile the dialer may autodial (consent on the credit application)."""
    who = ohio_debtor_create(suffix)
    consent_grant(
        debtor_id=who.debtor.pk,
        channel="call",
        contact_point=MOBILE,
        source="credit_application",
        at=NOON - timedelta(days=30),
        evidence="application form p.2",
    )
    return who


def campaign_create(key: str = "acme-standard", **fields: object) -> Campaign:
    client, _ = Client.objects.get_or_create(code="acme", defaults={"name": "Acme Bank"})
    values: dict[str, object] = {
        "name": "Acme standard",
        "client": client,
        "created_at": NOON - timedelta(days=60),
        "updated_at": NOON - timedelta(days=60),
    }
    values.update(fields)
    return Campaign.objects.create(key=key, **values)


def plan_item_create(
    who: OhioDebtor,
    *,
    campaign: str = "acme-standard",
    planned_at: datetime = NOON,
    priority: float = 1.0,
    phone: str = MOBILE,
    channel: str = "call",
    status: str = PlanItem.Status.PLANNED,
    loan: bool = False,
) -> PlanItem:
    account = who.loan if loan else who.card
    day = NOON.date()
    run, _ = PlanRun.objects.get_or_create(
        plan_date=day,
        client=account.client,
        defaults={"status": PlanRun.Status.DONE, "started_at": NOON - timedelta(hours=10)},
    )
    return PlanItem.objects.create(
        run=run,
        plan_date=day,
        client=account.client,
        account=account,
        debtor_id=who.debtor.pk,
        channel=channel,
        contact_point=phone,
        campaign=campaign,
        planned_at=planned_at,
        time_zone=ZONE,
        priority=priority,
        status=status,
        reason="planned" if status == PlanItem.Status.PLANNED else "capacity_exhausted",
        detail="step 1",
    )


def entry_create(campaign: Campaign, who: OhioDebtor, **fields: object) -> HopperEntry:
    values: dict[str, object] = {
        "campaign": campaign,
        "plan_date": NOON.date(),
        "account": who.card,
        "debtor_id": who.debtor.pk,
        "phone": MOBILE,
        "time_zone": ZONE,
        "priority": 1.0,
        "not_before": NOON - timedelta(hours=1),
        "updated_at": NOON - timedelta(hours=1),
    }
    values.update(fields)
    return HopperEntry.objects.create(**values)
