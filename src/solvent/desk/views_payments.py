"""The payments panel of the account screen: the balance by component, the payments with their
status and allocations, a form for a payment taken on the call (source "agent"), and a return or
reversal for a supervisor (issue 13; docs/payments.md "The ledger").

Thin: each view loads the account through the access helper, calls one service or selector and
re-renders the panel, which HTMX swaps in place. It refreshes itself every 5 s when what it shows
changed (a payment made on the debtor's page, a file, the gateway), held back while the agent
types in its form (desk/static/desk/live.js).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from solvent.arrangements.domain.errors import FieldError
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.desk.roles import desk_view
from solvent.payments import selectors
from solvent.payments.models import Payment
from solvent.payments.services.ledger import payment_record, payment_return, payment_reverse
from solvent.portfolio.access import access_account_by_id, access_can_write
from solvent.portfolio.models import Account

PANEL = "desk/payments/panel.html"
# Taking money back is a supervisor's decision (or the back office's).
CORRECTOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
# The fields of the payment form a refusal can be shown beside.
_FORM_FIELDS = frozenset({"amount", "paid_on", "method"})


@desk_view()
@require_GET
def payments_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id)
    return _panel(request, account)


@desk_view()
@require_GET
def payments_live(request: HttpRequest, account_id: int) -> HttpResponse:
    """The panel's 5-second poll: 204 while nothing it shows changed, else the panel again."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    if request.GET.get("seen", "") == payments_digest(account):
        return HttpResponse(status=204)
    return _panel(request, account)


@desk_view()
@require_POST
def payment_take(request: HttpRequest, account_id: int) -> HttpResponse:
    """A payment the debtor made on the call. The form's key makes a double click post once."""
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    form = request.POST
    key = form.get("idempotency_key", "").strip()[:80]
    try:
        outcome = payment_record(
            account_id=account.pk,
            amount=form.get("amount", "").strip().replace(",", ""),
            paid_on=_date(form.get("paid_on", "")),
            method=form.get("method", ""),
            source=Payment.Source.AGENT,
            reference=form.get("reference", ""),
            idempotency_key=f"desk:{key}" if key else "",
            actor_id=request.user.pk,
        )
    except FieldError as refused:
        # A refusal of a field the form has is shown beside it; any other above the form.
        shown = refused.field if refused.field in _FORM_FIELDS else "payment"
        reason = refused.reason if shown == refused.field else refused.message
        return _panel(request, account, errors={shown: reason}, form=form)
    except ValidationError as refused:
        return _panel(request, account, errors={"payment": refused.message}, form=form)
    payment = outcome.payment
    notice = f"Payment of {payment.amount} {payment.currency} recorded."
    if not outcome.created:
        notice = f"That payment was already recorded ({payment.amount} {payment.currency})."
    return _panel(request, account, notice=notice)


@desk_view(roles=CORRECTOR_ROLES)
@require_POST
def payment_return_view(request: HttpRequest, account_id: int, payment_id: int) -> HttpResponse:
    return _undo(request, account_id, payment_id, returned=True)


@desk_view(roles=CORRECTOR_ROLES)
@require_POST
def payment_reverse_view(request: HttpRequest, account_id: int, payment_id: int) -> HttpResponse:
    return _undo(request, account_id, payment_id, returned=False)


def payments_digest(account: Account) -> str:
    """The panel's state: the components and status, and each payment's status."""
    parts: list[object] = [
        account.principal,
        account.interest,
        account.fees,
        account.status,
        list(
            Payment.objects.filter(account_id=account.pk)
            .order_by("pk")
            .values_list("pk", "status", "status_changed_at")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _undo(
    request: HttpRequest, account_id: int, payment_id: int, *, returned: bool
) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    if payment.account_id != account.pk:
        raise NotFoundError(f"payment {payment_id} not found on this account")
    actor_id = request.user.pk
    assert actor_id is not None  # desk_view: a signed-in user
    reason = request.POST.get("reason", "")
    try:
        if returned:
            payment_return(payment_id=payment.pk, reason=reason, actor_id=actor_id)
        else:
            payment_reverse(payment_id=payment.pk, reason=reason, actor_id=actor_id)
    except FieldError as refused:
        return _panel(request, account, errors={f"undo_{payment.pk}": refused.reason})
    except ValidationError as refused:
        return _panel(request, account, errors={f"undo_{payment.pk}": refused.message})
    verb = "returned" if returned else "reversed"
    return _panel(request, account, notice=f"Payment of {payment.amount} {verb}: balance restored.")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError("paid_on", "enter the date it was paid (YYYY-MM-DD)") from None


def _panel(request: HttpRequest, account: Account, **state: Any) -> HttpResponse:
    account.refresh_from_db()
    role = staff_role_get(user=request.user)
    context = {
        "account": account,
        "ledger": selectors.account_ledger(account=account),
        "components": [
            ("Fees", account.fees),
            ("Interest", account.interest),
            ("Principal", account.principal),
        ],
        "methods": Payment.Method.choices,
        "can_take": access_can_write(user=request.user),
        "can_correct": role in CORRECTOR_ROLES,
        "today": clock.today().isoformat(),
        "idempotency_key": uuid.uuid4().hex,
        "live_digest": payments_digest(account),
        "form": {},
        "errors": {},
        **state,
    }
    return render(request, PANEL, context)
