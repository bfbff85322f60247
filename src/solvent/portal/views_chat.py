"""The chat on the debtor's page (/my/chat/...): the widget, its 2-second poll and the send form.

Thin: the debtor is the one the page's session names (``portal.session``), never a parameter; the
debt is the one the page shows (``account``, checked to be theirs) or the link's; each view calls
one service or selector of ``portal.chat`` and renders a fragment HTMX swaps in. The
widget loads itself from the page (``portal/chat/widget.html``); the poll appends what is new to
the log (out of band) and replaces itself with the next cursor, so a message is shown once however
the poll and a send cross. Without a session: 403; the poll answers a line saying the session ended
in place of the poller, so the polling stops.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from solvent.core.domain.errors import NotFoundError
from solvent.portal import chat
from solvent.portal.domain.chat import (
    MAX_LENGTH,
    ChatMessageRefusedError,
    chat_language,
    chat_refusal_text,
    chat_texts,
)
from solvent.portal.models import ChatMessage
from solvent.portal.selectors import portal_account_get
from solvent.portal.session import PortalSession, portal_session
from solvent.portfolio.models import Phone

WIDGET = "portal/chat/widget_body.html"
POLL = "portal/chat/poll.html"
FORM = "portal/chat/form.html"
SENT_EVENT = "solvent:chat-sent"


@require_GET
def chat_widget(request: HttpRequest) -> HttpResponse:
    session = portal_session(request, touch=False)
    if session is None:
        return _ended(request, status=403)
    account_id = _account_id(request, session)
    messages = chat.chat_messages_since(
        account_id=account_id, debtor_id=session.debtor_id, limit=100
    )
    context = _context(session, account_id, messages, after=_last(messages, 0))
    return render(request, WIDGET, context)


@require_GET
def chat_poll(request: HttpRequest) -> HttpResponse:
    session = portal_session(request, touch=False)
    if session is None:
        return _ended(request, status=200)
    account_id = _account_id(request, session)
    after = _cursor(request.GET.get("after", ""))
    messages = chat.chat_messages_since(
        account_id=account_id, debtor_id=session.debtor_id, after_id=after
    )
    context = _context(session, account_id, messages, after=_last(messages, after))
    return render(request, POLL, context)


@require_POST
def chat_send(request: HttpRequest) -> HttpResponse:
    session = portal_session(request)
    if session is None:
        return _ended(request, status=403)
    account_id = _account_id(request, session)
    body = request.POST.get("body", "")
    context = _context(session, account_id, [], after=0)
    try:
        chat.chat_message_from_debtor(
            debtor_id=session.debtor_id,
            account_id=account_id,
            body=body,
            language=session.language,
        )
    except ChatMessageRefusedError as refused:
        context.update(error=chat_refusal_text(refused.code, session.language), body=body)
        return render(request, FORM, context)
    if not request.headers.get("HX-Request"):
        # A browser without scripts posted the form: back to the page, at the chat.
        page = reverse("portal:chat_widget").removesuffix("chat/")
        return redirect(f"{page}?account={account_id}#chat")
    context["notice"] = context["t"]["sent"]
    response = render(request, FORM, context)
    response["HX-Trigger"] = SENT_EVENT
    return response


# --- helpers -----------------------------------------------------------------------------------


def _account_id(request: HttpRequest, session: PortalSession) -> int:
    """The debt the page shows (``account``), one of the debtor's; else the one the link was about.

    Another's account, or one the page does not show, is not found (404)."""
    raw = request.GET.get("account") or request.POST.get("account") or ""
    if not raw:
        return session.account_id
    if not raw.isdigit() or len(raw) > 18:
        raise Http404("account not found")
    try:
        return portal_account_get(debtor_id=session.debtor_id, account_id=int(raw)).pk
    except NotFoundError as missing:
        raise Http404(missing.message) from None


def _context(
    session: PortalSession, account_id: int, messages: list[ChatMessage], *, after: int
) -> dict[str, Any]:
    language = chat_language(session.language)
    zone = _zone(session.debtor_id) if messages else ZoneInfo("UTC")
    return {
        "t": chat_texts(language),
        "language": language,
        "account_id": account_id,
        "max_length": MAX_LENGTH,
        "rows": [(message, message.sent_at.astimezone(zone)) for message in messages],
        "after": after,
        "waiting": _waiting(messages),
    }


def _waiting(messages: list[ChatMessage]) -> bool | None:
    """Whether the debtor's latest message waits for an agent (None: nothing new to say)."""
    for message in reversed(messages):
        if message.sender == ChatMessage.Sender.DEBTOR:
            return True
        if message.sender == ChatMessage.Sender.AGENT:
            return False
    return None


def _zone(debtor_id: int) -> ZoneInfo:
    """The debtor's time zone as their phones place them; UTC when none is known."""
    for zones in Phone.objects.filter(debtor_id=debtor_id).values_list("time_zones", flat=True):
        for name in zones or []:
            try:
                return ZoneInfo(name)
            except (ValueError, KeyError):
                continue
    return ZoneInfo("UTC")


def _cursor(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _last(messages: list[ChatMessage], default: int) -> int:
    return messages[-1].pk if messages else default


def _ended(request: HttpRequest, *, status: int) -> HttpResponse:
    language = chat_language(request.GET.get("lang", "en"))
    return render(request, "portal/chat/ended.html", {"t": chat_texts(language)}, status=status)
