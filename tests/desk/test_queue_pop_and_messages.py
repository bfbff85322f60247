"""The screen pop (an inbound call recorded through the API, then the URL the dialer opens) and a
message from the desk (previewed with its exact words, then queued in the outbox).

The clock is Tuesday 9 June 2026 at noon in New York (16:00 UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.contact.models import OutboxMessage
from solvent.contact.services import (
    template_create,
    template_version_activate,
    template_version_add,
)
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, Debtor, Team
from tests.compliance.services.compliance_fixtures import NOON
from tests.contact.factories import make_client, make_debtor

pytestmark = pytest.mark.django_db

SMS_BODY = (
    "Hi {{ debtor_first_name }}, {{ agency_name }} here about your {{ creditor_name }} account "
    "{{ account_number_masked }}: {{ balance }} {{ currency }}. {{ debt_collector_disclosure }} "
    "Reply STOP to opt out."
)


@dataclass
class Desk:
    http: HttpClient
    agent: User
    account: Account
    debtor: Debtor
    phone: str
    email: str


def _session(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    acme = make_client("acme")
    team = Team.objects.create(name="acme floor")
    team.clients.add(acme)
    agent = User.objects.create_user(username="agent")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    debtor, account = make_debtor(client=acme)
    return Desk(
        _session(agent),
        agent,
        account,
        debtor,
        debtor.phones.get().e164,
        debtor.emails.get().address,
    )


# --- screen pop ---------------------------------------------------------------------------------


def _inbound_call(desk: Desk, account_ids: list[int]) -> int:
    response = desk.http.post(
        "/api/contact/interactions",
        {
            "debtor_id": desk.debtor.pk,
            "channel": "call",
            "direction": "inbound",
            "contact_point": desk.phone,
            "account_ids": account_ids,
            "disposition": "right_party_contact",
            "occurred_at": NOON.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    attempt_id: int = response.json()["compliance_attempt_id"]
    return attempt_id


def test_an_inbound_call_recorded_through_the_api_pops_its_account_screen(desk: Desk) -> None:
    attempt = _inbound_call(desk, [desk.account.pk])
    response = desk.http.get(f"/pop/?call={attempt}")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{desk.account.pk}/"
    assert desk.http.get(response["Location"]).status_code == 200


def test_a_number_in_any_format_pops_the_debtors_account(desk: Desk) -> None:
    national = f"({desk.phone[2:5]}) {desk.phone[5:8]}-{desk.phone[8:]}"
    for number in (desk.phone, national):
        response = desk.http.get("/pop/", {"phone": number})
        assert response.status_code == 302, number
        assert response["Location"] == f"/accounts/{desk.account.pk}/"


def test_a_call_or_number_the_agent_may_not_see_is_not_found(desk: Desk) -> None:
    attempt = _inbound_call(desk, [desk.account.pk])
    outsider_team = Team.objects.create(name="globex floor")
    outsider_team.clients.add(make_client("globex"))
    outsider = User.objects.create_user(username="outsider")
    staff_role_set(user=outsider, role=Role.AGENT)
    outsider_team.members.add(outsider)
    http = _session(outsider)
    assert http.get(f"/pop/?call={attempt}").status_code == 404
    assert http.get("/pop/", {"phone": desk.phone}).status_code == 404
    for unknown in ("/pop/?call=999999", "/pop/?phone=%2B19995550000", "/pop/", "/pop/?call=x"):
        assert desk.http.get(unknown).status_code == 404, unknown


def test_the_pop_asks_anonymous_callers_to_sign_in(desk: Desk) -> None:
    response = HttpClient().get("/pop/?call=1")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- message from the desk ----------------------------------------------------------------------


@pytest.fixture
def sms_template(desk: Desk) -> str:
    template = template_create(
        code="balance_reminder", channel="sms", language="en", name="Balance"
    )
    version = template_version_add(template_id=template.pk, subject="", body=SMS_BODY)
    template_version_activate(version_id=version.pk)
    return template.code


def test_a_message_is_previewed_with_its_exact_words_then_queued_in_the_outbox(
    desk: Desk, sms_template: str
) -> None:
    panel = desk.http.get(f"/accounts/{desk.account.pk}/queue-panel/").content.decode()
    assert f'value="{desk.debtor.pk}|sms|{desk.phone}"' in panel
    assert 'value="balance_reminder"' in panel
    target = f"{desk.debtor.pk}|sms|{desk.phone}"
    form = {"target": target, "template": sms_template}
    preview = desk.http.post(
        f"/accounts/{desk.account.pk}/messages/preview/", form, HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200
    html = preview.content.decode()
    number = desk.account.account_number[-4:]
    expected = (
        f"Hi Maria, Solvent Recovery here about your Acme Bank account ••••{number}: 1,034.56 USD."
    )
    assert expected in html
    assert 'data-testid="message-allowed"' in html  # noon in New York: a text is lawful now
    assert not OutboxMessage.objects.exists()  # a preview queues nothing

    sent = desk.http.post(f"/accounts/{desk.account.pk}/messages/", form, HTTP_HX_REQUEST="true")
    assert sent.status_code == 200
    message = OutboxMessage.objects.get()
    assert 'data-testid="message-queued"' in sent.content.decode()
    assert f"message {message.pk}" in sent.content.decode()
    assert message.status == "pending" and "pending" in sent.content.decode()
    assert (message.channel, message.contact_point) == ("sms", desk.phone)
    assert message.account_ids == [desk.account.pk]
    assert message.created_by_id == desk.agent.pk
    assert message.body in html.replace("&#x27;", "'")  # the words previewed are the words queued
    assert expected in message.body
    assert AuditEntry.objects.filter(action="outbox.enqueue").exists()


def test_an_email_preview_shows_its_subject_and_the_unsubscribe_link(desk: Desk) -> None:
    template = template_create(code="hello", channel="email", language="en", name="Hello")
    version = template_version_add(
        template_id=template.pk,
        subject="Your {{ creditor_name }} account",
        body="Dear {{ debtor_full_name }}, {{ debt_collector_disclosure }} "
        "Unsubscribe: {{ unsubscribe_url }}",
    )
    template_version_activate(version_id=version.pk)
    form = {"target": f"{desk.debtor.pk}|email|{desk.email}", "template": "hello"}
    html = desk.http.post(f"/accounts/{desk.account.pk}/messages/preview/", form).content.decode()
    assert "Your Acme Bank account" in html
    assert f"Dear {desk.debtor.full_name}" in html
    desk.http.post(f"/accounts/{desk.account.pk}/messages/", form)
    message = OutboxMessage.objects.get()
    assert message.subject == "Your Acme Bank account"
    # The link is signed when the message is built (Django's signer stamps the second), so the
    # preview's token may differ from the queued one; both lead to the same address's opt-out.
    link = re.compile(r"/contact/unsubscribe/[^\s<\"]+")
    assert link.sub("/contact/unsubscribe/TOKEN", message.body) in link.sub(
        "/contact/unsubscribe/TOKEN", html
    )


def test_a_template_of_another_channel_or_an_unknown_one_is_refused_in_words(
    desk: Desk, sms_template: str
) -> None:
    form = {"target": f"{desk.debtor.pk}|email|{desk.email}", "template": sms_template}
    html = desk.http.post(f"/accounts/{desk.account.pk}/messages/preview/", form).content.decode()
    assert "no active template" in html
    assert desk.http.post(f"/accounts/{desk.account.pk}/messages/", form).status_code == 200
    assert not OutboxMessage.objects.exists()


def test_messages_to_another_clients_debtor_or_by_a_client_viewer_are_refused(
    desk: Desk, sms_template: str
) -> None:
    other_debtor, other_account = make_debtor(client=make_client("globex"))
    other_phone = other_debtor.phones.get().e164
    form = {"target": f"{other_debtor.pk}|sms|{other_phone}", "template": sms_template}
    assert desk.http.post(f"/accounts/{other_account.pk}/messages/", form).status_code == 404
    assert desk.http.post(f"/accounts/{desk.account.pk}/messages/", form).status_code == 404
    viewer = User.objects.create_user(username="viewer")
    staff_role_set(user=viewer, role=Role.CLIENT_VIEWER)
    Team.objects.get(name="acme floor").members.add(viewer)
    mine = {"target": f"{desk.debtor.pk}|sms|{desk.phone}", "template": sms_template}
    refused = _session(viewer).post(f"/accounts/{desk.account.pk}/messages/", mine)
    assert refused.status_code == 403
    assert not OutboxMessage.objects.exists()


def test_a_preview_at_an_unlawful_hour_says_the_outbox_will_hold_it_until_8_am(
    desk: Desk, sms_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = datetime(2026, 6, 10, 2, 30, tzinfo=UTC)  # 22:30 in New York
    monkeypatch.setattr("solvent.core.clock.now", lambda: late)
    form = {"target": f"{desk.debtor.pk}|sms|{desk.phone}", "template": sms_template}
    html = desk.http.post(f"/accounts/{desk.account.pk}/messages/preview/", form).content.decode()
    assert 'data-testid="message-blocked"' in html
    assert "regf.inconvenient_time.8am_9pm_local" in html
    assert "Wed 10 Jun 2026 08:00 EDT" in html


def test_the_queued_note_polls_the_outbox_status_until_it_settles(
    desk: Desk, sms_template: str
) -> None:
    form = {"target": f"{desk.debtor.pk}|sms|{desk.phone}", "template": sms_template}
    sent = desk.http.post(f"/accounts/{desk.account.pk}/messages/", form).content.decode()
    message = OutboxMessage.objects.get()
    url = f"/accounts/{desk.account.pk}/messages/{message.pk}/"
    assert f'hx-get="{url}"' in sent and 'hx-trigger="every 5s"' in sent
    OutboxMessage.objects.filter(pk=message.pk).update(status="sent")
    settled = desk.http.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>sent</strong>" in settled and "hx-trigger" not in settled
    # Not under another account, nor another client's.
    _debtor, sibling = make_debtor(client=make_client("acme"))
    assert desk.http.get(f"/accounts/{sibling.pk}/messages/{message.pk}/").status_code == 404
    _other, foreign = make_debtor(client=make_client("globex"))
    assert desk.http.get(f"/accounts/{foreign.pk}/messages/{message.pk}/").status_code == 404
