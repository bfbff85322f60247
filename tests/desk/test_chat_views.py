"""The chat on the agent desk through the Django test client: the account screen's panel (its
poll, the reply through the gate, a refusal with its rules, Close), the "Chats waiting" page, and
another client's account or chat answered 404.

The debtor is Pat Doe in Columbus, Ohio; the clock is Tuesday 9 June 2026 at noon there.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.compliance.services import hold_place
from solvent.contact.models import Interaction
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portal import chat
from solvent.portal.models import ChatConversation, ChatMessage
from solvent.portfolio.models import Client, Team
from tests.compliance.services.compliance_fixtures import NOON, ohio_debtor_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _staff(username: str, role: Role, client: Client | None) -> User:
    user = User.objects.create_user(username=username, first_name="Alex", last_name="Reyes")
    staff_role_set(user=user, role=role)
    if client is not None:
        team, _ = Team.objects.get_or_create(name=f"team-{client.code}")
        team.clients.add(client)
        team.members.add(user)
    return user


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    ohio = ohio_debtor_create()
    agent = _staff("agent", Role.AGENT, ohio.card.client)
    http = HttpClient()
    http.force_login(agent)
    return {"http": http, "account": ohio.card, "debtor": ohio.debtor, "agent": agent}


def _asked(desk: dict[str, Any], text: str = "Can I pay 100 a month?") -> ChatMessage:
    return chat.chat_message_from_debtor(
        debtor_id=desk["debtor"].pk, account_id=desk["account"].pk, body=text
    )


def _url(desk: dict[str, Any], tail: str = "") -> str:
    return f"/accounts/{desk['account'].pk}/chat/{tail}"


def test_the_account_screen_loads_the_chat_panel_lazily(desk: dict[str, Any]) -> None:
    html = desk["http"].get(f"/accounts/{desk['account'].pk}/").content.decode()
    assert 'data-testid="chat-panel"' in html
    assert f'hx-get="{_url(desk)}"' in html


def test_the_panel_shows_the_conversation_and_a_reply_box_per_open_chat(
    desk: dict[str, Any],
) -> None:
    asked = _asked(desk, "I lost my job <b>last week</b>")
    html = desk["http"].get(_url(desk), **HTMX).content.decode()
    assert "I lost my job &lt;b&gt;last week&lt;/b&gt;" in html
    assert 'role="log"' in html
    assert "waiting for an answer" in html
    assert f'<label for="chat-reply-text-{asked.conversation_id}">Reply to Pat Doe1</label>' in html
    assert f"open={asked.conversation_id}" in html  # the poll knows which chats are open
    assert 'hx-trigger="every 2s' in html


def test_the_poll_brings_what_is_new_and_the_reply_area_only_when_a_chat_opened(
    desk: dict[str, Any],
) -> None:
    http = desk["http"]
    quiet = http.get(_url(desk, "messages/?after=0&open="), **HTMX).content.decode()
    assert "chat-message" not in quiet
    assert "hx-swap-oob" not in quiet
    asked = _asked(desk)
    opened = http.get(_url(desk, "messages/?after=0&open="), **HTMX).content.decode()
    assert "Can I pay 100 a month?" in opened
    assert f'id="chat-reply-{desk["account"].pk}" class="chat-reply" hx-swap-oob="true"' in opened
    cursor = re.search(r"after=(\d+)", opened)
    assert cursor is not None
    assert int(cursor.group(1)) == ChatMessage.objects.order_by("pk").last().pk
    _asked(desk, "Hello?")
    more = http.get(
        _url(desk, f"messages/?after={cursor.group(1)}&open={asked.conversation_id}"), **HTMX
    ).content.decode()
    assert "Hello?" in more
    assert "Can I pay 100 a month?" not in more
    assert 'class="chat-reply" hx-swap-oob' not in more  # the agent's typing is left alone
    assert f'id="chat-state-{asked.conversation_id}"' in more


def test_a_reply_goes_through_the_gate_and_reaches_the_history(desk: dict[str, Any]) -> None:
    asked = _asked(desk)
    answer = desk["http"].post(
        _url(desk, f"{asked.conversation_id}/reply/"), {"body": "Yes, we can do that."}, **HTMX
    )
    assert answer.status_code == 200
    assert "Sent to the debtor" in answer.content.decode()
    assert "solvent:contact-recorded" in answer["HX-Trigger"]
    reply = ChatMessage.objects.get(sender="agent")
    assert reply.body == "Yes, we can do that."
    assert reply.decision_log_id is not None
    timeline = desk["http"].get(f"/accounts/{desk['account'].pk}/timeline/").content.decode()
    # The debtor's message in and the reply out, each a contact on the chat channel.
    assert timeline.count("<td>chat</td>") == 2
    assert "<td>inbound</td>" in timeline
    assert "<td>outbound</td>" in timeline
    assert f"chat:{asked.conversation_id}" in timeline


def test_a_refused_reply_shows_the_rules_and_keeps_the_text(desk: dict[str, Any]) -> None:
    asked = _asked(desk)
    hold_place(
        debtor_id=desk["debtor"].pk,
        kind="deceased",
        source="test",
        account_ids=[],
        evidence="letter from the estate",
        at=NOON,
        actor_id=desk["agent"].pk,
    )
    html = (
        desk["http"]
        .post(_url(desk, f"{asked.conversation_id}/reply/"), {"body": "Are you there?"}, **HTMX)
        .content.decode()
    )
    assert 'data-testid="chat-refused"' in html
    assert "<code>" in html  # the rule's id, with its message and citation
    assert ">Are you there?</textarea>" in html
    assert not ChatMessage.objects.filter(sender="agent").exists()
    assert not Interaction.objects.filter(channel="chat", direction="outbound").exists()


def test_an_empty_reply_is_refused_beside_the_box(desk: dict[str, Any]) -> None:
    asked = _asked(desk)
    html = (
        desk["http"]
        .post(_url(desk, f"{asked.conversation_id}/reply/"), {"body": "   "}, **HTMX)
        .content.decode()
    )
    assert "write a message first" in html
    assert 'aria-invalid="true"' in html


def test_close_ends_the_chat_and_the_reply_box_goes(desk: dict[str, Any]) -> None:
    asked = _asked(desk)
    html = desk["http"].post(_url(desk, f"{asked.conversation_id}/close/"), **HTMX).content.decode()
    assert "Chat closed." in html
    assert "chat-reply-form" not in html
    assert ChatConversation.objects.get().status == "closed"


def test_a_client_viewer_reads_the_chat_but_cannot_answer(desk: dict[str, Any]) -> None:
    asked = _asked(desk)
    viewer = _staff("viewer", Role.CLIENT_VIEWER, desk["account"].client)
    http = HttpClient()
    http.force_login(viewer)
    html = http.get(_url(desk), **HTMX).content.decode()
    assert "Can I pay 100 a month?" in html
    assert "chat-reply-form" not in html
    refused = http.post(_url(desk, f"{asked.conversation_id}/reply/"), {"body": "hi"}, **HTMX)
    assert refused.status_code == 403
    assert not ChatMessage.objects.filter(sender="agent").exists()


def test_another_clients_chat_is_not_found(desk: dict[str, Any]) -> None:
    globex = Client.objects.create(code="globex", name="Globex")
    theirs = ohio_debtor_create("2")
    theirs.card.client = globex
    theirs.card.save(update_fields=["client"])
    their_chat = chat.chat_message_from_debtor(
        debtor_id=theirs.debtor.pk, account_id=theirs.card.pk, body="private"
    )
    http = desk["http"]
    base = f"/accounts/{theirs.card.pk}/chat/"
    assert http.get(base, **HTMX).status_code == 404
    assert http.get(f"{base}messages/?after=0", **HTMX).status_code == 404
    reply = f"{base}{their_chat.conversation_id}/reply/"
    assert http.post(reply, {"body": "hi"}, **HTMX).status_code == 404
    # Their chat named under this agent's own account: not found either.
    mine = _url(desk, f"{their_chat.conversation_id}/reply/")
    assert http.post(mine, {"body": "hi"}, **HTMX).status_code == 404
    assert http.post(_url(desk, f"{their_chat.conversation_id}/close/")).status_code == 404
    assert "private" not in http.get("/chats/").content.decode()
    assert ChatConversation.objects.get().status == "waiting"


def test_the_waiting_page_lists_the_longest_wait_first_with_a_link(desk: dict[str, Any]) -> None:
    _asked(desk)
    page = desk["http"].get("/chats/").content.decode()
    assert 'data-testid="chats-waiting"' in page
    assert f'href="/accounts/{desk["account"].pk}/#chat-panel"' in page
    assert "Pat Doe1" in page
    assert 'hx-trigger="every 5s"' in page
    rows = desk["http"].get("/chats/", **HTMX).content.decode()
    assert "<html" not in rows
    assert "Pat Doe1" in rows


# --- the wallboard ------------------------------------------------------------------------------


def _payment(account: Any, amount: str, *, status: str = "cleared", hours_ago: int = 1) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from solvent.payments.models import Payment

    posted = NOON - timedelta(hours=hours_ago)
    Payment.objects.create(
        account=account,
        client=account.client,
        amount=Decimal(amount),
        currency="USD",
        method="card",
        paid_on=posted.date(),
        status=status,
        source="portal",
        posted_at=posted,
    )


def test_the_wallboard_shows_the_days_payments_and_the_chats_waiting(
    desk: dict[str, Any],
) -> None:
    from solvent.desk.wallboard import wallboard_get
    from solvent.desk.wallboard_scope import wallboard_scope

    account = desk["account"]
    _payment(account, "100.00")
    _payment(account, "25.50", status="pending")
    _payment(account, "50.00", status="returned")  # sent back: not money taken
    _payment(account, "30.00", hours_ago=30)  # yesterday
    _asked(desk)
    supervisor = _staff("supervisor", Role.SUPERVISOR, account.client)
    board = wallboard_get(scope=wallboard_scope(user=supervisor))
    assert (board.total.payments, board.total.payment_amounts) == (2, {"USD": 125.5})
    assert board.total.chats_waiting == 1
    (row,) = board.clients
    assert (row.payments, row.chats_waiting) == (2, 1)
    (team,) = board.teams
    assert (team.payments, team.chats_waiting) == (2, 1)
    http = HttpClient()
    http.force_login(supervisor)
    html = http.get("/wallboard/figures/").content.decode()
    assert 'data-testid="total-payments">2<' in html
    assert "125.50 USD" in html
    assert 'data-testid="total-chats-waiting">1<' in html
    # Answered, it no longer waits.
    conversation = ChatConversation.objects.get()
    chat.chat_reply_from_agent(
        conversation_id=conversation.pk, agent_id=desk["agent"].pk, body="Hi"
    )
    assert wallboard_get(scope=wallboard_scope(user=supervisor)).total.chats_waiting == 0


# --- the arrangements panel refreshes itself ----------------------------------------------------


def test_the_arrangements_panel_polls_and_is_sent_again_only_when_it_changed(
    desk: dict[str, Any],
) -> None:
    from datetime import date

    from solvent.arrangements.services import promise_create

    http = desk["http"]
    panel = http.get(f"/accounts/{desk['account'].pk}/arrangements/", **HTMX).content.decode()
    poll = re.search(r'hx-get="([^"]+/arrangements/live/\?seen=(\w+))"', panel)
    assert poll is not None, "the panel carries its poller"
    assert 'hx-trigger="every 5s"' in panel
    assert 'data-live-guard="#arrangements"' in panel
    assert http.get(poll.group(1), **HTMX).status_code == 204  # nothing changed: nothing swapped
    # The debtor promises from their page: the next poll brings the panel with the promise.
    promise_create(
        account_id=desk["account"].pk,
        debtor_id=desk["debtor"].pk,
        amount="75.00",
        due_on=date(2026, 6, 19),
    )
    fresh = http.get(poll.group(1), **HTMX)
    assert fresh.status_code == 200
    html = fresh.content.decode()
    assert "75.00 USD</strong> on 2026-06-19" in html
    assert f"seen={poll.group(2)}" not in html  # the new poller carries the new digest
    page = http.get(f"/accounts/{desk['account'].pk}/").content.decode()
    assert "/static/desk/live.js" in page
