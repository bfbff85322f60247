"""The agent desk: account search and the one-screen account view. Thin: parse, select, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Case, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from solvent.compliance import selectors as compliance_selectors
from solvent.contact import selectors as contact_selectors
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.desk.presenters import contact_option_rows, hold_rows
from solvent.portfolio import selectors as portfolio_selectors
from solvent.portfolio.access import access_account_by_id, access_debtor_by_id
from solvent.portfolio.models import AccountDebtor

PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 15


@login_required
def account_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    client_code = request.GET.get("client", "")
    accounts = portfolio_selectors.account_list(
        user=request.user, query=query, client_code=client_code
    )
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "client_code": client_code,
        "clients": portfolio_selectors.client_list(user=request.user),
        "today": clock.today(),
    }
    template = "desk/pages/account_search.html"
    if request.headers.get("HX-Request"):
        template += "#results"
    return render(request, template, context)


@login_required
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    try:
        account = access_account_by_id(user=request.user, account_id=account_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    # The primary debtor first, then co-signers ("co_signer" sorts before "primary" by name).
    primary_first = Case(When(role=AccountDebtor.Role.PRIMARY, then=Value(0)), default=Value(1))
    links = list(account.account_debtors.select_related("debtor").order_by(primary_first, "id"))
    now = clock.now()
    debtors = []
    for link in links:
        access = access_debtor_by_id(user=request.user, debtor_id=link.debtor_id)
        options = contact_option_rows(
            compliance_selectors.contact_option_list(access=access, at=now), now
        )
        debtors.append(
            {
                "role": link.get_role_display(),
                "debtor": access.debtor,
                "phones": access.phones(),
                "emails": access.emails(),
                "addresses": access.addresses(),
                "other_accounts": portfolio_selectors.debtor_accounts_visible(
                    access=access
                ).exclude(pk=account.pk),
                "holds": hold_rows(compliance_selectors.hold_list(access=access), access.scope),
                "contact_options": options,
                "local_times": sorted({time for option in options for time in option.local_times}),
            }
        )
    today = now.date()
    context = {
        "account": account,
        "debtors": debtors,
        "days_past_due": account.days_past_due(today),
        "stage": account.stage(today),
        "today": today,
        "timeline": _timeline_page(request, account.pk),
    }
    return render(request, "desk/pages/account_detail.html", context)


@login_required
def account_timeline(request: HttpRequest, account_id: int) -> HttpResponse:
    """The contact history, one page at a time (the account page loads the next pages with HTMX)."""
    try:
        timeline = _timeline_page(request, account_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    return render(
        request,
        "desk/pages/account_detail.html#timeline",
        {"timeline": timeline, "account": {"id": account_id}},
    )


def _timeline_page(request: HttpRequest, account_id: int) -> Page:  # type: ignore[type-arg]
    interactions, _scope = contact_selectors.account_timeline(
        user=request.user, account_id=account_id
    )
    return Paginator(interactions, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
