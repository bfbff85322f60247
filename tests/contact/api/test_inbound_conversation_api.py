"""Defect 1 of issue 9 through the API: an inbound call recorded with POST /api/contact/interactions
starts the 7-day wait of 12 CFR 1006.14(b)(2)(ii) for the debt it was about (comment
14(b)(4)-1.ii: a telephone conversation counts whoever placed the call).

Day 1 is Tuesday 9 June 2026, noon in Albany (16:00 UTC); day 8 is 16 June.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from solvent.compliance.models import ContactAttempt
from solvent.compliance.services import contact_attempt_authorize
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Team
from tests.contact.factories import make_client, make_debtor

pytestmark = pytest.mark.django_db

DAY_1_NOON = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
WAIT = "regf.call_frequency.post_conversation_7d"


def test_an_inbound_call_posted_on_day_1_stops_outbound_calls_about_that_debt_until_day_8(
    client,
) -> None:
    acme = make_client("acme")
    team = Team.objects.create(name="Acme team")
    team.clients.add(acme)
    agent = User.objects.create_user(username="agent", password="x-password-123")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    debtor, account = make_debtor(client=acme)
    number = debtor.phones.get().e164
    client.force_login(agent)

    response = client.post(
        "/api/contact/interactions",
        {
            "debtor_id": debtor.pk,
            "channel": "call",
            "direction": "inbound",
            "contact_point": number,
            "account_ids": [account.pk],
            "disposition": "right_party_contact",
            "duration_seconds": 240,
            "occurred_at": DAY_1_NOON.isoformat(),
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    attempt = ContactAttempt.objects.get(pk=response.json()["compliance_attempt_id"])
    assert attempt.direction == "inbound"

    def outbound(day: int):
        return contact_attempt_authorize(
            debtor_id=debtor.pk,
            channel="call",
            contact_point=number,
            account_ids=[account.pk],
            at=DAY_1_NOON + timedelta(days=day - 1),
        )

    for day in (2, 7):
        denied = outbound(day)
        assert denied.allowed is False, day
        assert WAIT in [rule_id for rule_id, _, _ in denied.blocking]
    allowed = outbound(8)
    assert allowed.allowed is True, allowed.blocking
