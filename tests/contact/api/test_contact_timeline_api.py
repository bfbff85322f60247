"""The timeline API: every channel, newest first, paginated, tenant-scoped; recording a call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from solvent.compliance.models import Hold
from solvent.compliance.services import contact_attempt_authorize
from solvent.contact.services import interaction_record
from solvent.core import clock
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Team
from tests.contact.factories import make_client, make_debtor

pytestmark = pytest.mark.django_db


def _user(name: str, role: Role, team: Team | None) -> User:
    user = User.objects.create_user(username=name, password="x-password-123")
    staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


@pytest.fixture
def world(lawful_time):
    acme = make_client("acme")
    team = Team.objects.create(name="Acme team")
    team.clients.add(acme)
    debtor, account = make_debtor(client=acme)
    now = clock.now()
    for minutes, channel, disposition in [
        (30, "email", "message_sent"),
        (20, "sms", "message_received"),
        (10, "letter", "message_sent"),
    ]:
        interaction_record(
            debtor_id=debtor.pk,
            channel=channel,
            direction="inbound",
            contact_point="x",
            disposition=disposition,
            account_ids=[account.pk],
            occurred_at=now - timedelta(minutes=minutes),
        )
    return {
        "team": team,
        "debtor": debtor,
        "account": account,
        "agent": _user("agent", Role.AGENT, team),
    }


def test_timeline_is_newest_first_across_channels_and_paginated(
    client, world, django_assert_max_num_queries
) -> None:
    client.force_login(world["agent"])
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/contact/debtors/{world['debtor'].pk}/timeline?limit=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["channel"] for item in body["items"]] == ["letter", "sms"]
    rest = client.get(f"/api/contact/debtors/{world['debtor'].pk}/timeline?limit=2&offset=2").json()
    assert [item["channel"] for item in rest["items"]] == ["email"]
    by_account = client.get(f"/api/contact/accounts/{world['account'].pk}/timeline").json()
    assert by_account["count"] == 3


def test_another_tenants_timeline_is_not_found(client, world) -> None:
    other_team = Team.objects.create(name="Globex team")
    other_team.clients.add(make_client("globex"))
    client.force_login(_user("outsider", Role.AGENT, other_team))
    assert client.get(f"/api/contact/debtors/{world['debtor'].pk}/timeline").status_code == 404
    assert client.get(f"/api/contact/accounts/{world['account'].pk}/timeline").status_code == 404


def test_an_agent_records_an_authorized_call_and_a_cease_request_places_a_hold(
    client, world
) -> None:
    debtor, account = world["debtor"], world["account"]
    number = debtor.phones.first().e164
    authorization = contact_attempt_authorize(
        debtor_id=debtor.pk, channel="call", contact_point=number, account_ids=[account.pk]
    )
    assert authorization.allowed, authorization.blocking
    client.force_login(world["agent"])
    response = client.post(
        "/api/contact/interactions",
        {
            "debtor_id": debtor.pk,
            "contact_point": number,
            "account_ids": [account.pk],
            "disposition": "cease_request",
            "duration_seconds": 95,
            "recording_ref": "rec-1",
            "attempt_id": authorization.attempt_id,
            "decision_log_id": authorization.decision_log_id,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["agent"] == "agent"
    assert response.json()["compliance_attempt_id"] == authorization.attempt_id
    assert Hold.objects.filter(debtor=debtor, kind="cease").exists()


def test_an_outbound_call_without_an_authorization_is_refused(client, world) -> None:
    client.force_login(world["agent"])
    response = client.post(
        "/api/contact/interactions",
        {
            "debtor_id": world["debtor"].pk,
            "contact_point": "+15185550000",
            "disposition": "no_answer",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "attempt_not_authorized"


def test_a_client_viewer_cannot_record(client, world) -> None:
    client.force_login(_user("viewer", Role.CLIENT_VIEWER, world["team"]))
    response = client.post(
        "/api/contact/interactions",
        {
            "debtor_id": world["debtor"].pk,
            "direction": "inbound",
            "contact_point": "x",
            "disposition": "dispute",
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_an_unknown_disposition_is_a_clear_error(client, world) -> None:
    client.force_login(world["agent"])
    response = client.post(
        "/api/contact/interactions",
        {
            "debtor_id": world["debtor"].pk,
            "direction": "inbound",
            "contact_point": "x",
            "disposition": "angry",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "interaction_invalid"


def test_an_inbound_call_needs_no_authorization_and_shows_on_top(client, world) -> None:
    client.force_login(world["agent"])
    response = client.post(
        "/api/contact/interactions",
        {
            "debtor_id": world["debtor"].pk,
            "direction": "inbound",
            "contact_point": "+15185550000",
            "disposition": "promise_to_pay",
            "duration_seconds": 300,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    top = client.get(f"/api/contact/debtors/{world['debtor'].pk}/timeline?limit=1").json()["items"][
        0
    ]
    assert (top["channel"], top["disposition"], top["duration_seconds"]) == (
        "call",
        "promise_to_pay",
        300,
    )
