"""The desk's preview: every channel and contact point on file with what the law allows now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.compliance import selectors, services
from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.access import access_debtor_by_id
from solvent.portfolio.models import Team
from tests.compliance.services.compliance_fixtures import (
    EMAIL,
    MOBILE,
    NOON,
    WORK_PHONE,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


def _agent(ohio: OhioDebtor) -> User:
    agent = User.objects.create_user(username="agent")
    staff_role_set(user=agent, role=Role.AGENT)
    team = Team.objects.create(name="Acme floor")
    team.clients.add(ohio.card.client)
    team.members.add(agent)
    return agent


def test_every_option_is_decided_and_nothing_is_stored(ohio: OhioDebtor) -> None:
    agent = _agent(ohio)
    services.time_preference_set(
        debtor_id=ohio.debtor.pk,
        kind="not_at_work",
        source="inbound_call",
        at=NOON - timedelta(days=1),
    )
    access = access_debtor_by_id(user=agent, debtor_id=ohio.debtor.pk)
    options = selectors.contact_option_list(access=access, at=NOON)
    by_key = {(option.channel, option.contact_point): option.decision for option in options}
    assert set(by_key) == {
        ("call", MOBILE),
        ("sms", MOBILE),
        ("call", WORK_PHONE),
        ("email", EMAIL),
        ("letter", f"address:{ohio.home.pk}"),
    }
    assert by_key[("call", MOBILE)].allowed is True
    assert by_key[("call", WORK_PHONE)].allowed is False
    assert "regf.workplace_prohibited" in by_key[("call", WORK_PHONE)].blocking_rule_ids
    assert DecisionLog.objects.count() == 0
    assert ContactAttempt.objects.count() == 0


def test_the_api_shows_the_earliest_lawful_moment(ohio: OhioDebtor) -> None:
    agent = _agent(ohio)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=agent, name='t')}"}
    late = NOON + timedelta(hours=10)  # 22:00 in Columbus
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("solvent.core.clock.now", lambda: late)
        response = HttpClient().get(
            f"/api/compliance/debtors/{ohio.debtor.pk}/contact-options", **headers
        )
    assert response.status_code == 200
    calls = [item for item in response.json() if item["channel"] == "call"]
    assert calls
    assert all(item["allowed"] is False for item in calls)
    assert {item["earliest_lawful_at"] for item in calls} == {"2026-06-10T12:00:00Z"}
    assert calls[0]["blocking"][0]["rule_id"] == "regf.inconvenient_time.8am_9pm_local"
    outsider = User.objects.create_user(username="outsider")
    staff_role_set(user=outsider, role=Role.AGENT)
    other = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=outsider, name='t')}"}
    assert (
        HttpClient()
        .get(f"/api/compliance/debtors/{ohio.debtor.pk}/contact-options", **other)
        .status_code
        == 404
    )
