"""Audited writes of the campaigns: create, change, pause and resume (the desk's page and the API).

Each is one transaction with its audit entry. The settings are checked by the pure
``domain.campaigns.campaign_settings_problems`` (a refusal names every field and why:
``CampaignInvalidError.errors``). Pausing stops new dials at the dialer's next pass; the calls up
finish. Who may do it (supervisors and admins, on the campaigns they see) is checked by the callers
through ``selectors_campaigns``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import ValidationError
from solvent.dialer.domain.campaigns import (
    CampaignSettings,
    campaign_key_problem,
    campaign_settings_problems,
)
from solvent.dialer.models import Campaign


class CampaignInvalidError(ValidationError):
    """Settings refused; ``errors`` maps each field to why (the form shows them beside it)."""

    code = "campaign_invalid"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {why}" for field, why in errors.items()))
        self.errors = errors


def campaign_create(
    *,
    key: str,
    settings: CampaignSettings,
    client_id: int | None,
    team_id: int | None = None,
    actor_id: int | None = None,
) -> Campaign:
    """A new campaign, active, dialling what the plan names ``key`` (PlanItem.campaign)."""
    problems = campaign_settings_problems(settings)
    why = campaign_key_problem(key)
    if why:
        problems = {"key": why, **problems}
    if problems:
        raise CampaignInvalidError(problems)
    now = clock.now()
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                key=key,
                client_id=client_id,
                team_id=team_id,
                created_at=now,
                updated_at=now,
                **settings.as_fields(),
            )
            audit_record(
                action="campaign.created",
                object_type="dialer.campaign",
                object_id=campaign.pk,
                data={"key": key, "client_id": client_id, **settings.as_fields()},
                actor_id=actor_id,
            )
    except IntegrityError:
        raise CampaignInvalidError({"key": f"a campaign {key!r} exists already"}) from None
    return campaign


def campaign_update(
    *, campaign_id: int, settings: CampaignSettings, actor_id: int | None = None
) -> Campaign:
    """New settings for a campaign (the dialer reads them at its next pass); the audit entry
    keeps what changed, from what to what."""
    problems = campaign_settings_problems(settings)
    if problems:
        raise CampaignInvalidError(problems)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        changes = {
            name: [getattr(campaign, name), value]
            for name, value in settings.as_fields().items()
            if getattr(campaign, name) != value
        }
        if not changes:
            return campaign
        for name, (_, value) in changes.items():
            setattr(campaign, name, value)
        campaign.updated_at = clock.now()
        campaign.save(update_fields=[*changes, "updated_at"])
        audit_record(
            action="campaign.updated",
            object_type="dialer.campaign",
            object_id=campaign.pk,
            data={"key": campaign.key, "changes": changes},
            actor_id=actor_id,
        )
    return campaign


def _status_set(
    *, campaign_id: int, status: str, action: str, actor_id: int | None, reason: str = ""
) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status == status:
            return campaign  # twice is once: no second entry
        was = campaign.status
        campaign.status = status
        campaign.updated_at = clock.now()
        campaign.save(update_fields=["status", "updated_at"])
        audit_record(
            action=action,
            object_type="dialer.campaign",
            object_id=campaign.pk,
            data={"key": campaign.key, "was": was, "reason": reason},
            actor_id=actor_id,
        )
    return campaign


def campaign_pause(*, campaign_id: int, actor_id: int | None = None, reason: str = "") -> Campaign:
    """Nothing new is dialled (the calls up finish); the hopper keeps its numbers."""
    return _status_set(
        campaign_id=campaign_id,
        status=Campaign.Status.PAUSED,
        action="campaign.paused",
        actor_id=actor_id,
        reason=reason,
    )


def campaign_resume(*, campaign_id: int, actor_id: int | None = None) -> Campaign:
    """The campaign dials again (a stopped one too)."""
    return _status_set(
        campaign_id=campaign_id,
        status=Campaign.Status.ACTIVE,
        action="campaign.resumed",
        actor_id=actor_id,
    )
