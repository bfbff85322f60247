"""Contact endpoints: the timeline of a debtor or an account, and recording a call. Thin."""

# No ``from __future__ import annotations``: ninja's paginate wrapper resolves the path parameters'
# annotations (RowId) outside this module, so they must be real objects, not strings.

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from solvent.compliance.access import access_attempt_by_id, access_decision_by_id
from solvent.contact import selectors, services
from solvent.contact.models import Interaction
from solvent.contact.schemas import CallIn, InteractionOut
from solvent.core.domain.errors import NotFoundError
from solvent.core.schemas import LimitOffsetPage, RowId
from solvent.portfolio.access import (
    access_contact_point_check,
    access_debtor_accounts_check,
    access_debtor_by_id,
    scope_set,
)

router = Router(tags=["contact"])


@router.get("/debtors/{debtor_id}/timeline", response=list[InteractionOut])
@paginate(LimitOffsetPage)
def debtor_timeline(request: HttpRequest, debtor_id: RowId) -> QuerySet[Interaction]:
    access = access_debtor_by_id(user=request.user, debtor_id=debtor_id)
    scope_set(request, access.scope)
    return selectors.interaction_timeline(access=access)


@router.get("/accounts/{account_id}/timeline", response=list[InteractionOut])
@paginate(LimitOffsetPage)
def account_timeline(request: HttpRequest, account_id: RowId) -> QuerySet[Interaction]:
    interactions, scope = selectors.account_timeline(user=request.user, account_id=account_id)
    scope_set(request, scope)
    return interactions


@router.post("/interactions", response={201: InteractionOut})
def interaction_create(request: HttpRequest, payload: CallIn) -> Status[Interaction]:
    """Record a call, voicemail or inbound contact about the user's own accounts of this debtor.

    Every id is checked the same way (404 for missing and not yours): the debtor, the accounts, the
    attempt that authorised an outbound call (it must be this debtor's, about these accounts) and its
    decision; the acting user is the agent on the record and in the audit.
    """
    access = access_debtor_by_id(user=request.user, debtor_id=payload.debtor_id, for_write=True)
    scope_set(request, access.scope)
    access_debtor_accounts_check(access=access, account_ids=payload.account_ids)
    access_contact_point_check(
        access=access, channel=payload.channel, contact_point=payload.contact_point
    )
    if payload.attempt_id is not None:
        attempt, _ = access_attempt_by_id(
            user=request.user, attempt_id=payload.attempt_id, for_write=True
        )
        attempt_accounts = {account.pk for account in attempt.accounts.all()}
        if attempt.debtor_id != payload.debtor_id or not set(payload.account_ids) <= (
            attempt_accounts or access.account_ids
        ):
            raise NotFoundError(f"contact attempt {payload.attempt_id} not found")
    if payload.decision_log_id is not None:
        decision, _ = access_decision_by_id(
            user=request.user, decision_log_id=payload.decision_log_id
        )
        if decision.debtor_id != payload.debtor_id:
            raise NotFoundError(f"decision {payload.decision_log_id} not found")
    interaction = services.interaction_record(
        debtor_id=payload.debtor_id,
        channel=payload.channel,
        direction=payload.direction,
        contact_point=payload.contact_point,
        disposition=payload.disposition,
        account_ids=payload.account_ids,
        occurred_at=payload.occurred_at,
        agent_id=request.user.pk,
        duration_seconds=payload.duration_seconds,
        recording_ref=payload.recording_ref,
        summary=payload.summary,
        attempt_id=payload.attempt_id,
        decision_log_id=payload.decision_log_id,
    )
    return Status(201, interaction)
