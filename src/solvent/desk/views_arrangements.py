"""The arrangements panel of the account screen: promises, plans, income and expenditure, and
vulnerability flags (issue 11; docs/adr/0023-promises-plans-affordability.md).

Thin: each view loads the account (and the debtor it names) through the access helpers, for
writing, calls one service and re-renders the panel, which HTMX swaps in place. A refusal naming a
field is shown beside that field; nothing is recorded then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from solvent.arrangements import selectors, services
from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.proposal import PLAN_FREQUENCIES
from solvent.arrangements.domain.statement import CATEGORIES, LINES, Frequency, LineInput, Side
from solvent.arrangements.domain.vulnerability import advice_providers
from solvent.compliance.access import access_hold_by_id
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.desk.domain.call_script import local_time_text
from solvent.desk.live import arrangements_digest
from solvent.desk.roles import desk_view
from solvent.portfolio.access import DebtorAccess, access_account_by_id, access_debtor_by_id
from solvent.portfolio.models import Account

PANEL = "desk/arrangements/panel.html"


@dataclass(frozen=True)
class Debtor:
    """One debtor of the account as the panel shows them."""

    access: DebtorAccess
    role: str
    # Each with when it was recorded (the debtor's time) and whether this user may end it.
    flags: list[tuple[selectors.FlagRow, str, bool]]
    statement: selectors.StatementView | None
    statement_recorded: str  # the debtor's local time


# --- views -------------------------------------------------------------------------------------


@desk_view()
@require_GET
def arrangements_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    return _panel(request, account)


@desk_view()
@require_GET
def arrangements_live(request: HttpRequest, account_id: int) -> HttpResponse:
    """The panel's 5-second poll: 204 while nothing it shows changed, else the panel again (the
    page holds the poll back while the agent works in a form: desk/static/desk/live.js)."""
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    if request.GET.get("seen", "") == arrangements_digest(account):
        return HttpResponse(status=204)
    return _panel(request, account)


@desk_view()
@require_POST
def promise_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account, access = _account_and_debtor(request, account_id)
    form = request.POST
    try:
        services.promise_create(
            account_id=account.pk,
            debtor_id=access.debtor.pk,
            amount=form.get("amount", "").strip(),
            due_on=_date(form.get("due_on", ""), "due_on"),
            reminder_channel=form.get("reminder_channel", "none"),
            actor_id=request.user.pk,
        )
    except FieldError as refused:
        return _panel(
            request, account, errors={f"promise_{refused.field}": refused.reason}, form=form
        )
    return _panel(request, account, notice="Promise recorded.")


@desk_view()
@require_POST
def promise_cancel(request: HttpRequest, account_id: int, promise_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    promise = selectors.promise_get(account_id=account.pk, promise_id=promise_id)
    try:
        services.promise_cancel(
            promise_id=promise.pk,
            reason=request.POST.get("reason", ""),
            actor_id=request.user.pk,
        )
    except ValidationError as refused:
        return _panel(request, account, errors={"promise_cancel": refused.message})
    return _panel(request, account, notice="Promise cancelled.")


@desk_view()
@require_POST
def income_expenditure_record(request: HttpRequest, account_id: int) -> HttpResponse:
    """Record the statement, then propose the plan it affords (the agent accepts it next)."""
    account, access = _account_and_debtor(request, account_id)
    form = request.POST
    try:
        lines = _lines(form)
        statement = services.income_expenditure_record(
            debtor_id=access.debtor.pk, account_id=account.pk, lines=lines, actor_id=request.user.pk
        )
    except FieldError as refused:
        return _panel(request, account, errors={f"ie_{refused.field}": refused.reason}, form=form)
    return _propose(
        request,
        account,
        access,
        statement_id=statement.pk,
        recorded=f"Statement recorded: {statement.disposable} {statement.currency} a month "
        "disposable.",
    )


@desk_view()
@require_POST
def plan_propose(request: HttpRequest, account_id: int) -> HttpResponse:
    """Another plan from a recorded statement (a later date, a smaller instalment)."""
    account, access = _account_and_debtor(request, account_id)
    statement_id = request.POST.get("income_expenditure_id", "")
    if not statement_id.isdigit() or len(statement_id) > 18:
        raise NotFoundError("statement not found")
    return _propose(request, account, access, statement_id=int(statement_id), recorded="")


_PLAN_FIELDS = ("frequency", "first_due_on", "instalment")


def _propose(
    request: HttpRequest,
    account: Account,
    access: DebtorAccess,
    *,
    statement_id: int,
    recorded: str,
) -> HttpResponse:
    form = request.POST
    try:
        plan = services.plan_propose(
            account_id=account.pk,
            debtor_id=access.debtor.pk,
            income_expenditure_id=statement_id,
            frequency=form.get("frequency", Frequency.MONTHLY),
            first_due_on=_date(form.get("first_due_on", ""), "first_due_on"),
            instalment=form.get("instalment", "").strip() or None,
            actor_id=request.user.pk,
        )
    except FieldError as refused:
        # The statement stands (it is what the debtor said): the plan is asked again from it, in
        # the form beside it, so the lines are not typed (and recorded) twice.
        return _panel(
            request,
            account,
            notice=recorded,
            errors={"plan": refused.reason, "plan_debtor": str(access.debtor.pk)},
            form={field: form.get(field, "") for field in _PLAN_FIELDS},
        )
    return _panel(
        request,
        account,
        notice=" ".join(
            part
            for part in (
                recorded,
                f"A {plan.frequency} plan of {plan.instalment_amount} {plan.currency} is "
                "proposed: accept it when the debtor agrees.",
            )
            if part
        ),
    )


@desk_view()
@require_POST
def plan_accept(request: HttpRequest, account_id: int, plan_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    plan = selectors.plan_get(account_id=account.pk, plan_id=plan_id)
    try:
        services.plan_accept(plan_id=plan.pk, actor_id=request.user.pk)
    except ValidationError as refused:
        return _panel(request, account, errors={"plan_accept": refused.message})
    return _panel(request, account, notice="Plan accepted: it is in force.")


@desk_view()
@require_POST
def vulnerability_flag_record(request: HttpRequest, account_id: int) -> HttpResponse:
    account, access = _account_and_debtor(request, account_id)
    form = request.POST
    try:
        flag = services.vulnerability_flag_record(
            debtor_id=access.debtor.pk,
            account_id=account.pk,
            kind=form.get("kind", ""),
            treatment=form.get("treatment", ""),
            consent_given=form.get("consent_given") == "on",
            note=form.get("note", ""),
            referral_to=form.get("referral_to", ""),
            # A pause covers the person when the user sees all their debts, else the ones they see.
            hold_account_ids=() if access.whole else sorted(access.account_ids),
            actor_id=request.user.pk,
        )
    except FieldError as refused:
        return _panel(request, account, errors={f"flag_{refused.field}": refused.reason}, form=form)
    notice = f"{flag.get_kind_display()} recorded: {flag.get_treatment_display().lower()}."
    if flag.hold_id:
        notice += " Contact is paused on every channel."
    return _panel(request, account, notice=notice)


@desk_view()
@require_POST
def vulnerability_flag_end(request: HttpRequest, account_id: int, flag_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    flag_pk = _flag_of(request.user, account, flag_id)
    actor_id = request.user.pk
    assert actor_id is not None  # desk_view: a signed-in user
    try:
        services.vulnerability_flag_end(
            flag_id=flag_pk, reason=request.POST.get("reason", ""), actor_id=actor_id
        )
    except FieldError as refused:
        return _panel(request, account, errors={"flag_end": refused.reason})
    except ValidationError as refused:
        return _panel(request, account, errors={"flag_end": refused.message})
    return _panel(request, account, notice="Flag ended.")


# --- helpers -----------------------------------------------------------------------------------


def _account_and_debtor(request: HttpRequest, account_id: int) -> tuple[Account, DebtorAccess]:
    """The account (for writing) and the debtor the form names, who must owe it."""
    user = request.user
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    return account, _debtor_of(user, account, request.POST.get("debtor_id", ""))


def _debtor_of(user: User | AnonymousUser, account: Account, debtor_id: str) -> DebtorAccess:
    if not debtor_id.isdigit() or len(debtor_id) > 18:
        raise NotFoundError("debtor not found")
    access = access_debtor_by_id(user=user, debtor_id=int(debtor_id), for_write=True)
    if account.pk not in access.account_ids:
        raise NotFoundError(f"debtor {debtor_id} does not owe this account")
    return access


def _flag_of(user: User | AnonymousUser, account: Account, flag_id: int) -> int:
    """A flag of a debtor of this account, told about a debt the user sees (changing a record needs
    all of it, ADR 0022); its pause, if any, wholly the user's to lift."""
    debtor_ids = list(account.account_debtors.values_list("debtor_id", flat=True))
    flag = selectors.vulnerability_flag_get(debtor_ids=debtor_ids, flag_id=flag_id)
    access = access_debtor_by_id(user=user, debtor_id=flag.debtor_id, for_write=True)
    if not access.whole and flag.account_id not in access.account_ids:
        raise NotFoundError(f"vulnerability flag {flag_id} not found")
    if flag.hold_id is not None:
        access_hold_by_id(user=user, hold_id=flag.hold_id, for_write=True)
    return flag.pk


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(field, "enter a date (YYYY-MM-DD)") from None


def _lines(form: QueryDict) -> list[LineInput]:
    lines = []
    for code in LINES:
        raw = form.get(f"line-{code}", "").strip().replace(",", "")
        if not raw:
            continue
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise FieldError(code, f"{raw!r} is not an amount", code="sfs_amount") from None
        frequency = form.get(f"frequency-{code}", Frequency.MONTHLY)
        if frequency not in {member.value for member in Frequency}:
            raise FieldError(code, "choose how often", code="sfs_frequency")
        lines.append(LineInput(code, amount, Frequency(frequency)))
    return lines


def _panel_debtors(request: HttpRequest, account: Account) -> list[Debtor]:
    debtors = []
    for link in account.account_debtors.select_related("debtor").order_by("role", "id"):
        access = access_debtor_by_id(user=request.user, debtor_id=link.debtor_id)
        zones = _zones(access)
        statement = selectors.income_expenditure_latest(access=access)
        debtors.append(
            Debtor(
                access=access,
                role=link.get_role_display(),
                flags=[
                    (
                        flag,
                        local_time_text(flag.recorded_at, zones),
                        access.whole or flag.account_id in access.account_ids,
                    )
                    for flag in selectors.vulnerability_flag_list(access=access)
                ],
                statement=statement,
                statement_recorded=local_time_text(statement.row.recorded_at, zones)
                if statement
                else "",
            )
        )
    return debtors


def _zones(access: DebtorAccess) -> list[str]:
    """The debtor's time zones as their phones place them (times are shown in the first)."""
    zones: list[str] = []
    for phone_zones in access.phones().values_list("time_zones", flat=True):
        zones += [zone for zone in phone_zones or [] if zone not in zones]
    return zones


def _country(debtors: list[Debtor], account: Account) -> str:
    """Where the (first) debtor lives, for the debt advice to offer; else the client's country."""
    for entry in debtors:
        address = entry.access.addresses().filter(is_current=True).first()
        if address is not None:
            return address.country
    return account.client.country


def _statement_form(form: QueryDict | dict[str, str]) -> list[tuple[str, list[Any]]]:
    """Income, then spending: the SFS groups with their lines and what was typed in them (kept
    when a refusal re-renders the form)."""
    return [
        (
            side.value,
            [
                (
                    category,
                    [
                        (
                            kind,
                            form.get(f"line-{kind.code}", ""),
                            form.get(f"frequency-{kind.code}", Frequency.MONTHLY.value),
                        )
                        for kind in LINES.values()
                        if kind.category == category
                    ],
                )
                for category in CATEGORIES
                if category.side is side
            ],
        )
        for side in Side
    ]


def _panel(request: HttpRequest, account: Account, **state: Any) -> HttpResponse:
    debtors = _panel_debtors(request, account)
    form = state.pop("form", None)
    context = {
        "account": account,
        "panel_debtors": debtors,
        "flags": [
            (entry, flag, since, endable)
            for entry in debtors
            for flag, since, endable in entry.flags
        ],
        "promises": list(selectors.account_promise_list(account=account)),
        "plans": list(selectors.account_plan_list(account=account)),
        "categories": _statement_form(form or {}),
        "statement_frequencies": [(f.value, f.value.replace("_", "-")) for f in Frequency],
        "plan_frequencies": PLAN_FREQUENCIES,
        "choices": selectors.arrangement_choices(),
        "providers": advice_providers(_country(debtors, account)),
        "today": clock.today().isoformat(),
        "live_digest": arrangements_digest(account),
        "form": form or {},
        "errors": {},
        **state,
    }
    return render(request, PANEL, context)
