"""Consents, holds and stated times: written with who/when/evidence, and honoured by the next decision."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User

from solvent.audit.models import AuditEntry
from solvent.compliance import services
from solvent.compliance.models import Consent, Hold, TimePreference
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.core.models import Role
from solvent.core.services import staff_role_set
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


def _blocking(ohio: OhioDebtor, **overrides: object) -> list[str]:
    arguments: dict[str, object] = {
        "debtor_id": ohio.debtor.pk,
        "channel": "call",
        "contact_point": MOBILE,
        "account_ids": [ohio.card.pk],
        "at": NOON,
    }
    arguments.update(overrides)
    authorization = services.contact_attempt_authorize(**arguments)  # type: ignore[arg-type]
    return [rule_id for rule_id, _, _ in authorization.blocking]


def test_consent_grant_records_source_evidence_and_actor(ohio: OhioDebtor) -> None:
    officer = User.objects.create_user(username="officer")
    consent = services.consent_grant(
        debtor_id=ohio.debtor.pk,
        channel="email",
        contact_point=" Pat.Doe@Example.com ",
        source="portal",
        scope="electronic",
        at=NOON,
        evidence="ticked box, IP 203.0.113.7",
        actor_id=officer.pk,
    )
    consent.refresh_from_db()
    assert consent.contact_point == EMAIL
    assert consent.given_at == NOON
    assert consent.granted_by_id == officer.pk
    assert consent.scope == Consent.Scope.ELECTRONIC
    entry = AuditEntry.objects.get(action="compliance.consent_granted")
    assert entry.actor_id == officer.pk
    assert entry.data["source"] == "portal"
    with pytest.raises(ValidationError):
        services.consent_grant(
            debtor_id=ohio.debtor.pk, channel="call", contact_point=MOBILE, source="x", scope="all"
        )


def test_revoking_email_opts_the_address_out_at_once(ohio: OhioDebtor) -> None:
    services.consent_grant(
        debtor_id=ohio.debtor.pk,
        channel="email",
        contact_point=EMAIL,
        source="portal",
        scope="electronic",
        at=NOON - timedelta(days=3),
    )
    services.consent_revoke(
        debtor_id=ohio.debtor.pk,
        channel="email",
        contact_point=EMAIL,
        source="unsubscribe_link",
        at=NOON - timedelta(minutes=1),
        evidence="message-id <abc@mail>",
    )
    consent = Consent.objects.get()
    assert consent.revoked_at == NOON - timedelta(minutes=1)
    assert consent.revocation_source == "unsubscribe_link"
    opt_out = Hold.objects.get(kind=Hold.Kind.MEDIUM_OPT_OUT)
    assert (opt_out.contact_point, opt_out.channels) == (EMAIL, ["email"])

    assert "regf.prohibited_medium" in _blocking(ohio, channel="email", contact_point=EMAIL)
    # Other media and addresses on file stay open (an address not on file may be the refused one).
    ohio.debtor.emails.create(address="pat@home.example")
    assert _blocking(ohio, channel="email", contact_point="pat@home.example") == []
    assert _blocking(ohio) == []


def test_revoking_autodial_consent_by_stop_reply(ohio: OhioDebtor) -> None:
    services.consent_grant(
        debtor_id=ohio.debtor.pk,
        channel="sms",
        contact_point=MOBILE,
        source="application",
        at=NOON - timedelta(days=30),
    )
    assert _blocking(ohio, channel="sms", autodialled=True) == []
    services.consent_revoke(
        debtor_id=ohio.debtor.pk,
        channel="sms",
        contact_point=MOBILE,
        source="sms_stop",
        at=NOON - timedelta(hours=1),
    )
    blocked = _blocking(ohio, channel="sms", autodialled=True)
    assert "regf.prohibited_medium" in blocked
    assert AuditEntry.objects.filter(action="compliance.consent_revoked").count() == 1


def test_hold_on_one_account_blocks_that_debt_only_until_released(ohio: OhioDebtor) -> None:
    hold = services.hold_place(
        debtor_id=ohio.debtor.pk,
        kind="hardship",
        source="inbound_call",
        account_ids=[ohio.card.pk],
        evidence="lost job, 60-day pause agreed",
        at=NOON - timedelta(days=1),
    )
    assert list(hold.accounts.values_list("pk", flat=True)) == [ohio.card.pk]
    assert "solvent.hold.treatment_pause" in _blocking(ohio)
    assert _blocking(ohio, account_ids=[ohio.loan.pk]) == []

    released_at = NOON + timedelta(days=1)
    supervisor = User.objects.create_user(username="supervisor")
    staff_role_set(user=supervisor, role=Role.SUPERVISOR)
    with time_machine.travel(released_at, tick=False):
        services.hold_release(hold_id=hold.pk, reason="debtor back at work", actor_id=supervisor.pk)
    hold.refresh_from_db()
    assert hold.released_at == released_at
    assert hold.release_reason == "debtor back at work"
    assert "solvent.hold.treatment_pause" in _blocking(ohio, at=released_at - timedelta(hours=1))
    assert _blocking(ohio, at=released_at + timedelta(hours=1)) == []
    with pytest.raises(ValidationError):
        services.hold_release(hold_id=hold.pk, reason="twice", actor_id=supervisor.pk)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "compliance.hold_placed" in actions
    assert "compliance.hold_released" in actions


def test_cease_hold_blocks_every_channel_for_good(ohio: OhioDebtor) -> None:
    services.hold_place(
        debtor_id=ohio.debtor.pk,
        kind="cease",
        source="letter",
        evidence="scan 2026-06-01.pdf",
        at=NOON - timedelta(days=1),
    )
    for channel, point in (("call", MOBILE), ("email", EMAIL), ("sms", MOBILE)):
        assert "regf.cease_communication" in _blocking(ohio, channel=channel, contact_point=point)


def test_hold_place_validates(ohio: OhioDebtor) -> None:
    with pytest.raises(ValidationError):
        services.hold_place(debtor_id=ohio.debtor.pk, kind="medium_opt_out", source="x")
    with pytest.raises(ValidationError):
        services.hold_place(debtor_id=ohio.debtor.pk, kind="holiday", source="x")
    with pytest.raises(NotFoundError):
        services.hold_place(debtor_id=ohio.debtor.pk, kind="dispute", source="x", account_ids=[0])
    with pytest.raises(NotFoundError):
        services.hold_release(hold_id=12345, reason="none", actor_id=0)
    assert Hold.objects.count() == 0


def test_never_at_work(ohio: OhioDebtor) -> None:
    preference = services.time_preference_set(
        debtor_id=ohio.debtor.pk,
        kind="not_at_work",
        source="inbound_call",
        at=NOON - timedelta(days=1),
    )
    assert "regf.workplace_prohibited" in _blocking(ohio, contact_point=WORK_PHONE)
    assert _blocking(ohio) == []
    services.time_preference_withdraw(preference_id=preference.pk, at=NOON - timedelta(hours=1))
    assert _blocking(ohio, contact_point=WORK_PHONE) == []


def test_only_after_six_pm(ohio: OhioDebtor) -> None:
    services.time_preference_set(
        debtor_id=ohio.debtor.pk,
        kind="inconvenient",
        source="inbound_call",
        end=time(18, 0),
        at=NOON - timedelta(days=1),
    )
    assert "regf.inconvenient_time.consumer_designated" in _blocking(ohio)
    # 18:30 in Columbus is 22:30 UTC.
    assert _blocking(ohio, at=NOON + timedelta(hours=6, minutes=30)) == []
    stored = TimePreference.objects.get()
    assert (stored.days, stored.start, stored.end) == ([], None, time(18, 0))


def test_time_preference_validates(ohio: OhioDebtor) -> None:
    with pytest.raises(ValidationError):
        services.time_preference_set(debtor_id=ohio.debtor.pk, kind="sometimes", source="x")
    with pytest.raises(ValidationError):
        services.time_preference_set(
            debtor_id=ohio.debtor.pk, kind="inconvenient", source="x", days=[7]
        )
    with pytest.raises(ValidationError):
        services.time_preference_set(
            debtor_id=ohio.debtor.pk,
            kind="inconvenient",
            source="x",
            start=time(18),
            end=time(9),
        )
    with pytest.raises(ValidationError, match="time zone"):
        services.time_preference_set(
            debtor_id=ohio.debtor.pk, kind="inconvenient", source="x", time_zone="Mars/Olympus"
        )
    with pytest.raises(NotFoundError):
        services.time_preference_withdraw(preference_id=999)
    assert TimePreference.objects.count() == 0


def test_a_stated_time_in_a_named_zone(ohio: OhioDebtor) -> None:
    # The debtor travels: "not before 10 a.m. Los Angeles time" (13:00 in Columbus).
    services.time_preference_set(
        debtor_id=ohio.debtor.pk,
        kind="inconvenient",
        source="inbound_call",
        end=time(10, 0),
        time_zone="America/Los_Angeles",
        at=NOON - timedelta(days=1),
    )
    assert "regf.inconvenient_time.consumer_designated" in _blocking(ohio)
    assert _blocking(ohio, at=NOON + timedelta(hours=1, minutes=5)) == []


def test_a_later_consent_reopens_a_channel_an_older_one_does_not(ohio: OhioDebtor) -> None:
    stop_at = NOON - timedelta(days=2)
    services.consent_revoke(
        debtor_id=ohio.debtor.pk, channel="sms", contact_point=MOBILE, source="sms_stop", at=stop_at
    )
    # The client re-sends the original application's consent: older than the STOP.
    services.consent_grant(
        debtor_id=ohio.debtor.pk,
        channel="sms",
        contact_point=MOBILE,
        source="client_file",
        at=stop_at - timedelta(days=300),
    )
    assert "regf.prohibited_medium" in _blocking(ohio, channel="sms")
    # The debtor texts START: consent after the STOP.
    services.consent_grant(
        debtor_id=ohio.debtor.pk,
        channel="sms",
        contact_point=MOBILE,
        source="sms_start",
        at=stop_at + timedelta(days=1),
    )
    assert _blocking(ohio, channel="sms") == []
    opt_out = Hold.objects.get(kind=Hold.Kind.MEDIUM_OPT_OUT)
    assert opt_out.released_at == stop_at + timedelta(days=1)
    assert "sms_start" in opt_out.release_reason
    # The e-mail channel at another point is not touched by an SMS consent.
    services.consent_revoke(
        debtor_id=ohio.debtor.pk, channel="email", contact_point=EMAIL, source="x", at=stop_at
    )
    services.consent_grant(
        debtor_id=ohio.debtor.pk, channel="sms", contact_point=MOBILE, source="y", at=NOON
    )
    assert "regf.prohibited_medium" in _blocking(ohio, channel="email", contact_point=EMAIL)
