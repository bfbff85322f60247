"""The compliance officer's review: decisions, holds, consents and opt-outs, an account's evidence.

Thin views over ``compliance.selectors`` and ``compliance.services`` that mirror the checks of
``compliance/api.py`` (docs/adr/0027-compliance-review.md). The pages are for REVIEW_ROLES; an
officer sees every client, a supervisor their clients only. A page naming a record answers 404 for a
record the user does not see before it asks about the role (403); what a person may release is the
hold service's to decide, and its refusal is shown as a message with a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from solvent.audit.services import audit_record
from solvent.compliance import selectors, services
from solvent.compliance.access import access_decision_by_id, access_hold_by_id
from solvent.compliance.models import Channel, Hold
from solvent.core import clock
from solvent.core.domain.errors import (
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from solvent.core.selectors import staff_role_get
from solvent.desk.review_presenters import (
    account_numbers,
    decision_rows,
    evidence_zip,
    hold_rows,
    record_text_shown,
)
from solvent.desk.roles import REVIEW_ROLES, desk_view
from solvent.portfolio import selectors as portfolio_selectors
from solvent.portfolio.access import (
    RecordScope,
    access_account_by_id,
    access_can_place_hold,
    access_contact_point_check,
    access_debtor_accounts_check,
    access_debtor_by_id,
)

PAGE_SIZE = 50
# Counting every match of a filter over millions of decisions is a scan; past this, "more than".
COUNT_CAP = 10_000
SOURCE = "compliance_review"

View = Callable[..., HttpResponse]


def review_record_view(view: View) -> View:
    """A page naming a record: 404 for one the user does not see, then the role (403), and the
    services' refusals as a message: a 403 for a right, a 400 for a bad request."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as error:
            raise Http404(error.message) from error
        except PermissionDeniedError as error:
            return _refused(request, error, 403)
        except ValidationError as error:
            return _refused(request, error, 400)

    return wrapped


def _refused(request: HttpRequest, error: DomainError, status: int) -> HttpResponse:
    context = {"message": error.message, "code": error.code, "back": _back(request)}
    return render(request, "desk/review/refused.html", context, status=status)


def _back(request: HttpRequest) -> str:
    """Where the refusal page links back to: one of the review's own pages, never an outside URL."""
    back = request.POST.get("back", "")
    return back if back.startswith("/review/") and "//" not in back else reverse("desk:review")


def _role_require(request: HttpRequest) -> int:
    """The acting person's id, once their role uses the review (asked after the 404s)."""
    actor_id = request.user.pk
    if actor_id is None or staff_role_get(user=request.user) not in REVIEW_ROLES:
        raise PermissionDeniedError("your role does not use the compliance review")
    return int(actor_id)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=UTC) if day else None


def _filters(query: QueryDict, names: tuple[str, ...]) -> dict[str, str]:
    return {name: query.get(name, "").strip() for name in names}


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most COUNT_CAP + 1 rows (``SELECT COUNT(*) FROM (... LIMIT n)``): the pages past
    the cap are reached by narrowing the filters."""

    @cached_property
    def count(self) -> int:
        capped: QuerySet[Any] = self.object_list[: COUNT_CAP + 1]  # type: ignore[assignment]
        return capped.count()


def _paged(request: HttpRequest, records: Any) -> Any:
    return Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))


def _choices(request: HttpRequest) -> dict[str, Any]:
    return {
        "clients": portfolio_selectors.client_list(user=request.user),
        "channels": Channel.choices,
        "hold_kinds": Hold.Kind.choices,
    }


@desk_view(REVIEW_ROLES)
def review(request: HttpRequest) -> HttpResponse:
    """Decisions, filtered by rule, outcome, client, agent, channel and date range (UTC days)."""
    shown = _filters(request.GET, ("rule", "outcome", "client", "agent", "channel", "from", "to"))
    until = _day(shown["to"])
    decisions = selectors.decision_log_review(
        user=request.user,
        rule_id=shown["rule"],
        outcome=shown["outcome"],
        client_id=_int(shown["client"]),
        agent_id=_int(shown["agent"]),
        channel=shown["channel"],
        since=_start_of(_day(shown["from"])),
        until=_start_of(until + timedelta(days=1)) if until else None,
    )
    page = CappedPaginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **_choices(request),
        "filters": shown,
        "page": page,
        "count_cap": COUNT_CAP,
        # The selector already left out what the user may not see; an account number is shown
        # only for an account the user sees (``account_numbers``).
        "rows": decision_rows(user=request.user, decisions=list(page), scope=RecordScope()),
        "agents": selectors.decision_asker_list(user=request.user),
        "tab": "decisions",
    }
    return render(request, "desk/review/decisions.html", context)


@review_record_view
def review_decision(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision, access = access_decision_by_id(user=request.user, decision_log_id=decision_id)
    _role_require(request)
    (row,) = decision_rows(user=request.user, decisions=[decision], scope=access.scope)
    attempts = decision.attempts.order_by("at", "pk")
    context = {"row": row, "attempts": attempts, "inputs": sorted(decision.inputs.items())}
    return render(request, "desk/review/decision.html", {**context, "tab": "decisions"})


@desk_view(REVIEW_ROLES)
def review_holds(request: HttpRequest) -> HttpResponse:
    """Holds (open by default) by kind and client, and the releases waiting for a second officer."""
    shown = _filters(request.GET, ("status", "kind", "client"))
    status = shown["status"] if "status" in request.GET else "open"
    holds, scope = selectors.hold_review_list(
        user=request.user, status=status, kind=shown["kind"], client_id=_int(shown["client"])
    )
    page = _paged(request, holds)
    pending = list(selectors.hold_release_request_pending_list(user=request.user))
    context = {
        **_choices(request),
        "filters": {**shown, "status": status},
        "page": page,
        "rows": hold_rows(user=request.user, holds=list(page), scope=scope),
        "pending": [
            (
                request_,
                record_text_shown(request_.hold, scope),
                [a for a in request_.hold.accounts.all() if a.pk not in scope.hidden_accounts],
            )
            for request_ in pending
        ],
        "tab": "holds",
    }
    return render(request, "desk/review/holds.html", context)


def _hold_action(request: HttpRequest, hold_id: int, act: Callable[[int, int, str], object]) -> Any:
    """Mirror of the API's ``_hold_for_release``: the hold wholly the user's, else 404; the role;
    then the service, which decides who may lift which kind."""
    hold, _access = access_hold_by_id(user=request.user, hold_id=hold_id, for_write=True)
    actor_id = _role_require(request)
    act(hold.pk, actor_id, request.POST.get("reason", ""))
    return HttpResponseRedirect(reverse("desk:review_holds"))


@require_http_methods(["POST"])
@review_record_view
def review_hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    response = _hold_action(
        request,
        hold_id,
        lambda pk, actor, reason: services.hold_release(hold_id=pk, reason=reason, actor_id=actor),
    )
    messages.success(request, f"Hold {hold_id} released.")
    return response  # type: ignore[no-any-return]


@require_http_methods(["POST"])
@review_record_view
def review_hold_release_request(request: HttpRequest, hold_id: int) -> HttpResponse:
    response = _hold_action(
        request,
        hold_id,
        lambda pk, actor, reason: services.hold_release_request(
            hold_id=pk, reason=reason, actor_id=actor
        ),
    )
    messages.success(request, f"Release of hold {hold_id} requested: a second officer approves.")
    return response  # type: ignore[no-any-return]


@require_http_methods(["POST"])
@review_record_view
def review_hold_release_approve(request: HttpRequest, hold_id: int) -> HttpResponse:
    response = _hold_action(
        request,
        hold_id,
        lambda pk, actor, _reason: services.hold_release_approve(hold_id=pk, actor_id=actor),
    )
    messages.success(request, f"Release of hold {hold_id} approved: the hold has ended.")
    return response  # type: ignore[no-any-return]


@require_http_methods(["POST"])
@review_record_view
def review_hold_release_reject(request: HttpRequest, hold_id: int) -> HttpResponse:
    response = _hold_action(
        request,
        hold_id,
        lambda pk, actor, reason: services.hold_release_reject(
            hold_id=pk, reason=reason, actor_id=actor
        ),
    )
    messages.success(request, f"Release of hold {hold_id} rejected: the hold stays.")
    return response  # type: ignore[no-any-return]


@require_http_methods(["POST"])
@review_record_view
def review_hold_place(request: HttpRequest, account_id: int) -> HttpResponse:
    """Place a hold on one of the account's debtors, about this account or the whole person.

    Mirror of the API's ``hold_create``: the debtor (404), the right to place (403), the accounts."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    debtor_id = _int(request.POST.get("debtor")) or 0
    if not account.account_debtors.filter(debtor_id=debtor_id).exists():
        raise NotFoundError(f"debtor {debtor_id} not found on account {account_id}")
    access = access_debtor_by_id(user=request.user, debtor_id=debtor_id)
    actor_id = _role_require(request)
    if not access_can_place_hold(user=request.user):
        raise PermissionDeniedError(
            "your role reads only: ask a collector to place the hold", code="hold_place_forbidden"
        )
    account_ids = [] if request.POST.get("scope") == "person" else [account.pk]
    access_debtor_accounts_check(access=access, account_ids=account_ids)
    hold = services.hold_place(
        debtor_id=debtor_id,
        kind=request.POST.get("kind", ""),
        source=request.POST.get("source", "").strip() or SOURCE,
        account_ids=account_ids,
        evidence=request.POST.get("evidence", ""),
        actor_id=actor_id,
    )
    messages.success(request, f"{hold.get_kind_display()} hold placed: contact stops at once.")
    return HttpResponseRedirect(reverse("desk:review_account", args=[account.pk]))


@desk_view(REVIEW_ROLES)
def review_consents(request: HttpRequest) -> HttpResponse:
    """Consents by channel, state and client, and the opt-outs (medium_opt_out holds) beside them."""
    shown = _filters(request.GET, ("channel", "state", "client"))
    consents, scope = selectors.consent_review_list(
        user=request.user,
        channel=shown["channel"],
        state=shown["state"],
        client_id=_int(shown["client"]),
    )
    page = _paged(request, consents)
    opt_outs, opt_out_scope = selectors.hold_review_list(
        user=request.user, status="open", kind=Hold.Kind.MEDIUM_OPT_OUT
    )
    context = {
        **_choices(request),
        "filters": shown,
        "page": page,
        "rows": [(consent, record_text_shown(consent, scope)) for consent in page],
        "opt_outs": hold_rows(
            user=request.user, holds=list(opt_outs[:PAGE_SIZE]), scope=opt_out_scope
        ),
        "tab": "consents",
    }
    return render(request, "desk/review/consents.html", context)


@require_http_methods(["POST"])
@review_record_view
def review_consent_revoke(request: HttpRequest, debtor_id: int) -> HttpResponse:
    """Mirror of the API's ``consent_revoke``: the debtor (404), a role that writes, the point."""
    access = access_debtor_by_id(user=request.user, debtor_id=debtor_id, for_write=True)
    actor_id = _role_require(request)
    channel = request.POST.get("channel", "")
    contact_point = request.POST.get("contact_point", "")
    access_contact_point_check(access=access, channel=channel, contact_point=contact_point)
    services.consent_revoke(
        debtor_id=debtor_id,
        channel=channel,
        contact_point=contact_point,
        source=SOURCE,
        evidence=request.POST.get("evidence", ""),
        actor_id=actor_id,
    )
    messages.success(request, f"Consent revoked: no more {channel} to {contact_point}.")
    return HttpResponseRedirect(reverse("desk:review_consents"))


@desk_view(REVIEW_ROLES)
def review_accounts(request: HttpRequest) -> HttpResponse:
    """Find the account whose evidence to look at or export."""
    query = request.GET.get("q", "").strip()
    accounts = portfolio_selectors.account_list(user=request.user, query=query) if query else None
    page = _paged(request, accounts) if accounts is not None else None
    context = {"query": query, "page": page, "tab": "evidence"}
    return render(request, "desk/review/accounts.html", context)


@review_record_view
def review_account(request: HttpRequest, account_id: int) -> HttpResponse:
    """One account's compliance records, the hold form and the evidence export."""
    account, evidence = selectors.account_evidence_list(user=request.user, account_id=account_id)
    _role_require(request)
    debtors = [
        {
            "evidence": part,
            "holds": hold_rows(user=request.user, holds=part.holds, scope=part.access.scope),
            "consents": [
                (consent, record_text_shown(consent, part.access.scope))
                for consent in part.consents
            ],
            "decisions": decision_rows(
                user=request.user, decisions=part.decisions[:20], scope=part.access.scope
            ),
        }
        for part in evidence
    ]
    context = {
        **_choices(request),
        "account": account,
        "debtors": debtors,
        "numbers": account_numbers(user=request.user, account_ids=[account.pk]),
        "tab": "evidence",
    }
    return render(request, "desk/review/account.html", context)


@require_http_methods(["POST"])
@review_record_view
def review_evidence_export(request: HttpRequest, account_id: int) -> HttpResponse:
    """A ZIP of CSVs: every decision, attempt, interaction, hold, consent and audit entry about the
    account, with rule ids and citations; the export itself is audited (who exported what)."""
    account, evidence = selectors.account_evidence_list(user=request.user, account_id=account_id)
    actor_id = _role_require(request)
    now = clock.now()
    content, counts = evidence_zip(user=request.user, account=account, evidence=evidence, at=now)
    audit_record(
        action="desk.evidence_exported",
        object_type="portfolio.Account",
        object_id=account.pk,
        data={"account_id": account.pk, "rows": counts},
        actor_id=actor_id,
    )
    response = HttpResponse(content, content_type="application/zip")
    name = f"evidence-{account.account_number}-{now:%Y%m%dT%H%M%SZ}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Evidence-Rows"] = ",".join(f"{key}={value}" for key, value in counts.items())
    return response
