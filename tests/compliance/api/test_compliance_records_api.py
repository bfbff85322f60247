"""Writing compliance records through the API: holds, consents, stated times; tenancy and roles."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.compliance.models import (
    Consent,
    ContactAttempt,
    DebtNotice,
    DecisionLog,
    Hold,
    TimePreference,
)
from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.models import Team
from tests.compliance.services.compliance_fixtures import (
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


def _headers(ohio: OhioDebtor, role: Role, in_team: bool = True) -> dict[str, str]:
    user = User.objects.create_user(username=f"{role}-{in_team}")
    staff_role_set(user=user, role=role)
    if in_team:
        team, _ = Team.objects.get_or_create(name="Acme floor")
        team.clients.add(ohio.card.client)
        team.members.add(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')}"}


def _post(path: str, body: dict[str, object], headers: dict[str, str]):
    return HttpClient().post(
        f"/api/compliance{path}", data=json.dumps(body), content_type="application/json", **headers
    )


def test_agent_places_a_hold_and_a_compliance_officer_releases_one(ohio: OhioDebtor) -> None:
    agent = _headers(ohio, Role.AGENT)
    created = _post(
        f"/debtors/{ohio.debtor.pk}/holds",
        {"kind": "attorney", "source": "letter", "evidence": "letter of 2026-06-01"},
        agent,
    )
    assert created.status_code == 201
    hold = created.json()
    assert (hold["kind"], hold["released_at"], hold["account_ids"]) == ("attorney", None, [])
    stored = Hold.objects.get(pk=hold["id"])
    assert stored.placed_by is not None
    assert stored.placed_by.username == "agent-True"

    refused = _post(f"/holds/{hold['id']}/release", {"reason": "attorney withdrew"}, agent)
    assert refused.status_code == 403
    assert refused.json()["code"] == "hold_release_forbidden"
    officer = _headers(ohio, Role.COMPLIANCE_OFFICER)
    dispute = _post(f"/debtors/{ohio.debtor.pk}/holds", {"kind": "dispute", "source": "x"}, agent)
    released = _post(f"/holds/{dispute.json()['id']}/release", {"reason": "verified"}, officer)
    assert released.status_code == 200
    assert released.json()["released_at"] is not None
    again = _post(f"/holds/{dispute.json()['id']}/release", {"reason": "twice"}, officer)
    assert again.status_code == 400
    assert again.json()["code"] == "hold_released"


def test_bad_input_is_a_400_with_the_reason(ohio: OhioDebtor) -> None:
    agent = _headers(ohio, Role.AGENT)
    bad_kind = _post(f"/debtors/{ohio.debtor.pk}/holds", {"kind": "nap", "source": "x"}, agent)
    assert bad_kind.status_code == 400
    assert bad_kind.json()["code"] == "invalid_kind"
    missing = _post(f"/debtors/{ohio.debtor.pk}/consents", {"channel": "call"}, agent)
    assert missing.status_code == 422
    fields = {tuple(error["loc"]) for error in missing.json()["detail"]}
    assert ("body", "payload", "contact_point") in fields
    assert ("body", "payload", "source") in fields
    assert Hold.objects.count() == 0


def test_consent_grant_and_revoke(ohio: OhioDebtor) -> None:
    agent = _headers(ohio, Role.AGENT)
    body = {"channel": "sms", "contact_point": MOBILE, "source": "inbound_call"}
    granted = _post(f"/debtors/{ohio.debtor.pk}/consents", body, agent)
    assert granted.status_code == 201
    assert granted.json()["scope"] == "autodialled"
    revoked = _post(f"/debtors/{ohio.debtor.pk}/consents/revoke", body, agent)
    assert revoked.status_code == 204
    assert Consent.objects.get().revoked_at is not None
    assert Hold.objects.get().kind == Hold.Kind.MEDIUM_OPT_OUT


def test_time_preference_only_after_six(ohio: OhioDebtor) -> None:
    agent = _headers(ohio, Role.AGENT)
    body = {"kind": "inconvenient", "source": "inbound_call", "end": "18:00", "days": [0, 1, 2]}
    created = _post(f"/debtors/{ohio.debtor.pk}/time-preferences", body, agent)
    assert created.status_code == 201
    assert created.json()["end"] == "18:00:00"
    assert TimePreference.objects.get().days == [0, 1, 2]


def test_client_viewers_read_but_may_not_write(ohio: OhioDebtor) -> None:
    viewer = _headers(ohio, Role.CLIENT_VIEWER)
    response = _post(f"/debtors/{ohio.debtor.pk}/holds", {"kind": "cease", "source": "x"}, viewer)
    assert response.status_code == 403
    records = HttpClient().get(f"/api/compliance/debtors/{ohio.debtor.pk}/records", **viewer)
    assert records.status_code == 200


def test_other_tenants_see_nothing_and_write_nothing(ohio: OhioDebtor) -> None:
    outsider = _headers(ohio, Role.AGENT, in_team=False)
    response = _post(f"/debtors/{ohio.debtor.pk}/holds", {"kind": "cease", "source": "x"}, outsider)
    assert response.status_code == 404
    insider = _headers(ohio, Role.AGENT)
    hold_id = _post(
        f"/debtors/{ohio.debtor.pk}/holds", {"kind": "dispute", "source": "x"}, insider
    ).json()["id"]
    assert _post(f"/holds/{hold_id}/release", {"reason": "no"}, outsider).status_code == 404
    assert (
        _post(f"/debtors/{ohio.debtor.pk}/holds", {"kind": "cease", "source": "x"}, {}).status_code
        == 401
    )


def test_a_hold_on_an_account_of_another_debtor_is_not_found(ohio: OhioDebtor) -> None:
    other = ohio_debtor_create(suffix="2")
    agent = _headers(ohio, Role.AGENT)
    response = _post(
        f"/debtors/{ohio.debtor.pk}/holds",
        {"kind": "dispute", "source": "letter", "account_ids": [other.card.pk]},
        agent,
    )
    assert response.status_code == 404
    assert Hold.objects.count() == 0


def test_an_outside_dialer_asks_reports_and_cancels(ohio: OhioDebtor) -> None:
    dialer = _headers(ohio, Role.SUPERVISOR)
    body = {"channel": "call", "contact_point": MOBILE, "account_ids": [ohio.card.pk]}
    with time_machine.travel(NOON, tick=False):
        first = _post(f"/debtors/{ohio.debtor.pk}/attempts", body, dialer)
        second = _post(f"/debtors/{ohio.debtor.pk}/attempts", body, dialer)
        autodialled = _post(
            f"/debtors/{ohio.debtor.pk}/attempts", {**body, "autodialled": True}, dialer
        )
    assert first.status_code == 200
    granted = first.json()
    assert granted["allowed"] is True
    attempt = ContactAttempt.objects.get(pk=granted["attempt_id"])
    assert attempt.decision_log_id == granted["decision_log_id"]
    assert DecisionLog.objects.get(pk=granted["decision_log_id"]).asked_by is not None

    refused = autodialled.json()
    assert refused["allowed"] is False
    assert refused["attempt_id"] is None
    assert refused["blocking"][0]["rule_id"] == "tcpa.autodial_wireless_requires_consent"

    outcome = _post(
        f"/attempts/{granted['attempt_id']}/outcome",
        {"outcome": "no_answer", "at": "2026-06-09T16:00:30+00:00"},
        dialer,
    )
    assert outcome.status_code == 204
    attempt.refresh_from_db()
    assert (attempt.status, attempt.outcome) == ("completed", "no_answer")
    naive = _post(
        f"/attempts/{granted['attempt_id']}/outcome",
        {"outcome": "busy", "at": "2026-06-09T16:00:30"},
        dialer,
    )
    assert naive.status_code == 400
    assert naive.json()["code"] == "naive_datetime"

    cancel = _post(
        f"/attempts/{second.json()['attempt_id']}/cancel", {"reason": "no agent"}, dialer
    )
    assert cancel.status_code == 204
    assert ContactAttempt.objects.get(pk=second.json()["attempt_id"]).status == "cancelled"


def test_attempts_respect_tenancy_and_roles(ohio: OhioDebtor) -> None:
    body = {"channel": "call", "contact_point": MOBILE}
    viewer = _headers(ohio, Role.CLIENT_VIEWER)
    assert _post(f"/debtors/{ohio.debtor.pk}/attempts", body, viewer).status_code == 403
    outsider = _headers(ohio, Role.AGENT, in_team=False)
    assert _post(f"/debtors/{ohio.debtor.pk}/attempts", body, outsider).status_code == 404
    agent = _headers(ohio, Role.AGENT)
    with time_machine.travel(NOON, tick=False):
        attempt_id = _post(f"/debtors/{ohio.debtor.pk}/attempts", body, agent).json()["attempt_id"]
    assert _post(f"/attempts/{attempt_id}/cancel", {"reason": "x"}, outsider).status_code == 404
    assert _post(f"/attempts/{attempt_id}/outcome", {"outcome": "busy"}, viewer).status_code == 403
    assert DecisionLog.objects.count() == 1


def test_a_print_house_records_the_validation_notice(ohio: OhioDebtor) -> None:
    agent = _headers(ohio, Role.AGENT)
    body = {"kind": "validation_notice", "sent_on": "2026-06-01", "source": "print_house"}
    created = _post(f"/accounts/{ohio.card.pk}/notices", body, agent)
    assert created.status_code == 201
    assert (created.json()["account_id"], created.json()["sent_on"]) == (ohio.card.pk, "2026-06-01")
    assert (
        _post(f"/accounts/{ohio.card.pk}/notices", {**body, "kind": "x"}, agent).status_code == 400
    )
    viewer = _headers(ohio, Role.CLIENT_VIEWER)
    assert _post(f"/accounts/{ohio.card.pk}/notices", body, viewer).status_code == 403
    outsider = _headers(ohio, Role.AGENT, in_team=False)
    assert _post(f"/accounts/{ohio.card.pk}/notices", body, outsider).status_code == 404
    assert DebtNotice.objects.count() == 1
