"""The chat on the agent desk: the account screen's chat panel and the "Chats waiting" page.

Thin: each view loads the account through the access helpers (another client's account or chat is
a 404), calls one service or selector of ``portal.chat`` and renders a fragment HTMX swaps in.

The panel has three parts that refresh separately, so what the agent is typing survives:

- the log: a poller every 2 seconds asks for the messages after the last one shown and appends
  them (out of band), then replaces itself with the next cursor;
- the reply area (a form per open conversation, and Close): re-rendered after a reply or a close,
  and by the poll only when the set of open conversations changed (a debtor started one);
- each conversation's state (waiting / answered), refreshed with the messages.

A reply goes through the compliance gate (``chat_reply_from_agent``); refused, nothing is sent and
the reply area shows the rules and their citations, with the agent's text kept.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from solvent.core.domain.errors import DomainError
from solvent.desk.roles import desk_view
from solvent.portal import chat
from solvent.portal.domain.chat import MAX_LENGTH, ChatMessageRefusedError
from solvent.portal.models import ChatConversation, ChatMessage
from solvent.portfolio.access import access_account_by_id, access_can_write
from solvent.portfolio.models import Account

PANEL = "desk/chat/panel.html"
POLL = "desk/chat/poll.html"
REPLY_AREA = "desk/chat/reply_area.html"
WAITING = "desk/chat/waiting.html"
# The poll answers at once after a send; the contact history reloads after a write (account page).
EVENTS = '{"solvent:chat-sent": null, "solvent:contact-recorded": null}'


@desk_view()
@require_GET
def chat_panel(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id)
    messages = chat.chat_messages_since(account_id=account.pk, limit=100)
    return render(request, PANEL, _context(request, account, messages, after=_last(messages, 0)))


@desk_view()
@require_GET
def chat_poll(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id)
    after = _number(request.GET.get("after", ""))
    messages = chat.chat_messages_since(account_id=account.pk, after_id=after)
    context = _context(request, account, messages, after=_last(messages, after))
    # The reply area again only when a conversation opened or closed since the page drew it.
    context["reply_area_changed"] = context["open_key"] != request.GET.get("open", "")
    return render(request, POLL, context)


@desk_view()
@require_POST
def chat_reply(request: HttpRequest, account_id: int, conversation_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    conversation = chat.chat_conversation_get(
        account_id=account.pk, conversation_id=conversation_id
    )
    body = request.POST.get("body", "")
    agent_id = request.user.pk
    assert agent_id is not None  # desk_view: a signed-in user
    state: dict[str, Any] = {}
    try:
        outcome = chat.chat_reply_from_agent(
            conversation_id=conversation.pk, agent_id=agent_id, body=body
        )
    except ChatMessageRefusedError as refused:
        state = {"error": refused.reason}
    except DomainError as refused:  # a closed chat, or an argument the gate does not take
        state = {"refusal": {"reasons": [(refused.code, refused.message, "")]}}
    else:
        if not outcome.sent:
            state = {
                "refusal": {
                    "reasons": outcome.authorization.blocking,
                    "purpose": outcome.purpose,
                    "decision_log_id": outcome.authorization.decision_log_id,
                }
            }
    if state:
        state.update(conversation_id=conversation.pk, body=body)
        return _reply_area(request, account, state)
    response = _reply_area(request, account, {"notice": "Sent to the debtor's page."})
    response["HX-Trigger"] = EVENTS
    return response


@desk_view()
@require_POST
def chat_close(request: HttpRequest, account_id: int, conversation_id: int) -> HttpResponse:
    account = access_account_by_id(user=request.user, account_id=account_id, for_write=True)
    conversation = chat.chat_conversation_get(
        account_id=account.pk, conversation_id=conversation_id
    )
    actor_id = request.user.pk
    assert actor_id is not None
    chat.chat_close(conversation_id=conversation.pk, actor_id=actor_id)
    response = _reply_area(request, account, {"notice": "Chat closed."})
    response["HX-Trigger"] = EVENTS
    return response


@desk_view()
@require_GET
def chats_waiting(request: HttpRequest) -> HttpResponse:
    """The conversations waiting for an answer in this user's clients, the longest wait first."""
    rows = chat.chat_waiting_list(user=request.user)
    template = f"{WAITING}#waiting" if request.headers.get("HX-Request") else WAITING
    return render(request, template, {"rows": rows})


# --- helpers -----------------------------------------------------------------------------------


def _context(
    request: HttpRequest, account: Account, messages: list[ChatMessage], *, after: int
) -> dict[str, Any]:
    conversations = chat.chat_conversations_open(account_id=account.pk)
    return {
        "account": account,
        "rows": messages,
        "after": after,
        "conversations": conversations,
        "open_key": _open_key(conversations),
        "states": _states(conversations, messages),
        "can_write": access_can_write(user=request.user),
        "max_length": MAX_LENGTH,
        "state": {},
    }


def _reply_area(request: HttpRequest, account: Account, state: dict[str, Any]) -> HttpResponse:
    conversations = chat.chat_conversations_open(account_id=account.pk)
    context = {
        "account": account,
        "conversations": conversations,
        "open_key": _open_key(conversations),
        "can_write": access_can_write(user=request.user),
        "max_length": MAX_LENGTH,
        "state": state,
    }
    return render(request, REPLY_AREA, context)


def _open_key(conversations: list[ChatConversation]) -> str:
    return "-".join(str(conversation.pk) for conversation in conversations)


def _states(
    conversations: list[ChatConversation], messages: list[ChatMessage]
) -> list[ChatConversation]:
    """The open conversations a message of this answer belongs to (their state may have changed)."""
    touched = {message.conversation_id for message in messages}
    return [conversation for conversation in conversations if conversation.pk in touched]


def _number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _last(messages: list[ChatMessage], default: int) -> int:
    return messages[-1].pk if messages else default
