"""The chat between the debtor's page and the desk: its rules, its services and the debtor's side.

The debtor is Pat Doe in Columbus, Ohio (Reg F alone in play); the clock is Tuesday 9 June 2026 at
noon there. The agent's side (the account screen's panel, the waiting list) is in
tests/desk/test_chat_views.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from hypothesis import given
from hypothesis import strategies as st

from solvent.audit.models import AuditEntry
from solvent.compliance.models import ContactAttempt, DecisionLog, Hold
from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portal import chat
from solvent.portal.domain.chat import (
    MAX_LENGTH,
    PURPOSE_COLLECT,
    PURPOSE_RESPONSE,
    REFUSALS,
    TEXTS,
    ChatMessageRefusedError,
    chat_rate_check,
    chat_text_clean,
    reply_purpose,
)
from solvent.portal.models import ChatConversation, ChatMessage
from solvent.portfolio.models import Client, Team
from tests.compliance.services.compliance_fixtures import NOON, ohio_debtor_create

HTMX = {"HTTP_HX_REQUEST": "true"}

# --- the rules (no database) -------------------------------------------------------------------


def test_a_message_is_trimmed_and_its_line_breaks_and_words_kept() -> None:
    assert chat_text_clean("  Hello\r\nI can pay 50 <b>now</b>\x00  ") == (
        "Hello\nI can pay 50 <b>now</b>"
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x07"])
def test_an_empty_message_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ChatMessageRefusedError) as refused:
        chat_text_clean(text)
    assert (refused.value.field, refused.value.code) == ("body", "chat_empty")


def test_a_message_of_the_limit_passes_and_one_more_character_is_refused() -> None:
    assert len(chat_text_clean("x" * MAX_LENGTH)) == MAX_LENGTH
    with pytest.raises(ChatMessageRefusedError) as refused:
        chat_text_clean("x" * (MAX_LENGTH + 1))
    assert refused.value.code == "chat_too_long"
    assert "2,000" in refused.value.reason


@given(st.text(max_size=2100))
def test_a_cleaned_message_is_never_empty_never_too_long_and_has_no_control_character(
    text: str,
) -> None:
    try:
        cleaned = chat_text_clean(text)
    except ChatMessageRefusedError:
        return
    assert 0 < len(cleaned) <= MAX_LENGTH
    assert cleaned == cleaned.strip()
    assert all(char in "\n\t" or ord(char) >= 32 for char in cleaned)


def test_the_tenth_message_in_a_minute_passes_and_the_eleventh_is_refused() -> None:
    now = NOON
    nine = [now - timedelta(seconds=5 * i) for i in range(9)]
    chat_rate_check(nine, now=now)
    with pytest.raises(ChatMessageRefusedError) as refused:
        chat_rate_check([*nine, now - timedelta(seconds=50)], now=now)
    assert refused.value.code == "chat_rate"
    # A message older than the minute does not count.
    chat_rate_check([*nine, now - timedelta(seconds=61)], now=now)


@pytest.mark.parametrize(
    ("senders", "purpose"),
    [
        ([], PURPOSE_COLLECT),
        (["debtor"], PURPOSE_RESPONSE),
        (["debtor", "system"], PURPOSE_RESPONSE),
        (["debtor", "agent"], PURPOSE_COLLECT),
        (["debtor", "agent", "debtor", "debtor"], PURPOSE_RESPONSE),
        (["debtor", "agent", "system"], PURPOSE_COLLECT),
    ],
)
def test_a_reply_answers_the_consumer_only_while_their_latest_message_is_unanswered(
    senders: list[str], purpose: str
) -> None:
    assert reply_purpose(senders) == purpose


def test_the_widget_speaks_english_and_spanish_with_the_same_words() -> None:
    assert TEXTS["en"].keys() == TEXTS["es"].keys()
    assert REFUSALS["en"].keys() == REFUSALS["es"].keys()


# --- the services ------------------------------------------------------------------------------


@pytest.fixture
def world(db: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    ohio = ohio_debtor_create()
    agent = User.objects.create_user(username="agent", first_name="Alex", last_name="Reyes")
    staff_role_set(user=agent, role=Role.AGENT)
    team = Team.objects.create(name="Floor")
    team.clients.add(ohio.card.client)
    team.members.add(agent)
    return {"debtor": ohio.debtor, "account": ohio.card, "loan": ohio.loan, "agent": agent}


def _write(world: dict[str, Any], text: str = "Can I pay 100 a month?") -> ChatMessage:
    return chat.chat_message_from_debtor(
        debtor_id=world["debtor"].pk, account_id=world["account"].pk, body=text
    )


def test_the_debtors_first_message_opens_a_waiting_chat_recorded_as_an_inbound_contact(
    world: dict[str, Any],
) -> None:
    message = _write(world)
    conversation = message.conversation
    assert conversation.status == ChatConversation.Status.WAITING
    assert (conversation.debtor_id, conversation.account_id) == (
        world["debtor"].pk,
        world["account"].pk,
    )
    # Stored encrypted, read back as written; a greeting from the page follows it.
    assert ChatMessage.objects.get(pk=message.pk).body == "Can I pay 100 a month?"
    assert list(conversation.messages.values_list("sender", flat=True)) == ["debtor", "system"]
    interaction = message.interaction
    assert interaction is not None
    assert (interaction.channel, interaction.direction, interaction.disposition) == (
        "chat",
        "inbound",
        "message_received",
    )
    assert interaction.contact_point == f"chat:{conversation.pk}"
    assert interaction.account_ids == [world["account"].pk]
    # The ledger counts it: the engine sees the debtor wrote at this point.
    assert ContactAttempt.objects.filter(
        debtor=world["debtor"], channel="chat", direction="inbound"
    ).exists()
    entry = AuditEntry.objects.filter(action="chat.message_from_debtor").get()
    assert entry.data["conversation_id"] == conversation.pk
    assert "Can I pay" not in str(entry.data)  # what the debtor wrote stays out of the audit


def test_a_second_message_continues_the_chat_and_a_closed_chat_is_not_reopened(
    world: dict[str, Any],
) -> None:
    first = _write(world, "Hello")
    second = _write(world, "Are you there?")
    assert second.conversation_id == first.conversation_id
    assert first.conversation.messages.filter(sender="system").count() == 1
    chat.chat_close(conversation_id=first.conversation_id, actor_id=world["agent"].pk)
    third = _write(world, "Me again")
    assert third.conversation_id != first.conversation_id
    closed = ChatConversation.objects.get(pk=first.conversation_id)
    assert closed.status == ChatConversation.Status.CLOSED
    assert closed.messages.last().body.startswith("The agent closed this chat")


@pytest.mark.parametrize(
    ("text", "ceased"),
    [
        ("STOP", True),
        ("Please stop calling me", True),
        ("dejen de llamarme", True),
        ("Can I stop by your office to pay?", False),
        ("Can I pay 100 a month?", False),
    ],
)
def test_stop_written_in_the_chat_is_a_cease_request_honoured_at_once(
    world: dict[str, Any], text: str, ceased: bool
) -> None:
    """Writing is writing (Reg F 1006.6(c)(1)): a cease hold at once, the chat ends, no reply."""
    message = _write(world, text)
    holds = Hold.objects.filter(debtor=world["debtor"], kind="cease", source="chat")
    assert holds.exists() is ceased
    conversation = ChatConversation.objects.get(pk=message.conversation_id)
    assert (conversation.status == ChatConversation.Status.CLOSED) is ceased
    if ceased:
        assert conversation.messages.last().body.startswith("You asked us to stop")
        assert text[:20] in holds.get().evidence
        with pytest.raises(chat.ValidationError):  # ended: nothing more is sent in it
            chat.chat_reply_from_agent(
                conversation_id=conversation.pk, agent_id=world["agent"].pk, body="Sure?"
            )


def test_a_chat_is_about_the_debtors_account_only(world: dict[str, Any]) -> None:
    other = ohio_debtor_create("2")
    with pytest.raises(chat.NotFoundError):
        chat.chat_message_from_debtor(
            debtor_id=world["debtor"].pk, account_id=other.card.pk, body="hi"
        )
    assert not ChatConversation.objects.exists()


def test_an_eleventh_message_in_a_minute_is_refused_and_nothing_recorded(
    world: dict[str, Any],
) -> None:
    for number in range(10):
        _write(world, f"message {number}")
    with pytest.raises(ChatMessageRefusedError):
        _write(world, "one too many")
    assert ChatMessage.objects.filter(sender="debtor").count() == 10
    assert Interaction.objects.filter(channel="chat").count() == 10


def test_a_spanish_speaker_is_greeted_in_spanish(world: dict[str, Any]) -> None:
    message = chat.chat_message_from_debtor(
        debtor_id=world["debtor"].pk, account_id=world["account"].pk, body="Hola", language="es"
    )
    assert message.conversation.language == "es"
    assert message.conversation.messages.last().body.startswith("Gracias")


def test_an_agents_answer_passes_the_gate_and_is_an_outbound_contact_with_its_decision(
    world: dict[str, Any],
) -> None:
    asked = _write(world)
    outcome = chat.chat_reply_from_agent(
        conversation_id=asked.conversation_id, agent_id=world["agent"].pk, body="Yes, we can."
    )
    assert outcome.sent, outcome.authorization.blocking
    assert outcome.purpose == PURPOSE_RESPONSE
    message = outcome.message
    assert message is not None
    assert message.decision_log_id == outcome.authorization.decision_log_id
    interaction = message.interaction
    assert interaction is not None
    assert (interaction.channel, interaction.direction, interaction.agent_id) == (
        "chat",
        "outbound",
        world["agent"].pk,
    )
    assert interaction.compliance_attempt_id == outcome.authorization.attempt_id
    assert interaction.decision_log_id == outcome.authorization.decision_log_id
    decision = DecisionLog.objects.get(pk=outcome.authorization.decision_log_id)
    assert decision.channel == "chat"
    conversation = ChatConversation.objects.get(pk=asked.conversation_id)
    assert (conversation.status, conversation.agent_id) == ("open", world["agent"].pk)
    assert AuditEntry.objects.filter(action="chat.reply_from_agent").count() == 1


def test_a_reply_the_gate_refuses_is_not_sent_and_says_which_rule(
    world: dict[str, Any],
) -> None:
    asked = _write(world)
    from solvent.compliance.services import hold_place

    hold_place(
        debtor_id=world["debtor"].pk,
        kind="deceased",
        source="test",
        account_ids=[],
        evidence="letter from the estate",
        at=NOON,
        actor_id=world["agent"].pk,
    )
    outcome = chat.chat_reply_from_agent(
        conversation_id=asked.conversation_id, agent_id=world["agent"].pk, body="Hello?"
    )
    assert not outcome.sent
    assert outcome.authorization.blocking, "a refusal names its rules"
    rule_ids = [rule_id for rule_id, _message, _citation in outcome.authorization.blocking]
    assert all(rule_ids)
    assert not ChatMessage.objects.filter(sender="agent").exists()
    assert not Interaction.objects.filter(channel="chat", direction="outbound").exists()
    assert ChatConversation.objects.get(pk=asked.conversation_id).status == "waiting"


def test_a_closed_chat_takes_no_reply(world: dict[str, Any]) -> None:
    asked = _write(world)
    chat.chat_close(conversation_id=asked.conversation_id, actor_id=world["agent"].pk)
    chat.chat_close(conversation_id=asked.conversation_id, actor_id=world["agent"].pk)
    assert AuditEntry.objects.filter(action="chat.close").count() == 1
    with pytest.raises(chat.ValidationError):
        chat.chat_reply_from_agent(
            conversation_id=asked.conversation_id, agent_id=world["agent"].pk, body="Hi"
        )


def test_messages_since_a_cursor_are_only_the_new_ones_and_only_the_debtors_own(
    world: dict[str, Any],
) -> None:
    first = _write(world, "one")
    co_signer = ohio_debtor_create("3").debtor
    world["account"].account_debtors.create(debtor=co_signer, role="co_signer")
    chat.chat_message_from_debtor(
        debtor_id=co_signer.pk, account_id=world["account"].pk, body="from the co-signer"
    )
    mine = chat.chat_messages_since(account_id=world["account"].pk, debtor_id=world["debtor"].pk)
    assert [m.body for m in mine if m.sender == "debtor"] == ["one"]
    everyone = chat.chat_messages_since(account_id=world["account"].pk, after_id=first.pk)
    assert "from the co-signer" in [m.body for m in everyone]
    assert all(m.pk > first.pk for m in everyone)


def test_the_waiting_list_is_the_agents_clients_oldest_wait_first(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    early = datetime(2026, 6, 9, 15, 0, tzinfo=UTC)
    monkeypatch.setattr("solvent.core.clock.now", lambda: early)
    older = chat.chat_message_from_debtor(
        debtor_id=world["debtor"].pk, account_id=world["loan"].pk, body="first"
    )
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    newer = _write(world, "second")
    # A later message does not move the older wait down the list.
    chat.chat_message_from_debtor(
        debtor_id=world["debtor"].pk, account_id=world["loan"].pk, body="still there?"
    )
    globex = Client.objects.create(code="globex", name="Globex")
    stranger = ohio_debtor_create("4")
    stranger.card.client = globex
    stranger.card.save(update_fields=["client"])
    chat.chat_message_from_debtor(
        debtor_id=stranger.debtor.pk, account_id=stranger.card.pk, body="not yours"
    )
    rows = chat.chat_waiting_list(user=world["agent"])
    assert [row.conversation_id for row in rows] == [older.conversation_id, newer.conversation_id]
    assert rows[0].waiting_since == early
    assert rows[0].unanswered == 2
    chat.chat_reply_from_agent(
        conversation_id=older.conversation_id, agent_id=world["agent"].pk, body="Here"
    )
    assert [row.conversation_id for row in chat.chat_waiting_list(user=world["agent"])] == [
        newer.conversation_id
    ]
    assert chat.chat_waiting_counts([world["account"].client_id, globex.pk]) == {
        world["account"].client_id: 1,
        globex.pk: 1,
    }


# --- the debtor's page -------------------------------------------------------------------------


def _page(world: dict[str, Any], language: str = "en") -> HttpClient:
    http = HttpClient()
    session = http.session
    session["solvent_portal"] = {
        "debtor_id": world["debtor"].pk,
        "account_id": world["account"].pk,
        "language": language,
        "link_id": 0,
        "seen": NOON.isoformat(),
    }
    session.save()
    return http


def test_the_widget_has_a_labelled_box_and_a_polite_log(world: dict[str, Any]) -> None:
    html = _page(world).get("/my/chat/", **HTMX).content.decode()
    assert 'role="log"' in html
    assert 'aria-live="polite"' in html
    assert '<label for="chat-text">Your message</label>' in html
    assert 'hx-trigger="every 2s' in html
    assert 'maxlength="2000"' in html


def test_a_message_sent_from_the_page_shows_in_the_next_poll_escaped(
    world: dict[str, Any],
) -> None:
    http = _page(world)
    sent = http.post("/my/chat/send/", {"body": "<script>alert(1)</script> I lost my job"}, **HTMX)
    assert sent.status_code == 200
    assert sent["HX-Trigger"] == "solvent:chat-sent"
    assert "</textarea>" in sent.content.decode()  # the box comes back empty
    poll = http.get("/my/chat/messages/?after=0", **HTMX).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; I lost my job" in poll
    assert "<script>alert" not in poll
    assert 'hx-swap-oob="beforeend:#chat-items"' in poll
    last = ChatMessage.objects.order_by("pk").last()
    assert last is not None
    # From the newest message on, nothing new: the poller alone comes back, with the cursor.
    quiet = http.get(f"/my/chat/messages/?after={last.pk}", **HTMX).content.decode()
    assert f"after={last.pk}" in quiet
    assert "chat-message" not in quiet


def test_an_agents_reply_reaches_the_debtors_poll(world: dict[str, Any]) -> None:
    http = _page(world)
    http.post("/my/chat/send/", {"body": "Hello"}, **HTMX)
    cursor = ChatMessage.objects.order_by("pk").last().pk
    conversation = ChatConversation.objects.get()
    chat.chat_reply_from_agent(
        conversation_id=conversation.pk, agent_id=world["agent"].pk, body="Hi Pat, Alex here."
    )
    poll = http.get(f"/my/chat/messages/?after={cursor}", **HTMX).content.decode()
    assert "Hi Pat, Alex here." in poll
    assert "Alex · Agent" in poll
    assert "An agent is answering" in poll


def test_a_refused_message_keeps_the_text_and_says_why_in_spanish(world: dict[str, Any]) -> None:
    http = _page(world, language="es")
    answer = http.post("/my/chat/send/", {"body": "x" * (MAX_LENGTH + 1)}, **HTMX)
    html = answer.content.decode()
    assert "Es demasiado largo" in html
    assert 'aria-invalid="true"' in html
    assert "x" * 50 in html
    assert "HX-Trigger" not in answer
    empty = http.post("/my/chat/send/", {"body": "  "}, **HTMX).content.decode()
    assert "Escriba un mensaje primero." in empty
    assert not ChatMessage.objects.exists()


def test_without_a_session_the_chat_is_closed_and_the_poll_stops(world: dict[str, Any]) -> None:
    http = HttpClient()
    assert http.post("/my/chat/send/", {"body": "hi"}).status_code == 403
    assert http.get("/my/chat/").status_code == 403
    poll = http.get("/my/chat/messages/?after=0&lang=es", **HTMX)
    assert poll.status_code == 200
    assert "hx-trigger" not in poll.content.decode()  # the poller is replaced: polling stops
    assert "Su sesión terminó" in poll.content.decode()
    assert not ChatMessage.objects.exists()


def test_the_chat_is_about_the_debt_the_page_shows_and_only_the_debtors_own(
    world: dict[str, Any],
) -> None:
    http = _page(world)
    loan = world["loan"].pk
    widget = http.get(f"/my/chat/?account={loan}", **HTMX).content.decode()
    assert f"account={loan}" in widget  # the poll asks about the same debt
    assert f'name="account" value="{loan}"' in widget
    http.post("/my/chat/send/", {"body": "About my loan", "account": str(loan)}, **HTMX)
    assert ChatConversation.objects.get().account_id == loan
    assert (
        "About my loan" in http.get(f"/my/chat/messages/?account={loan}", **HTMX).content.decode()
    )
    # The card's chat (the link's debt) has nothing of it.
    assert "About my loan" not in http.get("/my/chat/messages/", **HTMX).content.decode()
    stranger = ohio_debtor_create("5").card.pk
    assert http.get(f"/my/chat/?account={stranger}", **HTMX).status_code == 404
    refused = http.post("/my/chat/send/", {"body": "hi", "account": str(stranger)}, **HTMX)
    assert refused.status_code == 404
    assert http.get("/my/chat/messages/?account=x1", **HTMX).status_code == 404
    assert ChatMessage.objects.filter(sender="debtor").count() == 1


def test_a_page_without_scripts_is_sent_back_to_the_chat(world: dict[str, Any]) -> None:
    answer = _page(world).post("/my/chat/send/", {"body": "no javascript here"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/my/?account={world['account'].pk}#chat"
    assert ChatMessage.objects.filter(sender="debtor").count() == 1


# --- at once, for real: two messages sent together continue one conversation -------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_messages_sent_at_the_same_moment_continue_one_conversation_on_postgres(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    assert connection.vendor == "postgresql"
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    ohio = ohio_debtor_create()
    workers = 6
    barrier = threading.Barrier(workers)

    def send(index: int) -> int:
        try:
            barrier.wait(timeout=30)
            return chat.chat_message_from_debtor(
                debtor_id=ohio.debtor.pk, account_id=ohio.card.pk, body=f"message {index}"
            ).conversation_id
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        conversations = set(pool.map(send, range(workers)))
    assert len(conversations) == 1
    assert ChatConversation.objects.count() == 1
    assert ChatMessage.objects.filter(sender="debtor").count() == workers
    assert ChatMessage.objects.filter(sender="system").count() == 1  # one greeting
