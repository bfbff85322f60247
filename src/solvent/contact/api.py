"""Contact endpoints: the timeline of a debtor or an account, and recording a call. Thin."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from solvent.contact import selectors, services
from solvent.contact.models import Interaction
from solvent.contact.schemas import CallIn, InteractionOut
from solvent.core.domain.errors import PermissionDeniedError
from solvent.portfolio.access import access_can_write

router = Router(tags=["contact"])


@router.get("/debtors/{debtor_id}/timeline", response=list[InteractionOut])
@paginate(LimitOffsetPagination)
def debtor_timeline(request: HttpRequest, debtor_id: int) -> QuerySet[Interaction]:
    return selectors.interaction_timeline(user=request.user, debtor_id=debtor_id)


@router.get("/accounts/{account_id}/timeline", response=list[InteractionOut])
@paginate(LimitOffsetPagination)
def account_timeline(request: HttpRequest, account_id: int) -> QuerySet[Interaction]:
    return selectors.interaction_timeline(user=request.user, account_id=account_id)


@router.post("/interactions", response={201: InteractionOut})
def interaction_create(request: HttpRequest, payload: CallIn) -> Status[Interaction]:
    # Visibility first: a debtor of another tenant is "not found", never "forbidden".
    selectors.interaction_timeline(user=request.user, debtor_id=payload.debtor_id)
    if not access_can_write(user=request.user):
        raise PermissionDeniedError("your role cannot record contacts")
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
