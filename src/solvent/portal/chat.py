"""The chat between the debtor's page and the agent desk: its writes and its reads.

Services (one transaction each, an audit entry each):

- ``chat_message_from_debtor``: the debtor wrote on their page. It opens (or continues) the
  conversation about the account, waits for an answer, and goes into the contact history as an
  inbound contact (the compliance ledger counts it, like an inbound text).
- ``chat_reply_from_agent``: an agent answers. The compliance gate decides first, like for any
  contact (channel "chat", the conversation as the contact point; an answer to the consumer while
  their latest message is unanswered, else a collection contact). Allowed: the message and an
  outbound contact carrying the gate's attempt and decision. Refused: nothing is sent and the
  answer says why (the rules and their citations).
- ``chat_close``: an agent ends the conversation; the debtor's next message opens a new one.

Selectors: ``chat_messages_since`` (what a page has not shown yet), ``chat_waiting_list`` (the
conversations waiting for an answer in the clients an agent serves, oldest first),
``chat_waiting_counts`` (per client, for the wallboard) and the conversations of an account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from solvent.audit.services import audit_record, audit_system
from solvent.compliance.models import Hold
from solvent.compliance.services import Authorization, contact_attempt_authorize, hold_place
from solvent.contact.domain.inbound import InboundIntent, classify_inbound_text
from solvent.contact.domain.model import Channel, Direction, Disposition
from solvent.contact.services import interaction_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portal.domain.chat import (
    RATE_WINDOW,
    SYSTEM_TEXTS,
    chat_language,
    chat_rate_check,
    chat_text_clean,
    reply_purpose,
)
from solvent.portal.models import ChatConversation, ChatMessage
from solvent.portfolio.access import access_account_queryset
from solvent.portfolio.models import AccountDebtor, Debtor

CHANNEL = "chat"
_OPEN = (ChatConversation.Status.WAITING, ChatConversation.Status.OPEN)


def contact_point_for(conversation_id: int) -> str:
    """The conversation as a contact point in the contact history and the compliance ledger."""
    return f"{CHANNEL}:{conversation_id}"


def chat_channel_known() -> bool:
    """Whether the contact history and the gate know the chat channel (ADR 0031)."""
    return CHANNEL in {member.value for member in Channel}


# --- services ----------------------------------------------------------------------------------


def chat_message_from_debtor(
    *, debtor_id: int, account_id: int, body: str, language: str = "en"
) -> ChatMessage:
    """The debtor's message: opens or continues their conversation about the account.

    Refused (``ChatMessageRefusedError``, field ``body``) when empty, too long, or the debtor wrote
    too many in the last minute; ``NotFoundError`` when the account is not theirs.
    """
    text = chat_text_clean(body)
    now = clock.now()
    language = chat_language(language)
    with transaction.atomic():
        # One writer per debtor at a time: two messages sent at once continue one conversation.
        Debtor.objects.select_for_update().filter(pk=debtor_id).values_list("pk").first()
        if not AccountDebtor.objects.filter(debtor_id=debtor_id, account_id=account_id).exists():
            raise NotFoundError(f"account {account_id} not found")
        recent = ChatMessage.objects.filter(
            conversation__debtor_id=debtor_id,
            sender=ChatMessage.Sender.DEBTOR,
            sent_at__gt=now - RATE_WINDOW,
        ).values_list("sent_at", flat=True)
        chat_rate_check(list(recent), now=now)
        conversation = (
            ChatConversation.objects.filter(
                debtor_id=debtor_id, account_id=account_id, status__in=_OPEN
            )
            .order_by("-started_at", "-pk")
            .first()
        )
        opened = conversation is None
        if conversation is None:
            conversation = ChatConversation.objects.create(
                debtor_id=debtor_id,
                account_id=account_id,
                language=language,
                started_at=now,
                last_message_at=now,
            )
        interaction = None
        if chat_channel_known():
            interaction = interaction_record(
                debtor_id=debtor_id,
                channel=CHANNEL,
                direction=Direction.INBOUND,
                contact_point=contact_point_for(conversation.pk),
                disposition=Disposition.MESSAGE_RECEIVED,
                account_ids=[account_id],
                occurred_at=now,
                summary="Chat message from the debtor's page",
            )
        message = ChatMessage.objects.create(
            conversation=conversation,
            sender=ChatMessage.Sender.DEBTOR,
            body=text,
            sent_at=now,
            interaction=interaction,
        )
        ceased = _cease_if_asked(text, debtor_id=debtor_id, conversation=conversation)
        if opened or ceased:
            ChatMessage.objects.create(
                conversation=conversation,
                sender=ChatMessage.Sender.SYSTEM,
                body=SYSTEM_TEXTS["ceased" if ceased else "greeting"][language],
                sent_at=now,
            )
        # After a cease no one answers here: the chat ends (the gate would refuse a reply).
        conversation.status = (
            ChatConversation.Status.CLOSED if ceased else ChatConversation.Status.WAITING
        )
        conversation.closed_at = now if ceased else None
        conversation.last_message_at = now
        conversation.language = language
        conversation.save(update_fields=["status", "closed_at", "last_message_at", "language"])
        audit_record(
            action="chat.message_from_debtor",
            object_type="portal.ChatMessage",
            object_id=message.pk,
            data={
                "conversation_id": conversation.pk,
                "account_id": account_id,
                "opened": opened,
                "length": len(text),
                "interaction_id": interaction.pk if interaction else None,
            },
            system="portal: the debtor's page",
        )
    return message


def _cease_if_asked(text: str, *, debtor_id: int, conversation: ChatConversation) -> bool:
    """A chat message is writing: "stop", "stop contacting me", "dejen de llamarme" is a written
    request to cease communication (Reg F 1006.6(c)(1)), placed as a cease hold at once, as the
    page's own Stop form does (fail closed: a misread message is released by a person, with the
    debtor's word, through the hold-release rules). Returns whether it was one."""
    if classify_inbound_text(text) is not InboundIntent.STOP:
        return False
    with audit_system("portal: the debtor's chat"):
        hold_place(
            debtor_id=debtor_id,
            kind=Hold.Kind.CEASE,
            source="chat",
            evidence=f"the debtor wrote in the chat (conversation {conversation.pk}): {text[:400]}",
        )
    return True


@dataclass(frozen=True)
class ReplyOutcome:
    """An agent's reply: sent (``message``), or refused by the gate (``authorization.blocking``)."""

    authorization: Authorization
    message: ChatMessage | None
    purpose: str

    @property
    def sent(self) -> bool:
        return self.message is not None


def chat_reply_from_agent(*, conversation_id: int, agent_id: int, body: str) -> ReplyOutcome:
    """The agent's reply, through the compliance gate; sent only when the gate allows it.

    The caller loads the conversation through the agent's access (``chat_conversation_get``).
    Refused text (``ChatMessageRefusedError``), a closed conversation (``ValidationError``) and an
    argument the gate refuses (a ``DomainError``: e.g. a channel it does not know) raise.
    """
    text = chat_text_clean(body)
    with transaction.atomic():
        conversation = ChatConversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status == ChatConversation.Status.CLOSED:
            raise ValidationError(
                "this chat is closed: the debtor's next message opens a new one",
                code="chat_closed",
            )
        senders = list(conversation.messages.order_by("-id").values_list("sender", flat=True)[:50])
        purpose = reply_purpose(list(reversed(senders)))
        point = contact_point_for(conversation.pk)
        authorization = contact_attempt_authorize(
            debtor_id=conversation.debtor_id,
            channel=CHANNEL,
            contact_point=point,
            account_ids=[conversation.account_id],
            actor_id=agent_id,
            purpose=purpose,
        )
        if not authorization.allowed or authorization.attempt_id is None:
            return ReplyOutcome(authorization=authorization, message=None, purpose=purpose)
        now = clock.now()
        interaction = interaction_record(
            debtor_id=conversation.debtor_id,
            channel=CHANNEL,
            direction=Direction.OUTBOUND,
            contact_point=point,
            disposition=Disposition.MESSAGE_SENT,
            account_ids=[conversation.account_id],
            occurred_at=now,
            agent_id=agent_id,
            attempt_id=authorization.attempt_id,
            decision_log_id=authorization.decision_log_id,
            summary="Chat reply on the debtor's page",
        )
        message = ChatMessage.objects.create(
            conversation=conversation,
            sender=ChatMessage.Sender.AGENT,
            agent_id=agent_id,
            body=text,
            sent_at=now,
            interaction=interaction,
            decision_log_id=authorization.decision_log_id,
        )
        conversation.status = ChatConversation.Status.OPEN
        conversation.agent_id = agent_id
        conversation.last_message_at = now
        conversation.save(update_fields=["status", "agent", "last_message_at"])
        audit_record(
            action="chat.reply_from_agent",
            object_type="portal.ChatMessage",
            object_id=message.pk,
            data={
                "conversation_id": conversation.pk,
                "purpose": purpose,
                "decision_log_id": authorization.decision_log_id,
                "attempt_id": authorization.attempt_id,
                "interaction_id": interaction.pk,
                "length": len(text),
            },
            actor_id=agent_id,
        )
    return ReplyOutcome(authorization=authorization, message=message, purpose=purpose)


def chat_close(*, conversation_id: int, actor_id: int) -> ChatConversation:
    """End the conversation (the debtor is told on their page); closing twice changes nothing."""
    with transaction.atomic():
        conversation = ChatConversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status == ChatConversation.Status.CLOSED:
            return conversation
        now = clock.now()
        ChatMessage.objects.create(
            conversation=conversation,
            sender=ChatMessage.Sender.SYSTEM,
            body=SYSTEM_TEXTS["closed"][chat_language(conversation.language)],
            sent_at=now,
        )
        conversation.status = ChatConversation.Status.CLOSED
        conversation.closed_at = now
        conversation.save(update_fields=["status", "closed_at"])
        audit_record(
            action="chat.close",
            object_type="portal.ChatConversation",
            object_id=conversation.pk,
            data={"account_id": conversation.account_id},
            actor_id=actor_id,
        )
    return conversation


# --- selectors ---------------------------------------------------------------------------------


def chat_messages_since(
    *, account_id: int, after_id: int = 0, debtor_id: int | None = None, limit: int = 100
) -> list[ChatMessage]:
    """The messages of the account's conversations after ``after_id``, oldest first (the latest
    ``limit`` when there are more). ``debtor_id``: only that debtor's conversations (their page)."""
    messages = ChatMessage.objects.filter(conversation__account_id=account_id, pk__gt=after_id)
    if debtor_id is not None:
        messages = messages.filter(conversation__debtor_id=debtor_id)
    latest = list(messages.select_related("conversation__debtor", "agent").order_by("-pk")[:limit])
    latest.reverse()
    return latest


def chat_conversations_open(*, account_id: int) -> list[ChatConversation]:
    """The account's conversations not closed, oldest first, with their debtors."""
    return list(
        ChatConversation.objects.filter(account_id=account_id, status__in=_OPEN)
        .select_related("debtor")
        .order_by("started_at", "pk")
    )


def chat_conversation_get(*, account_id: int, conversation_id: int) -> ChatConversation:
    """A conversation about this account (the caller loaded the account through its access)."""
    conversation = ChatConversation.objects.filter(
        pk=conversation_id, account_id=account_id
    ).first()
    if conversation is None:
        raise NotFoundError(f"chat {conversation_id} not found")
    return conversation


@dataclass(frozen=True)
class WaitingChat:
    conversation_id: int
    account_id: int
    account_number: str
    client_name: str
    debtor_name: str
    waiting_since: datetime
    unanswered: int


def _waiting(conversations: QuerySet[ChatConversation]) -> QuerySet[ChatConversation]:
    """Waiting conversations with when the wait began: the first debtor message after the last
    agent reply (each later message does not move them down the list)."""
    last_reply = (
        ChatMessage.objects.filter(
            conversation_id=OuterRef(OuterRef("pk")), sender=ChatMessage.Sender.AGENT
        )
        .order_by("-pk")
        .values("pk")[:1]
    )
    unanswered = ChatMessage.objects.filter(
        conversation_id=OuterRef("pk"),
        sender=ChatMessage.Sender.DEBTOR,
        pk__gt=Coalesce(Subquery(last_reply), 0),
    )
    return conversations.filter(status=ChatConversation.Status.WAITING).annotate(
        waiting_since=Subquery(unanswered.order_by("pk").values("sent_at")[:1]),
        unanswered=Coalesce(
            Subquery(
                unanswered.order_by()
                .values("conversation_id")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
    )


def chat_waiting_list(*, user: User | AnonymousUser, limit: int = 200) -> list[WaitingChat]:
    """The conversations waiting for an answer about accounts this user sees, oldest wait first."""
    visible = access_account_queryset(user=user).values("pk")
    rows = (
        _waiting(ChatConversation.objects.filter(account_id__in=visible))
        .select_related("account__client", "debtor")
        .order_by(F("waiting_since").asc(), "pk")[:limit]
    )
    return [
        WaitingChat(
            conversation_id=row.pk,
            account_id=row.account_id,
            account_number=row.account.account_number,
            client_name=row.account.client.name,
            debtor_name=row.debtor.full_name,
            waiting_since=row.waiting_since or row.last_message_at,  # type: ignore[attr-defined]
            unanswered=row.unanswered,  # type: ignore[attr-defined]
        )
        for row in rows
    ]


def chat_waiting_counts(client_ids: Iterable[int]) -> dict[int, int]:
    """Conversations waiting for an answer, per client (the wallboard's figure)."""
    return dict(
        ChatConversation.objects.filter(
            account__client_id__in=list(client_ids), status=ChatConversation.Status.WAITING
        )
        .values("account__client_id")
        .annotate(n=Count("pk"))
        .values_list("account__client_id", "n")
    )
