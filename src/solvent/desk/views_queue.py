"""The work queue's pages: my queue (with the teams' work queues), next account, opening a work
item, the screen pop, and the account screen's panel for work items, callbacks and messages.
Thin: parse, call one service or selector, render.

The queue's own pages (``/queue/``) are for agents and supervisors (``desk_view(QUEUE_ROLES)``);
the account panel and its forms are every role's (a client viewer reads it and may not write: 403).
The pop names its call or number in the query string, which ``desk_view`` cannot resolve before its
role check, so it is a signed-in page whose selector answers "not found" for anything not the
user's, a user without a role included (ADR 0022; the access matrix).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from solvent.compliance.selectors import contact_option_list
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.desk import queue as queue_selectors
from solvent.desk import services_queue
from solvent.desk.presenters import place_name
from solvent.desk.queue_rules import LocalTimeError, local_to_utc, utc_to_local_input
from solvent.desk.roles import ALL_ROLES, QUEUE_ROLES, desk_page, desk_view
from solvent.portfolio.access import (
    DebtorAccess,
    access_account_by_id,
    access_can_write,
    access_debtor_by_id,
)
from solvent.portfolio.models import Account
from solvent.strategy.selectors import work_queues
from solvent.strategy.services import work_queues as work_queue_services
from solvent.strategy.work_rules import QUEUE_LABELS, WorkKind

View = Callable[..., HttpResponse]
# The lazy refresh behind the next-account button: at most one run a minute, by one agent.
REFRESH_AGE_SECONDS = 60


_record_page = desk_page


def _hx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# --- my queue, next account ---------------------------------------------------------------------


@desk_view(QUEUE_ROLES)
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    # Bookkeeping, not a business write: new accounts and recent contacts find their place.
    services_queue.queue_refresh_lazy(older_than=timedelta(seconds=REFRESH_AGE_SECONDS))
    return render(request, "desk/queue/page.html", _queue_context(request))


def _queue_context(request: HttpRequest, **extra: object) -> dict[str, object]:
    now = clock.now()
    due = queue_selectors.due_callbacks(user=request.user, now=now)
    kind = request.GET.get("kind", "")
    queues = work_queues.work_queue_summary(user=request.user, now=now)
    if kind not in {queue.kind for queue in queues}:
        kind = ""
    return {
        "due": due,
        "upcoming": queue_selectors.upcoming_callbacks(user=request.user, now=now)[:20],
        "next_entries": queue_selectors.queue_preview(user=request.user, now=now),
        "queues": [
            work_queues.QueueCount(
                WorkKind.CALLBACK.value, QUEUE_LABELS[WorkKind.CALLBACK], len(due)
            ),
            *queues,
        ],
        "kind": kind,
        "now": now,
        "work_items": work_queues.work_queue_list(user=request.user, kind=kind or None, now=now),
        **extra,
    }


@desk_view(QUEUE_ROLES)
@require_POST
def queue_next(request: HttpRequest) -> HttpResponse:
    """Claim the next account and open it; an empty queue says so where the button is."""
    services_queue.queue_refresh_lazy(older_than=timedelta(seconds=REFRESH_AGE_SECONDS))
    claim = services_queue.queue_next_claim(user=request.user)
    if claim is not None:
        url = reverse("desk:account_detail", args=[claim.account_id])
        return _hx_redirect(request, url)
    message = "Your queue is empty: no callback is due and no account is waiting."
    if request.headers.get("HX-Request"):
        return render(request, "desk/queue/empty.html", {"message": message})
    return render(request, "desk/queue/page.html", _queue_context(request, message=message))


@desk_view(QUEUE_ROLES)
@require_POST
def work_item_open(request: HttpRequest, account_id: int, item_id: int) -> HttpResponse:
    """Open a work item from the list: it and its account are the agent's for a few minutes."""
    try:
        services_queue.queue_work_item_open(
            user=request.user, account_id=account_id, item_id=item_id
        )
    except ValidationError as error:
        return render(
            request, "desk/queue/page.html", _queue_context(request, message=error.message)
        )
    return _hx_redirect(request, reverse("desk:account_detail", args=[account_id]))


@desk_view(ALL_ROLES)
@require_POST
def work_item_done(request: HttpRequest, account_id: int, item_id: int) -> HttpResponse:
    """The account panel's "Done" on a work item: it leaves the queue."""
    try:
        work_queue_services.work_item_done(
            user=request.user, account_id=account_id, item_id=item_id
        )
    except ValidationError as error:
        account = access_account_by_id(user=request.user, account_id=account_id)
        return _panel(request, account, work_error=error.message)
    account = access_account_by_id(user=request.user, account_id=account_id)
    return _panel(request, account, work_saved="Done: the item has left the queue.")


# --- the screen pop -----------------------------------------------------------------------------


@_record_page
@require_GET
def screen_pop(request: HttpRequest) -> HttpResponse:
    """The URL the dialer opens when a call connects: ?call=<attempt id> or ?phone=<number>."""
    call, phone = request.GET.get("call", ""), request.GET.get("phone", "")
    if call.isdigit() and len(call) < 19:
        pop = queue_selectors.pop_for_attempt(user=request.user, attempt_id=int(call))
    elif phone:
        pop = queue_selectors.pop_for_phone(user=request.user, e164=_e164(phone))
    else:
        raise NotFoundError("name a call or a phone number")
    return redirect(reverse("desk:account_detail", args=[pop.account_id]))


def _e164(text: str) -> str:
    """A number as the dialer may send it (+1 617..., 617-555-0101), in E.164; "" if it is none."""
    try:
        number = phonenumbers.parse(text.strip(), "US")
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- the account screen's panel -----------------------------------------------------------------


def _call_zones(access: DebtorAccess, now: datetime) -> dict[str, str]:
    """Each phone's zone as the engine sees the debtor there (the first of its zones)."""
    return {
        option.contact_point: (option.decision.time_zones or ("UTC",))[0]
        for option in contact_option_list(access=access, at=now)
        if option.channel == "call"
    }


def _panel_context(request: HttpRequest, account: Account, **extra: object) -> dict[str, object]:
    now = clock.now()
    phones, points = [], []
    for link in account.account_debtors.select_related("debtor").order_by("role", "id"):
        access = access_debtor_by_id(user=request.user, debtor_id=link.debtor_id)
        name = access.debtor.full_name
        for number, zone in _call_zones(access, now).items():
            phones.append(
                {
                    "value": f"{access.debtor.pk}|{number}",
                    "label": f"{name} · {number}",
                    "zone": zone,
                }
            )
        points += [
            {
                "value": f"{access.debtor.pk}|sms|{phone.e164}",
                "label": f"{name} · text {phone.e164}",
            }
            for phone in access.phones()
            if phone.line_type != phone.LineType.LANDLINE
        ]
        points += [
            {
                "value": f"{access.debtor.pk}|email|{email.address}",
                "label": f"{name} · {email.address}",
            }
            for email in access.emails()
        ]
    callbacks = [
        {
            "callback": callback,
            "local": callback.due_at.astimezone(ZoneInfo(callback.time_zone)).strftime(
                "%a %d %b %Y %H:%M %Z"
            ),
        }
        for callback in queue_selectors.account_callback_list(account=account)
    ]
    return {
        "account": account,
        "can_write": access_can_write(user=request.user),
        "phones": phones,
        "points": points,
        "templates": queue_selectors.message_template_list(),
        "callbacks": callbacks,
        "work_items": work_queues.account_work_items(account=account),
        **extra,
    }


@desk_view(ALL_ROLES)
@require_GET
def account_queue_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id)
    return render(request, "desk/queue/panel.html", _panel_context(request, account))


@desk_view(ALL_ROLES)
@require_POST
def callback_create(request: HttpRequest, account_id: int) -> HttpResponse:
    """Set a callback at a time in the debtor's zone; refused outside the lawful window."""
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    debtor_text, _, phone = request.POST.get("target", "").partition("|")
    form = {
        "target": request.POST.get("target", ""),
        "due_local": request.POST.get("use_time") or request.POST.get("due_local", ""),
        "assignee": request.POST.get("assignee", "me"),
        "note": request.POST.get("note", "")[:255],
        "prior_consent": request.POST.get("prior_consent") == "yes",
    }
    if not debtor_text.isdigit() or len(debtor_text) > 18:
        raise NotFoundError("choose a debtor's phone")
    access = access_debtor_by_id(user=request.user, debtor_id=int(debtor_text), for_write=True)
    zone = _call_zones(access, clock.now()).get(phone)
    if zone is None:
        raise NotFoundError("choose a debtor's phone")
    context: dict[str, object] = {"form": form, "form_zone": zone}
    if request.POST.get("use_time"):
        # The "use the next lawful time" button fills the time in; the agent confirms.
        return _panel(request, account, **context)
    try:
        local = datetime.strptime(str(form["due_local"]), "%Y-%m-%dT%H:%M")  # noqa: DTZ007 - wall clock in `zone`
        due_at = local_to_utc(
            date(local.year, local.month, local.day), time(local.hour, local.minute), zone
        )
        callback = services_queue.callback_create(
            user=request.user,
            account_id=account.pk,
            debtor_id=access.debtor.pk,
            phone=phone,
            due_at=due_at,
            time_zone=zone,
            agent_id=request.user.pk if form["assignee"] == "me" else None,
            note=str(form["note"]),
            prior_consent=bool(form["prior_consent"]),
        )
    except ValueError:
        context["error"] = "Give the date and time the debtor chose (their local time)."
    except LocalTimeError as error:
        context["error"] = str(error)
    except services_queue.CallbackRefusedError as error:
        context["refused"] = error.reasons
        if error.earliest is not None:
            context["next_lawful"] = utc_to_local_input(error.earliest, zone)
            context["next_lawful_label"] = error.earliest.astimezone(ZoneInfo(zone)).strftime(
                "%a %d %b %Y %H:%M %Z"
            )
    except ValidationError as error:
        context["error"] = error.message
    else:
        local_label = callback.due_at.astimezone(ZoneInfo(zone)).strftime("%a %d %b %Y %H:%M %Z")
        context = {"saved": f"Callback set for {local_label} ({place_name(zone)})."}
    return _panel(request, account, **context)


@desk_view(ALL_ROLES)
@require_POST
def callback_cancel(request: HttpRequest, account_id: int, callback_id: int) -> HttpResponse:
    try:
        services_queue.callback_cancel(
            user=request.user, account_id=account_id, callback_id=callback_id
        )
    except ValidationError as error:
        account = access_account_by_id(user=request.user, account_id=account_id)
        return _panel(request, account, error=error.message)
    account = access_account_by_id(user=request.user, account_id=account_id)
    return _panel(request, account, saved="Callback cancelled.")


def _panel(request: HttpRequest, account: Account, **extra: object) -> HttpResponse:
    return render(request, "desk/queue/panel.html", _panel_context(request, account, **extra))


def _message_fields(request: HttpRequest) -> tuple[int, str, str, str]:
    debtor_text, channel, point = [*request.POST.get("target", "").split("|", 2), "", ""][:3]
    if not debtor_text.isdigit() or len(debtor_text) > 18:
        raise NotFoundError("choose where the message goes")
    return int(debtor_text), channel, point, request.POST.get("template", "")


@desk_view(ALL_ROLES)
@require_POST
def message_preview(request: HttpRequest, account_id: int) -> HttpResponse:
    """The exact words, filled in: the agent reads them before sending."""
    debtor_id, channel, point, template = _message_fields(request)
    try:
        preview = services_queue.desk_message_preview(
            user=request.user,
            account_id=account_id,
            debtor_id=debtor_id,
            channel=channel,
            contact_point=point,
            template_code=template,
        )
    except ValidationError as error:
        return render(request, "desk/queue/message.html", {"error": error.message})
    return render(
        request,
        "desk/queue/message.html",
        {"preview": preview, "target": request.POST.get("target", ""), "account_id": account_id},
    )


@desk_view(ALL_ROLES)
@require_POST
def message_send(request: HttpRequest, account_id: int) -> HttpResponse:
    """Queue the previewed message in the outbox; the outbox's gate decides when it goes."""
    debtor_id, channel, point, template = _message_fields(request)
    try:
        message = services_queue.desk_message_send(
            user=request.user,
            account_id=account_id,
            debtor_id=debtor_id,
            channel=channel,
            contact_point=point,
            template_code=template,
        )
    except ValidationError as error:
        return render(request, "desk/queue/message.html", {"error": error.message})
    return render(request, "desk/queue/message.html", {"queued": message})


@desk_view(ALL_ROLES)
@require_GET
def message_status(request: HttpRequest, account_id: int, message_id: int) -> HttpResponse:
    """The outbox status of a message sent from the desk; the fragment polls until it settles."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    message = queue_selectors.desk_message_get(account=account, message_id=message_id)
    return render(request, "desk/queue/message.html", {"queued": message})
