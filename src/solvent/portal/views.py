"""The debtor's page (public: a signed link and its check open a session; nothing else does).

Thin: each view reads the form (domain.forms), calls one selector or service, and renders in the
page's language (domain.texts). Every action is a POST with the CSRF token and a one-time form key
(domain.form_keys): a second submission of the same form is refused, never done twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.proposal import ProposalRefusedError
from solvent.contact.domain.validation_notice import format_date
from solvent.core import clock
from solvent.core.domain.errors import DomainError, NotFoundError
from solvent.payments.models import Settlement
from solvent.portal import selectors, services
from solvent.portal.domain.check import FAILURES_BEFORE_LOCK, LinkState
from solvent.portal.domain.form_keys import Keys, KeyState, key_issue, key_spend
from solvent.portal.domain.forms import (
    FormProblemsError,
    Problem,
    amount_read,
    choice_read,
    date_read,
    figure_read,
    gather,
    time_read,
)
from solvent.portal.domain.texts import (
    INCOME_PREFIXES,
    LANGUAGES,
    STATEMENT_LINES,
    language_of,
    money,
    say,
    texts,
)
from solvent.portal.session import (
    PortalSession,
    portal_language_set,
    portal_session,
    portal_session_end,
    portal_session_start,
)
from solvent.portfolio.models import Account

_FORM_KEYS = "solvent_portal_forms"
PortalView = Callable[..., HttpResponse]


@cache
def chat_enabled() -> bool:
    """True once the chat track's widget template exists (the page works without it)."""
    try:
        get_template("portal/chat/widget.html")
    except TemplateDoesNotExist:
        return False
    return True


def _agency() -> dict[str, str]:
    return {
        "name": settings.SOLVENT_AGENCY_NAME,
        "phone": settings.SOLVENT_AGENCY_PHONE,
        "hours": getattr(settings, "SOLVENT_AGENCY_HOURS", "Mon-Fri 8am-8pm"),
    }


def _language(request: HttpRequest, default: str) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGES else language_of(default)


def _render(
    request: HttpRequest,
    template: str,
    language: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    agency = _agency()
    base: dict[str, Any] = {
        "t": texts(language),
        "language": language,
        "agency": agency,
        "call_us": say(language, "call_us", phone=agency["phone"], hours=agency["hours"]),
        "other_language": "es" if language == "en" else "en",
    }
    context = base | (context or {})
    if "title_key" in context:
        context["title"] = texts(language)[context["title_key"]]
    return render(request, f"portal/{template}", context, status=status)


# --- one-time form keys --------------------------------------------------------------------------


def _keys(request: HttpRequest) -> Keys:
    stored = request.session.get(_FORM_KEYS) or {}
    return Keys(tuple(stored.get("issued", ())), tuple(stored.get("spent", ())))


def _keys_store(request: HttpRequest, keys: Keys) -> None:
    request.session[_FORM_KEYS] = {"issued": list(keys.issued), "spent": list(keys.spent)}


def form_key_new(request: HttpRequest) -> str:
    key = secrets.token_urlsafe(16)
    _keys_store(request, key_issue(_keys(request), key))
    return key


def _form_key_spend(request: HttpRequest) -> KeyState:
    state, keys = key_spend(_keys(request), request.POST.get("form_key", ""))
    _keys_store(request, keys)
    return state


# --- the session ---------------------------------------------------------------------------------


def portal_view(view: PortalView) -> PortalView:
    """The page's views: a verified session or the page explaining how to open one (403)."""

    @wraps(view)
    @never_cache  # personal data on what may be a shared phone: never kept by a browser or proxy
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = portal_session(request)
        if session is None:
            language = _language(request, "en")
            return _render(
                request,
                "refused.html",
                language,
                {
                    "title_key": "no_session_title",
                    "body": say(language, "no_session", **_phone(language)),
                },
                status=403,
            )
        try:
            return view(request, session, *args, **kwargs)
        except NotFoundError:
            return _render(
                request,
                "refused.html",
                session.language,
                {
                    "title_key": "refused_unknown_title",
                    "body": say(session.language, "no_session", **_phone(session.language)),
                },
                status=404,
            )

    return wrapper


def _phone(language: str) -> dict[str, str]:
    agency = _agency()
    return {"phone": agency["phone"], "hours": agency["hours"]}


def _client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR: behind a proxy, the proxy must set it (as for the desk's login throttle)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


# --- opening a link -------------------------------------------------------------------------------

_REFUSALS = {
    LinkState.EXPIRED: ("refused_expired_title", "refused_expired", 410, True),
    LinkState.USED: ("refused_used_title", "refused_used", 410, True),
    LinkState.LOCKED: ("refused_locked_title", "refused_locked", 429, False),
}


def _refused(
    request: HttpRequest, token: str, state: LinkState | None, language: str
) -> HttpResponse:
    if state is None:
        title, body, status, resend = "refused_unknown_title", "refused_unknown", 404, False
    else:
        title, body, status, resend = _REFUSALS[state]
    context = {
        "title_key": title,
        "body": say(language, body, **_phone(language)),
        "resend_url": reverse("portal:resend", args=[token]) if resend else "",
    }
    return _render(request, "refused.html", language, context, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from a message: the check (GET), its answer (POST)."""
    link, state = selectors.portal_link_status(token=token)
    language = _language(request, link.debtor.language if link is not None else "en")
    if link is None or state is not LinkState.OPEN:
        return _refused(request, token, state, language)
    errors: dict[str, str] = {}
    if request.method == "POST":
        result = services.portal_check(
            token=token,
            date_of_birth=request.POST.get("date_of_birth", ""),
            last4=request.POST.get("last4", ""),
            address=_client_address(request),
        )
        outcome = result.outcome
        if outcome is services.CheckOutcome.PASSED and result.link is not None:
            portal_session_start(
                request,
                debtor_id=result.link.debtor_id,
                account_id=result.account_id,
                language=language,
                link_id=result.link.pk,
            )
            return HttpResponseRedirect(reverse("portal:page"))
        if outcome is services.CheckOutcome.ADDRESS_REFUSED:
            refusal = {
                "title_key": "refused_locked_title",
                "body": say(language, "refused_address", **_phone(language)),
            }
            return _render(request, "refused.html", language, refusal, status=429)
        if outcome is services.CheckOutcome.WRONG:
            errors["date_of_birth"] = say(language, "check_wrong", left=result.tries_left)
        elif outcome is services.CheckOutcome.EMPTY:
            errors["date_of_birth"] = say(language, "check_empty")
        else:
            return _refused(request, token, _OUTCOME_STATE.get(outcome), language)
    context: dict[str, Any] = {"errors": errors, "token": token, "tries": FAILURES_BEFORE_LOCK}
    return _render(request, "check.html", language, context, status=400 if errors else 200)


_OUTCOME_STATE = {
    services.CheckOutcome.LOCKED: LinkState.LOCKED,
    services.CheckOutcome.EXPIRED: LinkState.EXPIRED,
    services.CheckOutcome.USED: LinkState.USED,
}


@require_POST
def resend(request: HttpRequest, token: str) -> HttpResponse:
    """Send a new link for an expired or used one (to where it went, through the outbox)."""
    link, _ = selectors.portal_link_status(token=token)
    language = _language(request, link.debtor.language if link is not None else "en")
    try:
        outcome = services.portal_link_resend(token=token)
    except NotFoundError:  # no "portal_link" template installed: say to call instead
        outcome = services.ResendOutcome.REFUSED
    body = {
        services.ResendOutcome.SENT: "new_link_sent",
        services.ResendOutcome.RECENT: "new_link_recent",
        services.ResendOutcome.REFUSED: "new_link_refused",
    }[outcome]
    context = {"title_key": "new_link_go", "body": say(language, body, **_phone(language))}
    return _render(request, "refused.html", language, context)


# --- the page -------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@portal_view
def page(request: HttpRequest, session: PortalSession) -> HttpResponse:
    language = session.language
    if request.GET.get("paid"):
        messages.success(request, say(language, "thanks_paid"))
        return HttpResponseRedirect(reverse("portal:page"))
    account_id = _account_asked(request, session)
    view = selectors.portal_page(
        debtor_id=session.debtor_id,
        account_id=account_id,
        language=language,
        strict="account" in request.GET,
    )
    settlement = view.current.settlement
    context = {
        "view": view,
        "current": view.current,
        "chat_enabled": chat_enabled(),
        "settlement_key": form_key_new(request) if settlement is not None else "",
        "agreed": _agreed(view.current, language),
        **_settlement_words(settlement, language),
    }
    return _render(request, "page.html", language, context)


def _settlement_words(settlement: Settlement | None, language: str) -> dict[str, str]:
    if settlement is None:
        return {}
    amount = _money(settlement.amount, settlement.currency)
    return {
        "settlement_text": say(
            language,
            "settlement_offer",
            amount=amount,
            date=format_date(settlement.due_on, language),
            expires=format_date(settlement.expires_on, language),
        ),
        "settlement_accepted_text": say(
            language,
            "settlement_accepted",
            amount=amount,
            date=format_date(settlement.due_on, language),
        ),
        "settlement_button": say(language, "accept_and_pay", amount=amount),
    }


def _agreed(current: selectors.AccountView, language: str) -> list[str]:
    """What is agreed on the account, in words."""
    lines = [
        say(
            language,
            "promise_open",
            amount=_money(p.amount, p.currency),
            date=format_date(p.due_on, language),
        )
        for p in current.promises
    ]
    for plan in current.plans:
        key = "plan_active" if plan.status == "active" else "plan_proposed"
        lines.append(
            say(
                language,
                key,
                count=len(plan.instalments.all()),
                amount=_money(plan.instalment_amount, plan.currency),
                frequency=say(language, f"freq_{plan.frequency}"),
                date=format_date(plan.first_due_on, language),
            )
        )
    return lines


def _money(amount: Decimal, currency: str) -> str:
    return money(amount, currency)


def _account_asked(request: HttpRequest, session: PortalSession) -> int:
    raw = request.GET.get("account") or request.POST.get("account") or ""
    return int(raw) if raw.isdigit() else session.account_id


def _account(request: HttpRequest, session: PortalSession) -> Account:
    return selectors.portal_account_get(
        debtor_id=session.debtor_id, account_id=_account_asked(request, session)
    )


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    chosen = request.POST.get("language", "")
    if chosen in LANGUAGES:
        portal_language_set(request, chosen)
    back = request.POST.get("next", "")
    if not back.startswith("/my/") or "//" in back:
        back = reverse("portal:page")
    if chosen in LANGUAGES and portal_session(request) is None:
        back = f"{back.split('?')[0]}?lang={chosen}"
    return HttpResponseRedirect(back)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session = portal_session(request)
    language = session.language if session else "en"
    portal_session_end(request)
    context = {"title_key": "end_session", "body": say(language, "signed_out")}
    return _render(request, "refused.html", language, context)


# --- actions ------------------------------------------------------------------------------------


def _problems(errors: list[Problem], language: str) -> dict[str, str]:
    return {p.field: say(language, p.key, **dict(p.values)) for p in errors}


def _refusal(exc: DomainError, language: str) -> tuple[str, str]:
    """A service's refusal: the field it names (else the form as a whole) and why."""
    field = exc.field if isinstance(exc, FieldError) else "form"
    reason = exc.reason if isinstance(exc, FieldError) else exc.message
    return field, say(language, "err_refused", reason=reason)


def _spent_refusal(request: HttpRequest, language: str) -> dict[str, str] | None:
    state = _form_key_spend(request)
    if state is KeyState.FRESH:
        return None
    key = "err_double" if state is KeyState.SPENT else "err_stale"
    return {"form": say(language, key)}


def _action(
    request: HttpRequest,
    session: PortalSession,
    template: str,
    act: Callable[[Account], str],
    extra: Callable[[Account], dict[str, Any]] | None = None,
    *,
    account_id: int | None = None,
) -> HttpResponse:
    """GET: the form with a fresh key. POST: spend the key, act, and on success go back to the
    page with the words ``act`` returns; on a refusal, the form again with the reasons."""
    language = session.language
    if account_id is None:
        account = _account(request, session)
    else:
        account = selectors.portal_account_get(debtor_id=session.debtor_id, account_id=account_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        refused = _spent_refusal(request, language)
        if refused is not None:
            errors = refused
        else:
            try:
                done = act(account)
            except FormProblemsError as exc:
                errors = _problems(exc.problems, language)
            except DomainError as exc:
                field, reason = _refusal(exc, language)
                errors = {field: reason}
            else:
                if done.startswith("redirect:"):
                    return HttpResponseRedirect(done.removeprefix("redirect:"))
                messages.success(request, done)
                return HttpResponseRedirect(f"{reverse('portal:page')}?account={account.pk}")
    context = {
        "account": account,
        "balance": _money(account.balance, account.currency),
        "errors": errors,
        "form_key": form_key_new(request),
        "values": request.POST if request.method == "POST" else {},
        **(extra(account) if extra else {}),
    }
    for group in context.get("groups", ()):
        for row in group["rows"]:
            row["error"] = errors.get(row["name"], "")
    return _render(request, template, language, context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@portal_view
def pay(request: HttpRequest, session: PortalSession) -> HttpResponse:
    language = session.language
    if request.GET.get("cancelled"):
        messages.info(request, say(language, "pay_cancelled"))

    def act(account: Account) -> str:
        amount = amount_read(
            request.POST.get("amount", ""), field="amount", balance=account.balance
        )
        method = choice_read(
            request.POST.get("method", ""), field="method", allowed=("card", "ach")
        )
        return "redirect:" + _checkout(request, session, account, amount, method)

    return _pay_action(request, session, act)


def _pay_action(
    request: HttpRequest, session: PortalSession, act: Callable[[Account], str]
) -> HttpResponse:
    """Paying does not refuse a second submission: the same form key is the same gateway
    session, so a double tap lands on the same payment page (never a second charge)."""
    language = session.language
    if request.method == "POST" and request.POST.get("form_key", "") in _keys(request).spent:
        account = _account(request, session)
        try:
            return HttpResponseRedirect(act(account).removeprefix("redirect:"))
        except (FormProblemsError, DomainError):
            pass
    try:
        return _action(request, session, "pay.html", act)
    except ImportError:
        messages.error(request, say(language, "pay_unavailable", **_phone(language)))
        return HttpResponseRedirect(reverse("portal:page"))


def _checkout(
    request: HttpRequest,
    session: PortalSession,
    account: Account,
    amount: Decimal,
    method: str,
    settlement_id: int | None = None,
) -> str:
    return services.portal_payment_start(
        link_id=session.link_id,
        debtor_id=session.debtor_id,
        account_id=account.pk,
        amount=amount,
        method=method,
        form_key=request.POST.get("form_key", ""),
        success_url=request.build_absolute_uri(f"{reverse('portal:page')}?paid=1"),
        cancel_url=request.build_absolute_uri(f"{reverse('portal:pay')}?cancelled=1"),
        settlement_id=settlement_id,
    )


@require_POST
@portal_view
def settlement_accept(
    request: HttpRequest, session: PortalSession, settlement_id: int
) -> HttpResponse:
    """Take the settlement offered and go to pay it."""
    language = session.language
    settlement = selectors.portal_settlement_get(
        debtor_id=session.debtor_id, settlement_id=settlement_id
    )
    account = selectors.portal_account_get(
        debtor_id=session.debtor_id, account_id=settlement.account_id
    )
    spent = request.POST.get("form_key", "") in _keys(request).spent
    if not spent and _form_key_spend(request) is not KeyState.FRESH:
        messages.error(request, say(language, "err_stale"))
        return HttpResponseRedirect(reverse("portal:page"))
    try:
        if settlement.status == settlement.Status.OFFERED:
            services.portal_settlement_accept(
                link_id=session.link_id, debtor_id=session.debtor_id, settlement_id=settlement.pk
            )
        url = _checkout(request, session, account, settlement.amount, "card", settlement.pk)
    except ImportError:
        messages.error(request, say(language, "pay_unavailable", **_phone(language)))
        return HttpResponseRedirect(reverse("portal:page"))
    except DomainError as exc:
        messages.error(request, _refusal(exc, language)[1])
        return HttpResponseRedirect(reverse("portal:page"))
    return HttpResponseRedirect(url)


@require_http_methods(["GET", "POST"])
@portal_view
def promise(request: HttpRequest, session: PortalSession) -> HttpResponse:
    language = session.language

    def act(account: Account) -> str:
        problems: list[Problem] = []
        amount = due_on = None
        try:
            amount = amount_read(
                request.POST.get("amount", ""),
                field="amount",
                balance=account.balance,
                currency=account.currency,
            )
        except FormProblemsError as exc:
            problems += exc.problems
        try:
            due_on = date_read(request.POST.get("due_on", ""), field="due_on", today=clock.today())
        except FormProblemsError as exc:
            problems += exc.problems
        gather(problems)
        assert amount is not None and due_on is not None  # gather raised otherwise
        made = services.portal_promise_make(
            link_id=session.link_id,
            debtor_id=session.debtor_id,
            account_id=account.pk,
            amount=amount,
            due_on=due_on,
        )
        return say(
            language,
            "promise_made",
            amount=_money(made.amount, made.currency),
            date=format_date(made.due_on, language),
        )

    return _action(
        request, session, "promise.html", act, lambda _a: {"today": clock.today().isoformat()}
    )


def _statement_fields(language: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    income: list[dict[str, str]] = []
    spending: list[dict[str, str]] = []
    for code, english, spanish in STATEMENT_LINES:
        row = {"code": code, "name": "sfs_" + code.replace(".", "__"), "label": english}
        if language == "es":
            row["label"] = spanish
        (income if code.startswith(INCOME_PREFIXES) else spending).append(row)
    return income, spending


@require_http_methods(["GET", "POST"])
@portal_view
def plan(request: HttpRequest, session: PortalSession) -> HttpResponse:
    """The income and expenditure form; sent, it proposes the plan the figures afford."""
    language = session.language
    income, spending = _statement_fields(language)

    def act(account: Account) -> str:
        problems: list[Problem] = []
        figures: dict[str, Decimal] = {}
        for row in income + spending:
            try:
                figures[row["code"]] = figure_read(
                    request.POST.get(row["name"], ""), field=row["name"]
                )
            except FormProblemsError as exc:
                problems += exc.problems
        frequency = request.POST.get("frequency", "")
        try:
            choice_read(frequency, field="frequency", allowed=("weekly", "fortnightly", "monthly"))
        except FormProblemsError as exc:
            problems += exc.problems
        first = None
        try:
            first = date_read(
                request.POST.get("first_due_on", ""), field="first_due_on", today=clock.today()
            )
        except FormProblemsError as exc:
            problems += exc.problems
        gather(problems)
        assert first is not None  # gather raised otherwise
        try:
            proposed = services.portal_plan_propose(
                link_id=session.link_id,
                debtor_id=session.debtor_id,
                account_id=account.pk,
                figures=figures,
                frequency=frequency,
                first_due_on=first,
            )
        except ProposalRefusedError as exc:
            # No instalment fits (or none that ends): free debt advice, not a token plan.
            raise FormProblemsError([Problem("form", "plan_none")]) from exc
        return "redirect:" + reverse("portal:plan_offer", args=[proposed.pk])

    return _action(
        request,
        session,
        "plan.html",
        act,
        lambda _a: _plan_context(request, language, income, spending),
    )


def _plan_context(
    request: HttpRequest,
    language: str,
    income: list[dict[str, str]],
    spending: list[dict[str, str]],
) -> dict[str, Any]:
    """The statement's two groups, each line with what was typed; ``errors`` fill in later."""
    words = texts(language)
    groups: list[dict[str, Any]] = [
        {"legend": words["income"], "rows": income},
        {"legend": words["spending"], "rows": spending},
    ]
    for group in groups:
        for row in group["rows"]:
            row["value"] = request.POST.get(row["name"], "") if request.method == "POST" else ""
    return {
        "groups": groups,
        "today": clock.today().isoformat(),
        "frequencies": [(f, words[f"freq_{f}"]) for f in ("monthly", "fortnightly", "weekly")],
    }


@require_http_methods(["GET", "POST"])
@portal_view
def plan_offer(request: HttpRequest, session: PortalSession, plan_id: int) -> HttpResponse:
    """The plan the figures afford, to accept (POST) or leave."""
    language = session.language
    proposed = selectors.portal_plan_get(debtor_id=session.debtor_id, plan_id=plan_id)
    instalments = list(proposed.instalments.all())

    def act(_account: Account) -> str:
        services.portal_plan_accept(
            link_id=session.link_id, debtor_id=session.debtor_id, plan_id=proposed.pk
        )
        return say(language, "plan_accepted")

    offer = say(
        language,
        "plan_offer",
        count=len(instalments),
        amount=_money(proposed.instalment_amount, proposed.currency),
        frequency=say(language, f"freq_{proposed.frequency}"),
        date=format_date(proposed.first_due_on, language),
        affordable=_money(proposed.affordable_amount, proposed.currency),
    )
    return _action(
        request,
        session,
        "plan_offer.html",
        act,
        lambda _a: {
            "plan": proposed,
            "instalments": [
                (format_date(i.due_on, language), _money(i.amount, proposed.currency))
                for i in instalments
            ],
            "offer": offer,
        },
        account_id=proposed.account_id,
    )


@require_http_methods(["GET", "POST"])
@portal_view
def dispute(request: HttpRequest, session: PortalSession) -> HttpResponse:
    language = session.language

    def act(account: Account) -> str:
        services.portal_dispute(
            link_id=session.link_id,
            debtor_id=session.debtor_id,
            account_id=account.pk,
            reason=request.POST.get("reason", ""),
            details=request.POST.get("details", ""),
            upload=request.FILES.get("document"),
        )
        return say(language, "dispute_sent")

    return _action(
        request,
        session,
        "dispute.html",
        act,
        lambda _a: {
            "reasons": [(r, texts(language)[f"reason_{r}"]) for r in services.DISPUTE_REASONS]
        },
    )


@require_http_methods(["GET", "POST"])
@portal_view
def stop(request: HttpRequest, session: PortalSession) -> HttpResponse:
    language = session.language

    def act(_account: Account) -> str:
        if request.POST.get("confirm") != "yes":
            raise FormProblemsError([Problem("confirm", "err_confirm")])
        services.portal_cease(link_id=session.link_id, debtor_id=session.debtor_id)
        return say(language, "stop_done")

    return _action(request, session, "stop.html", act)


@require_http_methods(["GET", "POST"])
@portal_view
def preferences(request: HttpRequest, session: PortalSession) -> HttpResponse:
    language = session.language

    def act(_account: Account) -> str:
        problems: list[Problem] = []
        channel = request.POST.get("channel", "")
        try:
            choice_read(channel, field="channel", allowed=services.CHANNELS)
        except FormProblemsError as exc:
            problems += exc.problems
        times = []
        for name in ("not_before", "not_after"):
            try:
                times.append(time_read(request.POST.get(name, ""), field=name))
            except FormProblemsError as exc:
                problems += exc.problems
        gather(problems)
        services.portal_contact_preference(
            link_id=session.link_id,
            debtor_id=session.debtor_id,
            channel=channel,
            not_before=times[0],
            not_after=times[1],
        )
        return say(language, "prefs_done", channel=say(language, f"channel_{channel}").lower())

    return _action(
        request,
        session,
        "preferences.html",
        act,
        lambda _a: {"channels": [(c, texts(language)[f"channel_{c}"]) for c in services.CHANNELS]},
    )
