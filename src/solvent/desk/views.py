"""The agent desk: account search and the one-screen account view. Thin: parse, select, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio import selectors as portfolio_selectors

PAGE_SIZE = 25


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
        account = portfolio_selectors.account_get(user=request.user, account_id=account_id)
    except NotFoundError as error:
        raise Http404(error.message) from error
    links = list(account.account_debtors.select_related("debtor").order_by("role", "id"))
    debtors = [
        {
            "role": link.get_role_display(),
            "debtor": portfolio_selectors.debtor_get(user=request.user, debtor_id=link.debtor_id),
            "other_accounts": portfolio_selectors.debtor_accounts_visible(
                user=request.user, debtor=link.debtor
            ).exclude(pk=account.pk),
        }
        for link in links
    ]
    today = clock.today()
    context = {
        "account": account,
        "debtors": debtors,
        "days_past_due": account.days_past_due(today),
        "stage": account.stage(today),
        "today": today,
    }
    return render(request, "desk/pages/account_detail.html", context)
