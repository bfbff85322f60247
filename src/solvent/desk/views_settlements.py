"""The settlements panel of the account screen and the supervisors' approvals page (issue 13;
docs/payments.md, "Settlements").

Thin: each view loads the account through the access helpers (for writing when it writes), calls
one service or selector and re-renders the panel, which HTMX swaps in place. A refusal naming a
field is shown beside it; nothing is recorded then.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.core.selectors import staff_role_get
from solvent.desk.roles import desk_view
from solvent.payments import selectors_settlements as selectors
from solvent.payments.domain.settlement import SettlementError, settlement_amount_for_percent
from solvent.payments.services import settlement_approvals as approvals
from solvent.payments.services import settlements as services
from solvent.payments.settlement_letter import settlement_letter_pdf
from solvent.portfolio.access import access_account_by_id, access_can_write
from solvent.portfolio.models import Account

PANEL = "desk/settlements/panel.html"
APPROVALS = "desk/settlements/approvals.html"
APPROVER_ROLES = services.SETTLEMENT_APPROVER_ROLES


@desk_view()
@require_GET
def settlements_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id)
    return _panel(request, account)


@desk_view()
@require_POST
def settlement_offer(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    form = request.POST
    try:
        settlement = services.settlement_offer(
            account_id=account.pk,
            debtor_id=_debtor_id(account, form.get("debtor_id", "")),
            amount=_amount(account, form.get("amount", ""), form.get("percent", "")),
            due_on=_date(form.get("due_on", "")),
            actor_id=request.user.pk,
        )
    except SettlementError as refused:
        return _panel(request, account, errors={refused.field: refused.reason}, form=form)
    except ValidationError as refused:
        return _panel(request, account, errors={"offer": refused.message}, form=form)
    if settlement.status == settlement.Status.PENDING_APPROVAL:
        notice = (
            f"Below the floor ({settlement.percent} % of the balance, floor "
            f"{settlement.floor_percent} %): it waits for a supervisor's approval before the "
            "debtor may take it."
        )
    else:
        notice = "Settlement offered: the debtor may accept it now."
    return _panel(request, account, notice=notice)


@desk_view()
@require_POST
def settlement_accept(request: HttpRequest, account_id: int, settlement_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    settlement = selectors.settlement_get(account=account, settlement_id=settlement_id)
    try:
        services.settlement_accept(
            settlement_id=settlement.pk, debtor_id=settlement.debtor_id, actor_id=request.user.pk
        )
    except ValidationError as refused:
        return _panel(request, account, errors={"live": refused.message})
    return _panel(
        request, account, notice="Accepted: paid by the due date, it settles the account."
    )


@desk_view()
@require_POST
def settlement_cancel(request: HttpRequest, account_id: int, settlement_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    settlement = selectors.settlement_get(account=account, settlement_id=settlement_id)
    actor_id = request.user.pk
    assert actor_id is not None  # desk_view: a signed-in user
    try:
        services.settlement_cancel(
            settlement_id=settlement.pk, reason=request.POST.get("reason", ""), actor_id=actor_id
        )
    except ValidationError as refused:
        return _panel(request, account, errors={"live": refused.message})
    return _panel(request, account, notice="Settlement cancelled.")


@desk_view()
@require_GET
def settlement_letter(request: HttpRequest, account_id: int, settlement_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id)
    settlement = selectors.settlement_get(account=account, settlement_id=settlement_id)
    response = HttpResponse(settlement_letter_pdf(settlement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="settlement-{settlement.pk}.pdf"'
    return response


@desk_view(APPROVER_ROLES)
@require_GET
def settlement_approvals(request: HttpRequest) -> HttpResponse:
    return _approvals(request)


@desk_view(APPROVER_ROLES)
@require_POST
def settlement_approve(request: HttpRequest, account_id: int, settlement_id: int) -> HttpResponse:
    return _decide(request, account_id, settlement_id, approve=True)


@desk_view(APPROVER_ROLES)
@require_POST
def settlement_decline(request: HttpRequest, account_id: int, settlement_id: int) -> HttpResponse:
    return _decide(request, account_id, settlement_id, approve=False)


def _decide(
    request: HttpRequest, account_id: int, settlement_id: int, *, approve: bool
) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    settlement = selectors.settlement_get(account=account, settlement_id=settlement_id)
    actor_id = request.user.pk
    assert actor_id is not None
    note = request.POST.get("note", "")
    try:
        if approve:
            approvals.settlement_approve(settlement_id=settlement.pk, actor_id=actor_id, note=note)
        else:
            approvals.settlement_decline(settlement_id=settlement.pk, actor_id=actor_id, note=note)
    except SettlementError as refused:
        return _approvals(request, errors={settlement.pk: refused.reason})
    except ValidationError as refused:  # not pending any more
        return _approvals(request, errors={settlement.pk: refused.message})
    verb = "approved: the debtor may now take it" if approve else "declined"
    return _approvals(
        request, notice=f"Settlement {settlement.pk} on {account.account_number} {verb}."
    )


# --- helpers -----------------------------------------------------------------------------------


def _debtor_id(account: Account, raw: str) -> int:
    """The debtor the form names (the primary one when it names none); they must owe the account."""
    debtors = list(account.account_debtors.order_by("role", "id").values_list("debtor_id", "role"))
    if not raw:
        primary = [pk for pk, role in debtors if role == "primary"] or [pk for pk, _r in debtors]
        if not primary:
            raise NotFoundError("the account has no debtor")
        return primary[0]
    if not raw.isdigit() or len(raw) > 18 or int(raw) not in {pk for pk, _role in debtors}:
        raise NotFoundError(f"debtor {raw} does not owe this account")
    return int(raw)


def _amount(account: Account, amount: str, percent: str) -> Decimal | str:
    """The amount typed, or the one the percent typed gives (rounded up to the cent)."""
    amount, percent = amount.strip().replace(",", ""), percent.strip().rstrip("%").strip()
    if amount and percent:
        raise SettlementError(
            "amount", "give an amount or a percent, not both", code="amount_and_percent"
        )
    if amount:
        return amount
    if not percent:
        raise SettlementError("amount", "enter an amount or a percent", code="amount_missing")
    try:
        share = Decimal(percent)
    except InvalidOperation:
        raise SettlementError("percent", f"{percent!r} is not a percent", code="percent") from None
    if not share.is_finite() or not 0 < share < 100:
        raise SettlementError("percent", "enter a percent above 0 and below 100", code="percent")
    return settlement_amount_for_percent(share, account.balance)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise SettlementError(
            "due_on", "enter a date (YYYY-MM-DD)", code="due_on_invalid"
        ) from None


def _panel(request: HttpRequest, account: Account, **state: Any) -> HttpResponse:
    today = clock.today()
    authority = selectors.settlement_authority(account=account, today=today)
    settlements = list(selectors.settlement_list(account=account)[:10])
    live = next((s for s in settlements if s.status in selectors.LIVE_STATUSES), None)
    debtors = list(account.account_debtors.select_related("debtor").order_by("role", "id"))
    role = staff_role_get(user=request.user)
    context = {
        "account": account,
        "authority": authority,
        "live": live,
        "history": [s for s in settlements if s is not live],
        "debtors": debtors,
        "can_write": access_can_write(user=request.user),
        "can_approve": role in APPROVER_ROLES,
        "default_due_on": (today + timedelta(days=min(7, authority.expiry_days))).isoformat(),
        "last_due_on": (today + timedelta(days=authority.expiry_days)).isoformat(),
        "today": today.isoformat(),
        "form": {},
        "errors": {},
        **state,
    }
    return render(request, PANEL, context)


def _approvals(request: HttpRequest, **state: Any) -> HttpResponse:
    pending = list(selectors.settlement_pending_list(user=request.user)[:200])
    context = {
        "pending": pending,
        "me": request.user.pk,
        "errors": {},
        **state,
    }
    return render(request, APPROVALS, context)
