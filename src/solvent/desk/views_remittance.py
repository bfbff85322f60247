"""The client remittance page (issue 13): pick a client and a month, see the statement's figures
and lines, download it (CSV, PDF: the API's endpoints, which take the desk's session) and issue it.

Thin: the client through the tenant-scoped selector first (404 for one the user does not serve),
then the role (403): admins, compliance officers and supervisors read; admins issue
(``REMITTANCE_READ_ROLES``, ``REMITTANCE_ISSUE_ROLES``). A refusal is shown on the page (400).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.core.selectors import staff_role_get
from solvent.payments.domain.remittance import Statement, month_period
from solvent.payments.selectors_remittance import (
    REMITTANCE_ISSUE_ROLES,
    remittance_client_get,
    remittance_client_list,
    remittance_role_require,
    remittance_statement_list,
)
from solvent.payments.services.remittance import remittance_issue, remittance_preview
from solvent.portfolio.models import Client

PAGE = "desk/remittance/page.html"
PARTIAL = "desk/remittance/statement.html"


def _last_month(today: date) -> str:
    return f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"


def _client_then_role(request: HttpRequest, code: str, *, issue: bool = False) -> Client | None:
    """The named client (404 unless the user serves it), then the role (403)."""
    try:
        client = remittance_client_get(user=request.user, client_code=code) if code else None
        remittance_role_require(user=request.user, issue=issue)
    except NotFoundError as error:
        raise Http404(error.message) from error
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    return client


def _render(
    request: HttpRequest,
    client: Client | None,
    month: str,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    statement: Statement | None = None
    if client is not None:
        try:
            start, end = month_period(month)
            statement = remittance_preview(client_id=client.pk, period_start=start, period_end=end)
        except ValidationError as refused:
            error, status = error or refused.message, 400
    query = urlencode({"client": client.code, "month": month}) if client else ""
    context: dict[str, Any] = {
        "clients": remittance_client_list(user=request.user),
        "client": client,
        "month": month,
        "statement": statement,
        "error": error,
        "query": query,
        "may_issue": staff_role_get(user=request.user) in REMITTANCE_ISSUE_ROLES,
        "issued_list": remittance_statement_list(client_id=client.pk) if client else [],
    }
    if request.headers.get("HX-Request"):
        # HTMX swaps only a 2xx: the refusal is shown in the swapped statement.
        return render(request, PARTIAL, context)
    return render(request, PAGE, context, status=status)


@login_required
@require_GET
def remittance_page(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("client", "").strip()
    month = request.GET.get("month", "").strip() or _last_month(clock.today())
    client = _client_then_role(request, code)
    return _render(request, client, month)


@login_required
@require_POST
def remittance_issue_form(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("client", "").strip()
    month = request.POST.get("month", "").strip()
    client = _client_then_role(request, code, issue=True)
    if client is None:
        return _render(request, None, month, error="client: choose a client", status=400)
    try:
        start, end = month_period(month)
        remittance_issue(
            client_id=client.pk, period_start=start, period_end=end, actor_id=request.user.pk
        )
    except ValidationError as refused:
        return _render(request, client, month, error=refused.message, status=400)
    messages.success(request, f"The statement of {client.name} for {month} is issued.")
    query = urlencode({"client": client.code, "month": month})
    return HttpResponseRedirect(f"{reverse('desk:remittance')}?{query}")
