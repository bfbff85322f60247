"""REST endpoints of settlements (issue 13): offer, approve, decline, accept, cancel, list, the
letter. Thin: each id is reached through an account the user sees (404 for missing and not yours
alike), then one service or selector answers. A refusal is a 400 with its code and the field."""

# No ``from __future__ import annotations``: ninja's paginate wrapper resolves the path parameters'
# annotations (RowId) outside this module, so they must be real objects, not strings.

from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from solvent.core.domain.errors import NotFoundError
from solvent.core.schemas import LimitOffsetPage, Note, RowId, Text
from solvent.payments import selectors_settlements as selectors
from solvent.payments.models import Settlement
from solvent.payments.services import settlement_approvals as approvals
from solvent.payments.services import settlements as services
from solvent.payments.settlement_letter import settlement_letter_pdf
from solvent.portfolio.access import access_account_by_id

router = Router(tags=["settlements"])


class SettlementOfferIn(Schema):
    account_id: RowId
    debtor_id: RowId
    amount: Decimal = Field(description="less than the balance, to the cent", max_digits=14)
    due_on: date = Field(description="the day it must be paid by (today up to the offer's expiry)")


class SettlementNoteIn(Schema):
    note: Note = Field("", description="why (required to decline)")


class SettlementAcceptIn(Schema):
    debtor_id: RowId | None = Field(None, description="who agreed; default: the debtor offered to")


class SettlementCancelIn(Schema):
    reason: Text = Field(max_length=300)


class SettlementOut(Schema):
    id: int
    account_id: int
    debtor_id: int
    status: str
    amount: Decimal
    currency: str
    balance_at_offer: Decimal
    percent: Decimal
    stage: str
    floor_percent: Decimal
    needs_approval: bool
    due_on: date
    expires_on: date
    requested_by_id: int | None
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str
    accepted_at: datetime | None


@router.post("", response={201: SettlementOut})
def settlement_offer(request: HttpRequest, payload: SettlementOfferIn) -> Status[Settlement]:
    """Offer a settlement: within the client's floor it is offered at once, below it it waits for a
    supervisor's approval (status pending_approval)."""
    account = access_account_by_id(user=request.user, account_id=payload.account_id, for_write=True)
    settlement = services.settlement_offer(
        account_id=account.pk,
        debtor_id=payload.debtor_id,
        amount=payload.amount,
        due_on=payload.due_on,
        actor_id=request.user.pk,
    )
    return Status(201, settlement)


@router.get("", response=list[SettlementOut])
@paginate(LimitOffsetPage)
def settlement_list(request: HttpRequest, account_id: RowId | None = None) -> QuerySet[Settlement]:
    """The settlements of one account (404 when it is not the user's), or of every account the user
    sees, newest first."""
    if account_id is not None:
        account = access_account_by_id(user=request.user, account_id=account_id)
        return selectors.settlement_list(account=account)
    return selectors.settlement_visible_list(user=request.user)


@router.get("/{settlement_id}", response=SettlementOut)
def settlement_get(request: HttpRequest, settlement_id: RowId) -> Settlement:
    return selectors.access_settlement_by_id(user=request.user, settlement_id=settlement_id)


@router.post("/{settlement_id}/approve", response=SettlementOut)
def settlement_approve(
    request: HttpRequest, settlement_id: RowId, payload: SettlementNoteIn
) -> Settlement:
    """The checker's yes: a supervisor or an admin who did not make the offer (else 403)."""
    settlement = _writable(request, settlement_id)
    return approvals.settlement_approve(
        settlement_id=settlement.pk, actor_id=_actor(request), note=payload.note
    )


@router.post("/{settlement_id}/decline", response=SettlementOut)
def settlement_decline(
    request: HttpRequest, settlement_id: RowId, payload: SettlementNoteIn
) -> Settlement:
    """The checker's no, with the note saying why."""
    settlement = _writable(request, settlement_id)
    return approvals.settlement_decline(
        settlement_id=settlement.pk, actor_id=_actor(request), note=payload.note
    )


@router.post("/{settlement_id}/accept", response=SettlementOut)
def settlement_accept(
    request: HttpRequest, settlement_id: RowId, payload: SettlementAcceptIn
) -> Settlement:
    """The debtor agreed (told to an agent): only an offered settlement before it expires."""
    settlement = _writable(request, settlement_id)
    return services.settlement_accept(
        settlement_id=settlement.pk,
        debtor_id=payload.debtor_id or settlement.debtor_id,
        actor_id=_actor(request),
    )


@router.post("/{settlement_id}/cancel", response=SettlementOut)
def settlement_cancel(
    request: HttpRequest, settlement_id: RowId, payload: SettlementCancelIn
) -> Settlement:
    settlement = _writable(request, settlement_id)
    return services.settlement_cancel(
        settlement_id=settlement.pk, reason=payload.reason, actor_id=_actor(request)
    )


@router.get("/{settlement_id}/letter.pdf")
def settlement_letter(request: HttpRequest, settlement_id: RowId) -> HttpResponse:
    """The settlement letter as a PDF."""
    settlement = selectors.access_settlement_by_id(user=request.user, settlement_id=settlement_id)
    response = HttpResponse(settlement_letter_pdf(settlement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="settlement-{settlement.pk}.pdf"'
    return response


def _writable(request: HttpRequest, settlement_id: int) -> Settlement:
    return selectors.access_settlement_by_id(
        user=request.user, settlement_id=settlement_id, for_write=True
    )


def _actor(request: HttpRequest) -> int:
    if request.user.pk is None:  # the API's auth: never anonymous here
        raise NotFoundError("no user")
    return int(request.user.pk)
