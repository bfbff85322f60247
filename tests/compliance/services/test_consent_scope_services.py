"""Consents recorded with their scope, and honoured by the gate (issue 9, defects 2 and 3).

Defect 2: consent to more calls is about a particular debt (comment 14(b)(3)(i)-2); the database
records its accounts and both gate paths respect them. Defect 3: a revocation at a number, by any
channel, ends consent to every automated call and text there (47 CFR 64.1200(a)(10); FCC 24-24),
while a consent covers only the channels it was given for.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from solvent.audit.models import AuditEntry
from solvent.compliance import services
from solvent.compliance.domain.model import CampaignFigures
from solvent.compliance.models import Consent, ContactAttempt, Hold
from solvent.compliance.services import AuthorizationRequest, ProposalFacts
from solvent.contact.inbound import inbound_sms_receive
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.core.models import Role
from solvent.core.services import api_token_create, staff_role_set
from solvent.portfolio.models import Account, Team
from tests.compliance.services.compliance_fixtures import (
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

# A dialer campaign within the abandon caps, so that only consent decides automated calls.
CAMPAIGN = ProposalFacts(
    campaign=CampaignFigures(
        abandoned_30d=0, live_answered_30d=500, abandoned_24h=0, live_answered_24h=50
    )
)


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


def _ledger_call(ohio: OhioDebtor, account: Account, at: datetime, outcome: str) -> None:
    attempt = ContactAttempt.objects.create(
        debtor=ohio.debtor,
        channel="call",
        contact_point=MOBILE,
        at=at,
        status=ContactAttempt.Status.COMPLETED,
        outcome=outcome,
        outcome_at=at,
    )
    attempt.accounts.set([account])


def _blocking(ohio: OhioDebtor, account: Account | None, **overrides: Any) -> list[str]:
    arguments: dict[str, Any] = {
        "debtor_id": ohio.debtor.pk,
        "channel": "call",
        "contact_point": MOBILE,
        "account_ids": [account.pk] if account else [],
        "at": NOON,
    }
    arguments.update(overrides)
    if arguments.get("autodialled"):
        arguments["declared"] = CAMPAIGN
    authorization = services.contact_attempt_authorize(**arguments)
    return [rule_id for rule_id, _, _ in authorization.blocking]


def _blocking_many(ohio: OhioDebtor, *accounts: Account) -> list[list[str]]:
    requests = [
        AuthorizationRequest(
            debtor_id=ohio.debtor.pk,
            channel="call",
            contact_point=MOBILE,
            account_ids=[account.pk],
            at=NOON,
        )
        for account in accounts
    ]
    answers = services.contact_attempts_authorize_many(requests)
    return [[rule_id for rule_id, _, _ in answer.blocking] for answer in answers]  # type: ignore[union-attr]


def _more_calls(ohio: OhioDebtor, *accounts: Account, at: datetime) -> Consent:
    return services.consent_grant(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point=MOBILE,
        source="inbound_call",
        scope="additional_calls",
        account_ids=[account.pk for account in accounts],
        at=at,
    )


# Defect 2 ----------------------------------------------------------------------------------


def test_a_consent_to_more_calls_records_the_accounts_it_was_given_for(ohio: OhioDebtor) -> None:
    consent = _more_calls(ohio, ohio.card, at=NOON - timedelta(days=1))
    assert list(consent.accounts.values_list("pk", flat=True)) == [ohio.card.pk]
    entry = AuditEntry.objects.get(action="compliance.consent_granted")
    assert entry.data["account_ids"] == [ohio.card.pk]


def test_a_consent_to_more_calls_without_its_debt_is_refused_when_the_debtor_owes_several(
    ohio: OhioDebtor,
) -> None:
    with pytest.raises(ValidationError) as refused:
        _more_calls(ohio, at=NOON)
    assert refused.value.code == "account_ids_required"
    assert not Consent.objects.exists()


def test_a_consent_to_more_calls_of_a_debtor_with_one_account_is_about_that_account() -> None:
    single = ohio_debtor_create("2")
    single.loan.account_debtors.all().delete()
    consent = _more_calls(single, at=NOON)
    assert list(consent.accounts.values_list("pk", flat=True)) == [single.card.pk]


def test_a_consent_about_another_debtors_account_is_refused(ohio: OhioDebtor) -> None:
    other = ohio_debtor_create("3")
    with pytest.raises(NotFoundError):
        _more_calls(ohio, other.card, at=NOON)


def test_a_consent_for_the_card_lifts_the_seven_in_seven_for_the_card_not_the_loan(
    ohio: OhioDebtor,
) -> None:
    given = NOON - timedelta(days=3)
    _more_calls(ohio, ohio.card, at=given)
    for hours in range(1, 8):
        for account in (ohio.card, ohio.loan):
            _ledger_call(ohio, account, given + timedelta(hours=hours * 8), "no_answer")
    assert _blocking(ohio, ohio.card) == []
    assert "regf.call_frequency.7in7" in _blocking(ohio, ohio.loan)
    # The batched gate reads the same scope.
    card, loan = _blocking_many(ohio, ohio.card, ohio.loan)
    assert card == []
    assert "regf.call_frequency.7in7" in loan


def test_a_consent_for_the_loan_does_not_lift_the_seven_day_wait_after_a_card_conversation(
    ohio: OhioDebtor,
) -> None:
    _ledger_call(ohio, ohio.card, NOON - timedelta(days=2), "right_party_conversation")
    _more_calls(ohio, ohio.loan, at=NOON - timedelta(days=1))
    assert "regf.call_frequency.post_conversation_7d" in _blocking(ohio, ohio.card)
    assert "regf.call_frequency.post_conversation_7d" in _blocking_many(ohio, ohio.card)[0]
    _more_calls(ohio, ohio.card, at=NOON - timedelta(days=1))
    assert _blocking(ohio, ohio.card) == []


def test_the_consent_api_takes_and_shows_the_accounts(ohio: OhioDebtor) -> None:
    agent = User.objects.create_user(username="agent")
    staff_role_set(user=agent, role=Role.AGENT)
    team = Team.objects.create(name="Acme floor")
    team.clients.add(ohio.card.client)
    team.members.add(agent)
    token = api_token_create(user=agent, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/compliance/debtors/{ohio.debtor.pk}/consents"
    body = {
        "channel": "call",
        "contact_point": MOBILE,
        "source": "inbound_call",
        "scope": "additional_calls",
        "account_ids": [ohio.loan.pk],
    }
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["account_ids"] == [ohio.loan.pk]
    unscoped = client.post(url, {**body, "account_ids": []}, content_type="application/json")
    assert unscoped.status_code == 400, unscoped.content
    records = client.get(f"/api/compliance/debtors/{ohio.debtor.pk}/records")
    assert [consent["account_ids"] for consent in records.json()["consents"]] == [[ohio.loan.pk]]


# Defect 3 ----------------------------------------------------------------------------------


def _tcpa(ohio: OhioDebtor, channel: str, at: datetime, source: str = "application") -> Consent:
    return services.consent_grant(
        debtor_id=ohio.debtor.pk, channel=channel, contact_point=MOBILE, source=source, at=at
    )


def _stop(ohio: OhioDebtor, at: datetime) -> None:
    services.consent_revoke(
        debtor_id=ohio.debtor.pk, channel="sms", contact_point=MOBILE, source="sms_stop", at=at
    )


STOP_AT = NOON - timedelta(days=2)


def test_consent_for_calls_and_a_stop_by_text_deny_an_autodialled_call(ohio: OhioDebtor) -> None:
    calls = _tcpa(ohio, "call", NOON - timedelta(days=300))
    assert _blocking(ohio, ohio.card, autodialled=True) == []
    _stop(ohio, STOP_AT)
    calls.refresh_from_db()
    assert (calls.revoked_at, calls.revocation_source) == (STOP_AT, "sms_stop")
    assert _blocking(ohio, ohio.card, autodialled=True) == ["tcpa.revocation"]
    # Manual calls are unaffected, and the medium refused is texts only (1006.14(h)).
    assert _blocking(ohio, ohio.card) == []
    assert "regf.prohibited_medium" in _blocking(ohio, ohio.card, channel="sms")
    opt_out = Hold.objects.get(kind=Hold.Kind.MEDIUM_OPT_OUT)
    assert opt_out.channels == ["sms"]
    entry = AuditEntry.objects.get(action="compliance.consent_revoked")
    assert entry.data["consent_ids"] == [calls.pk]


def test_a_stop_texted_to_us_ends_autodialled_calls_to_that_mobile(ohio: OhioDebtor) -> None:
    _tcpa(ohio, "call", NOON - timedelta(days=300))
    with time_machine.travel(STOP_AT, tick=False):
        inbound_sms_receive(from_number=MOBILE, to_number="+16145550000", text="STOP")
    assert _blocking(ohio, ohio.card, autodialled=True) == ["tcpa.revocation"]
    assert _blocking(ohio, ohio.card) == []


def test_consent_for_texts_only_is_no_consent_to_prerecorded_calls(ohio: OhioDebtor) -> None:
    _tcpa(ohio, "sms", NOON - timedelta(days=30))
    assert _blocking(ohio, ohio.card, prerecorded=True) == [
        "tcpa.autodial_wireless_requires_consent"
    ]
    assert _blocking(ohio, ohio.card, channel="sms", autodialled=True) == []


def test_consent_again_after_the_stop_reopens_only_that_channel(ohio: OhioDebtor) -> None:
    _tcpa(ohio, "call", NOON - timedelta(days=300))
    _tcpa(ohio, "sms", NOON - timedelta(days=300))
    _stop(ohio, STOP_AT)
    stopped = set(_blocking(ohio, ohio.card, channel="sms", autodialled=True))
    assert stopped == {"tcpa.revocation", "regf.prohibited_medium"}
    _tcpa(ohio, "sms", STOP_AT + timedelta(days=1), source="sms_start")
    assert _blocking(ohio, ohio.card, channel="sms", autodialled=True) == []
    assert _blocking(ohio, ohio.card, autodialled=True) == ["tcpa.revocation"]


def test_an_older_consent_recorded_after_the_stop_is_recorded_as_revoked(
    ohio: OhioDebtor,
) -> None:
    _stop(ohio, STOP_AT)
    late = _tcpa(ohio, "call", STOP_AT - timedelta(days=300), source="client_file")
    assert late.revoked_at == STOP_AT
    assert _blocking(ohio, ohio.card, autodialled=True) == ["tcpa.revocation"]


def test_a_revocation_spares_a_consent_given_after_it(ohio: OhioDebtor) -> None:
    newer = _tcpa(ohio, "call", STOP_AT + timedelta(hours=1))
    # The STOP is keyed in late, with the moment it was received.
    _stop(ohio, STOP_AT)
    newer.refresh_from_db()
    assert newer.revoked_at is None
    assert _blocking(ohio, ohio.card, autodialled=True) == []


def test_an_email_unsubscribe_does_not_touch_consents_at_the_mobile(ohio: OhioDebtor) -> None:
    calls = _tcpa(ohio, "call", NOON - timedelta(days=30))
    services.consent_revoke(
        debtor_id=ohio.debtor.pk,
        channel="email",
        contact_point="pat.doe@example.com",
        source="unsubscribe_link",
        at=STOP_AT,
    )
    calls.refresh_from_db()
    assert calls.revoked_at is None
    assert _blocking(ohio, ohio.card, autodialled=True) == []
