"""The agent's dialer in the desk: campaign login, ready/pause/wrap-up, the screen pop, preview.

``/dialer/`` is the agent's page: they pick a campaign of their team, log in, go ready or pause
with a reason, and log out; in a preview campaign they see the next account and click to dial it
(through the gate). The page polls its section every second: when the dialer process connects a
call to the agent (``AgentSession.call`` set), the answer is an ``HX-Redirect`` to the account
screen with ``?call=<id>``: the screen pops without a reload.

On the account screen, ``desk/dialer/account_panel.html`` shows the agent's live dialer call on
that account (who is on the line, the call's state and time, Hang up, Ready for the next call) and
loads the guided call panel (desk/views_call.py) for the call's reserved attempt, so right-party
verification, the disclosure and the scripts work as for a click-to-call. Its outcome buttons are
the call's dispositions: ``desk/dialer.js`` sends them here (``dialer_call_outcome``), which
records them with the dialer's ``call_outcome_record`` (the contact history, the ledger and the
hopper's recycling) once the line is free, and puts the agent in wrap-up.

Thin: each view parses, calls one service of ``dialer.services.agents`` (or track A's
``call_outcome_record``) and renders. Form posts without HTMX are answered by a redirect to the
page, with what went wrong as a message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from solvent.core import clock
from solvent.core.crypto import mask
from solvent.core.domain.errors import DomainError, NotFoundError, ValidationError
from solvent.desk import views_call
from solvent.desk.domain.call_script import OutcomeRefusedError, outcome_check, verification_parse
from solvent.desk.roles import QUEUE_ROLES, desk_view
from solvent.dialer.models import AgentSession, Call, Campaign, HopperEntry
from solvent.dialer.services import call_outcome_record
from solvent.dialer.services.agents import (
    PAUSE_REASONS,
    agent_call_hangup,
    agent_campaign_list,
    agent_live_call,
    agent_login,
    agent_logout,
    agent_pause,
    agent_ready,
    agent_seen,
    agent_wrap_up_done,
    agent_wrap_up_start,
    preview_dial,
    preview_next,
)
from solvent.portfolio.access import access_account_by_id, access_debtor_by_id
from solvent.portfolio.models import Account

PAGE = "desk/dialer/page.html"
AGENT = "desk/dialer/agent.html"
CALL_PANEL = "desk/dialer/call_panel.html"
# The guided call's dispositions that say what the call was, not what the person said: the
# dialer's outcome for them (the rest are conversations: ``connected`` with that disposition).
_CALL_OUTCOMES = {
    "no_answer": Call.Outcome.NO_ANSWER,
    "voicemail_left": Call.Outcome.VOICEMAIL_LEFT,
    "wrong_number": Call.Outcome.WRONG_NUMBER,
}
_LIVE = (Call.State.QUEUED, Call.State.DIALLING, Call.State.RINGING, Call.State.ANSWERED)
_POP_STATES = frozenset({AgentSession.State.RESERVED, AgentSession.State.TALKING})


# --- the dialer page ---------------------------------------------------------------------------


@desk_view(QUEUE_ROLES)
@require_GET
def dialer_home(request: HttpRequest) -> HttpResponse:
    """The agent's dialer page: log in to a campaign, or their state and its buttons."""
    return render(request, PAGE, _agent_context(request, seen=_session_call_id(request)))


@desk_view(QUEUE_ROLES)
@require_GET
def dialer_state(request: HttpRequest) -> HttpResponse:
    """The page's poll: 204 while nothing changed; the screen pop when a new call is connected."""
    seen = request.GET.get("seen", "")
    agent_seen(agent_id=_user_id(request))  # the page is open: the agent is at their desk
    context = _agent_context(request, seen=int(seen) if seen.isdigit() else None)
    session = context["session"]
    if (
        session is not None
        and session.state in _POP_STATES
        and session.call_id is not None
        and str(session.call_id) != seen
    ):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _account_url(session.call)
        return response
    if request.GET.get("digest") == context["digest"]:
        return HttpResponse(status=204)
    return render(request, AGENT, context)


@desk_view(QUEUE_ROLES)
@require_POST
def dialer_login(request: HttpRequest) -> HttpResponse:
    campaign = request.POST.get("campaign", "")
    if not campaign.isdigit():
        return _answer(request, error="Choose a campaign.")
    endpoint = request.POST.get("endpoint", "").strip()[:200]
    return _act(
        request,
        lambda: agent_login(
            agent_id=_user_id(request), campaign_id=int(campaign), endpoint=endpoint
        ),
    )


@desk_view(QUEUE_ROLES)
@require_POST
def dialer_ready(request: HttpRequest) -> HttpResponse:
    return _act(request, lambda: agent_ready(agent_id=_user_id(request)))


@desk_view(QUEUE_ROLES)
@require_POST
def dialer_pause(request: HttpRequest) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(request, lambda: agent_pause(agent_id=_user_id(request), reason=reason))


@desk_view(QUEUE_ROLES)
@require_POST
def dialer_logout(request: HttpRequest) -> HttpResponse:
    return _act(request, lambda: agent_logout(agent_id=_user_id(request)))


@desk_view(QUEUE_ROLES)
@require_POST
def dialer_wrap_up_done(request: HttpRequest) -> HttpResponse:
    """Ready for the next call: back to the dialer page, which pops the next one."""
    try:
        agent_wrap_up_done(agent_id=_user_id(request))
    except ValidationError as error:
        return _answer(request, error=error.message)
    return _to(request, reverse("desk:dialer_home"))


@desk_view(QUEUE_ROLES)
@require_POST
def dialer_preview_dial(request: HttpRequest) -> HttpResponse:
    """Dial the previewed account: through the gate; allowed, the account screen opens."""
    entry = request.POST.get("entry_id", "")
    if not entry.isdigit() or len(entry) > 18:
        return _answer(request, error="Nothing to dial: take the next account.")
    try:
        call = preview_dial(agent_id=_user_id(request), entry_id=int(entry))
    except ValidationError as error:
        return _answer(request, error=error.message)
    return _to(request, _account_url(call))


# --- the account screen's dialer call ----------------------------------------------------------


@desk_view(QUEUE_ROLES)
@require_GET
def dialer_call_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    """The agent's live dialer call on this account (polled): nothing when there is none."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    call = agent_live_call(agent_id=_user_id(request), account_id=account.pk)
    return render(request, CALL_PANEL, _call_context(request, account, call))


@desk_view(QUEUE_ROLES)
@require_GET
def dialer_call_guided(request: HttpRequest, account_id: int) -> HttpResponse:
    """The guided call panel (views_call's) about the dialer call's reserved attempt."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    call = agent_live_call(agent_id=_user_id(request), account_id=account.pk)
    if call is None or call.attempt_id is None or call.outcome:
        return views_call._panel(request, account)
    try:
        _attempt, access = views_call._attempt_of(request.user, account, str(call.attempt_id))
    except ValidationError:
        return views_call._panel(request, account)
    state = views_call._call_state(
        request, account, access, call.attempt_id, call.phone, verification_parse(None, None)
    )
    return views_call._panel(request, account, call=state)


@desk_view(QUEUE_ROLES)
@require_POST
def dialer_call_hangup(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    call = agent_live_call(agent_id=_user_id(request), account_id=account.pk)
    if call is not None:
        call = agent_call_hangup(agent_id=_user_id(request), call_id=call.pk)
    return render(request, CALL_PANEL, _call_context(request, account, call))


@desk_view(QUEUE_ROLES)
@require_POST
def dialer_call_outcome(request: HttpRequest, account_id: int) -> HttpResponse:
    """The guided call's outcome for a dialer call: the dialer records it (one outcome per call)
    and the agent is in wrap-up. A call still on the line is hung up first, and the outcome is
    asked again once the line is free (the panel says so)."""
    user = request.user
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    call = agent_live_call(agent_id=_user_id(request), account_id=account.pk)
    attempt_id = request.POST.get("attempt_id", "")
    if call is None or call.outcome or str(call.attempt_id) != attempt_id:
        return views_call._panel(
            request, account, error="This dialer call already has its outcome."
        )
    verification = verification_parse(request.POST.get("name_confirmed"), request.POST.get("fact"))
    try:
        outcome = outcome_check(request.POST.get("disposition", ""), verification)
    except OutcomeRefusedError as refused:
        _attempt, access = views_call._attempt_of(user, account, attempt_id)
        state = views_call._call_state(
            request, account, access, int(attempt_id), call.phone, verification
        )
        return views_call._panel(request, account, call=state, error=str(refused))
    agent_id = _user_id(request)
    if call.state != Call.State.ENDED and call.ended_at is None:
        # Still on the line: the dialer hangs it up first (a call closed in the history while
        # the line is up would leave the agent bridged to it, and offered the next call).
        agent_call_hangup(agent_id=agent_id, call_id=call.pk)
        _attempt, access = views_call._attempt_of(user, account, attempt_id)
        state = views_call._call_state(
            request, account, access, int(attempt_id), call.phone, verification
        )
        return views_call._panel(
            request,
            account,
            call=state,
            error="Hanging up the call: record its outcome again once the line is free.",
        )
    note = request.POST.get("note", "").strip()
    summary = " · ".join(part for part in (verification.summary(), note) if part)
    dialer_outcome = _CALL_OUTCOMES.get(outcome.disposition, Call.Outcome.CONNECTED)
    call_outcome_record(
        call_id=call.pk,
        outcome=dialer_outcome,
        agent_id=agent_id,
        disposition=outcome.disposition if dialer_outcome == Call.Outcome.CONNECTED else "",
        summary=summary,
    )
    agent_wrap_up_start(agent_id=agent_id, call_id=call.pk)
    response = views_call._panel(
        request, account, recorded=outcome.label, promise=outcome.key == "7"
    )
    response["HX-Trigger"] = views_call.RECORDED_EVENT
    return response


# --- helpers -------------------------------------------------------------------------------------


def _user_id(request: HttpRequest) -> int:
    """The signed-in agent (desk_view let no one else in)."""
    user_id = request.user.pk
    if user_id is None:
        raise PermissionDenied("sign in first")
    return int(user_id)


def _session(request: HttpRequest) -> AgentSession | None:
    return (
        AgentSession.objects.select_related("campaign", "call")
        .filter(agent_id=request.user.pk, logged_out_at__isnull=True)
        .first()
    )


def _session_call_id(request: HttpRequest) -> int | None:
    session = _session(request)
    return session.call_id if session is not None else None


def _account_url(call: Call | None) -> str:
    if call is None:
        return reverse("desk:dialer_home")
    return reverse("desk:account_detail", args=[call.account_id]) + f"?call={call.pk}"


def _preview(request: HttpRequest, entry: HopperEntry | None) -> dict[str, Any] | None:
    """What the agent reads before dialling: the account, the debtor, the number (masked)."""
    if entry is None:
        return None
    try:
        account = access_account_by_id(user=request.user, account_id=entry.account_id)
        debtor = access_debtor_by_id(user=request.user, debtor_id=entry.debtor_id).debtor
    except NotFoundError:  # a campaign of another client's accounts: nothing shown
        return None
    return {"entry": entry, "account": account, "debtor": debtor, "phone": mask(entry.phone)}


def _agent_context(request: HttpRequest, *, seen: int | None, error: str = "") -> dict[str, Any]:
    session = _session(request)
    campaigns: list[Campaign] = []
    preview = None
    if session is None:
        campaigns = agent_campaign_list(agent_id=_user_id(request))
    elif session.campaign.mode == Campaign.Mode.PREVIEW:
        preview = _preview(request, preview_next(agent_id=_user_id(request)))
    parts = (
        None
        if session is None
        else (
            session.pk,
            session.state,
            session.pause_reason,
            session.pause_requested,
            session.call_id,
            session.campaign.status,
            preview["entry"].pk if preview else None,
        )
    )
    digest = hashlib.sha256(repr((parts, [c.pk for c in campaigns])).encode()).hexdigest()[:16]
    return {
        "session": session,
        "campaigns": campaigns,
        "pause_reasons": PAUSE_REASONS,
        "pause_label": dict(PAUSE_REASONS).get(session.pause_reason, "") if session else "",
        "preview": preview,
        "seen": seen if seen is not None else "",
        "digest": digest,
        "error": error,
        "call_url": _account_url(session.call) if session and session.call_id else "",
    }


def _call_context(request: HttpRequest, account: Account, call: Call | None) -> dict[str, Any]:
    now = clock.now()
    since = (call.connected_at or call.answered_at or call.started_at) if call else None
    seconds = int((now - since).total_seconds()) if since else 0
    if call is not None and call.ended_at and since:
        seconds = int((call.ended_at - since).total_seconds())
    return {
        "account": account,
        "call": call,
        "phone": mask(call.phone) if call else "",
        # The dialer keeps a finished conversation CONNECTED, its end stamped, until the outcome.
        "live": call is not None and call.ended_at is None and call.state != Call.State.ENDED,
        "ringing": call is not None and call.state in _LIVE,
        "duration": f"{max(seconds, 0) // 60}:{max(seconds, 0) % 60:02d}",
    }


def _act(request: HttpRequest, change: Callable[[], object]) -> HttpResponse:
    """One service call; what it refuses is shown to the agent (a campaign not theirs: 404)."""
    try:
        change()
        agent_seen(agent_id=_user_id(request))
    except NotFoundError:
        raise
    except DomainError as error:
        return _answer(request, error=error.message)
    return _answer(request)


def _answer(request: HttpRequest, *, error: str = "") -> HttpResponse:
    """HTMX: the agent's section again (with the error); a plain form post: back to the page."""
    if request.headers.get("HX-Request"):
        return render(
            request, AGENT, _agent_context(request, seen=_session_call_id(request), error=error)
        )
    if error:
        messages.error(request, error)
    return redirect("desk:dialer_home")


def _to(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
