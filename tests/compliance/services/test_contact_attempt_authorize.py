"""contact_attempt_authorize against the database: the decision, its log, the reserved ledger row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from solvent.audit.models import AuditEntry
from solvent.compliance import services
from solvent.compliance.domain import model
from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.core.domain.errors import NotFoundError, ValidationError
from tests.compliance.services.compliance_fixtures import (
    EMAIL,
    MOBILE,
    NOON,
    WORK_PHONE,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

CAP_7_IN_7 = "regf.call_frequency.7in7"
HOURS = "regf.inconvenient_time.8am_9pm_local"


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


def _call(ohio: OhioDebtor, **overrides: object) -> services.Authorization:
    arguments: dict[str, object] = {
        "debtor_id": ohio.debtor.pk,
        "channel": "call",
        "contact_point": MOBILE,
        "account_ids": [ohio.card.pk],
        "at": NOON,
    }
    arguments.update(overrides)
    return services.contact_attempt_authorize(**arguments)  # type: ignore[arg-type]


def test_allowed_call_reserves_an_attempt_and_logs_the_decision(ohio: OhioDebtor) -> None:
    agent = User.objects.create_user(username="agent")
    authorization = _call(ohio, actor_id=agent.pk)

    assert authorization.allowed is True
    assert authorization.blocking == ()
    attempt = ContactAttempt.objects.get(pk=authorization.attempt_id)
    assert attempt.status == ContactAttempt.Status.RESERVED
    assert attempt.at == NOON
    assert list(attempt.accounts.values_list("pk", flat=True)) == [ohio.card.pk]
    log = DecisionLog.objects.get(pk=authorization.decision_log_id)
    assert attempt.decision_log_id == log.pk
    assert log.allowed is True
    assert log.asked_by_id == agent.pk
    assert log.decision["jurisdictions"] == ["US", "US-OH"]
    assert CAP_7_IN_7 in log.decision["evaluated_rules"]
    assert log.inputs["debts"] == [str(ohio.card.pk), str(ohio.loan.pk)]
    audit = AuditEntry.objects.get(action="compliance.contacts_decided")
    assert audit.object_id == str(log.pk)
    assert audit.actor_id == agent.pk
    assert audit.data["decisions"] == [[log.pk, "authorized", attempt.pk, ohio.debtor.pk, []]]


def test_late_evening_call_is_blocked_with_the_next_lawful_moment(ohio: OhioDebtor) -> None:
    # 22:00 in Columbus: the next lawful moment is 08:00 local the next day (12:00 UTC).
    authorization = _call(ohio, at=NOON + timedelta(hours=10))

    assert authorization.allowed is False
    assert authorization.attempt_id is None
    assert [rule_id for rule_id, _, _ in authorization.blocking] == [HOURS]
    assert authorization.blocking[0][2].startswith("12 CFR 1006.6(b)(1)(i)")
    assert authorization.earliest_lawful_at == NOON.replace(day=10, hour=12)
    assert ContactAttempt.objects.count() == 0
    log = DecisionLog.objects.get(pk=authorization.decision_log_id)
    assert log.blocking_rule_ids == [HOURS]
    assert log.earliest_lawful_at == authorization.earliest_lawful_at
    audit = AuditEntry.objects.get(action="compliance.contacts_decided")
    assert audit.data["decisions"] == [[log.pk, "blocked", None, ohio.debtor.pk, [HOURS]]]


def test_the_eighth_call_in_seven_days_is_blocked_until_a_reservation_is_cancelled(
    ohio: OhioDebtor,
) -> None:
    reservations = [_call(ohio, at=NOON + timedelta(hours=hour)) for hour in range(7)]
    assert all(authorization.allowed for authorization in reservations)

    eighth = _call(ohio, at=NOON + timedelta(hours=7, minutes=30))
    assert eighth.allowed is False
    assert CAP_7_IN_7 in [rule_id for rule_id, _, _ in eighth.blocking]
    # The seventh day after the first call opens the cap again (8:00 local, 16 June).
    assert eighth.earliest_lawful_at is not None
    assert eighth.earliest_lawful_at.date().isoformat() == "2026-06-16"

    first = reservations[0].attempt_id
    assert first is not None
    services.contact_attempt_cancel(attempt_id=first, reason="dialer crashed before dialling")
    assert _call(ohio, at=NOON + timedelta(hours=7, minutes=30)).allowed is True


def test_a_call_about_two_accounts_counts_for_both(ohio: OhioDebtor) -> None:
    for hour in range(7):
        assert _call(ohio, at=NOON + timedelta(hours=hour), account_ids=[ohio.loan.pk]).allowed
    # The card has no calls yet, but a call about both debts would be an eighth about the loan.
    both = _call(ohio, at=NOON + timedelta(hours=8), account_ids=[ohio.card.pk, ohio.loan.pk])
    assert both.allowed is False
    assert CAP_7_IN_7 in [rule_id for rule_id, _, _ in both.blocking]
    assert both.earliest_lawful_at is not None
    only_card = _call(ohio, at=NOON + timedelta(hours=8), account_ids=[ohio.card.pk])
    assert only_card.allowed is True
    attempt = ContactAttempt.objects.get(pk=only_card.attempt_id)
    assert attempt.accounts.count() == 1


def test_portfolio_cease_flag_blocks_for_good(ohio: OhioDebtor) -> None:
    ohio.debtor.cease_communication = True
    ohio.debtor.save()
    authorization = _call(ohio)
    assert authorization.allowed is False
    assert authorization.earliest_lawful_at is None
    assert "regf.cease_communication" in [rule_id for rule_id, _, _ in authorization.blocking]
    assert DecisionLog.objects.get(pk=authorization.decision_log_id).inputs["flags"] == [
        "cease_communication"
    ]


@pytest.mark.parametrize(
    ("flag", "rule_id"),
    [
        ("in_bankruptcy", "solvent.hold.insolvency"),
        ("is_deceased", "solvent.hold.deceased"),
        ("attorney_represented", "regf.attorney_represented"),
    ],
)
def test_portfolio_flags_count_as_holds(ohio: OhioDebtor, flag: str, rule_id: str) -> None:
    setattr(ohio.debtor, flag, True)
    ohio.debtor.save()
    authorization = _call(ohio)
    assert authorization.allowed is False
    assert rule_id in [blocking[0] for blocking in authorization.blocking]


def test_right_party_conversation_starts_the_seven_day_wait(ohio: OhioDebtor) -> None:
    first = _call(ohio)
    assert first.attempt_id is not None
    services.contact_attempt_record_outcome(
        attempt_id=first.attempt_id, outcome="right_party_conversation", at=NOON
    )
    attempt = ContactAttempt.objects.get(pk=first.attempt_id)
    assert attempt.status == ContactAttempt.Status.COMPLETED
    assert attempt.outcome == "right_party_conversation"

    again = _call(ohio, at=NOON + timedelta(days=1))
    assert again.allowed is False
    assert "regf.call_frequency.post_conversation_7d" in [r for r, _, _ in again.blocking]
    with pytest.raises(ValidationError):
        services.contact_attempt_cancel(attempt_id=first.attempt_id, reason="too late")


def test_autodialled_call_to_a_mobile_needs_consent(ohio: OhioDebtor) -> None:
    without = _call(ohio, autodialled=True)
    assert without.allowed is False
    assert "tcpa.autodial_wireless_requires_consent" in [r for r, _, _ in without.blocking]

    services.consent_grant(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point=MOBILE,
        source="credit_application",
        at=NOON - timedelta(days=30),
        evidence="application form p.2",
    )
    # Without the campaign's abandon figures an autodialled call cannot be checked: denied.
    unknown_campaign = _call(ohio, autodialled=True)
    assert [r for r, _, _ in unknown_campaign.blocking] == [
        "solvent.dialer.campaign_figures_unknown"
    ]
    figures = model.CampaignFigures(
        abandoned_30d=0, live_answered_30d=400, abandoned_24h=0, live_answered_24h=40
    )
    allowed = _call(ohio, autodialled=True, declared=services.ProposalFacts(campaign=figures))
    assert allowed.allowed is True, allowed.blocking
    log = DecisionLog.objects.get(pk=allowed.decision_log_id)
    assert log.inputs["declared"]["campaign"]["live_answered_30d"] == 400


def test_outcome_and_cancel_validate_their_input(ohio: OhioDebtor) -> None:
    attempt_id = _call(ohio).attempt_id
    assert attempt_id is not None
    with pytest.raises(ValidationError):
        services.contact_attempt_record_outcome(attempt_id=attempt_id, outcome="maybe")
    with pytest.raises(NotFoundError):
        services.contact_attempt_record_outcome(attempt_id=attempt_id + 999, outcome="busy")
    services.contact_attempt_cancel(attempt_id=attempt_id, reason="agent hung up before dialling")
    services.contact_attempt_cancel(attempt_id=attempt_id, reason="repeated: no effect")
    attempt = ContactAttempt.objects.get(pk=attempt_id)
    assert attempt.status == ContactAttempt.Status.CANCELLED
    assert attempt.cancel_reason == "agent hung up before dialling"
    assert AuditEntry.objects.filter(action="compliance.attempt_cancelled").count() == 1


def test_an_outcome_for_a_cancelled_attempt_makes_it_count_again(ohio: OhioDebtor) -> None:
    attempt_id = _call(ohio, channel="email", contact_point=EMAIL).attempt_id
    assert attempt_id is not None
    services.contact_attempt_cancel(attempt_id=attempt_id, reason="provider timed out")
    # The provider delivered after all: the contact happened and must count.
    services.contact_attempt_record_outcome(attempt_id=attempt_id, outcome="delivered")
    attempt = ContactAttempt.objects.get(pk=attempt_id)
    assert (attempt.status, attempt.outcome) == (ContactAttempt.Status.COMPLETED, "delivered")
    entry = AuditEntry.objects.get(action="compliance.attempt_outcome")
    assert entry.data["reinstated"] is True


def test_bad_requests_are_refused_before_anything_is_logged(ohio: OhioDebtor) -> None:
    with pytest.raises(ValidationError):
        _call(ohio, channel="pigeon")
    with pytest.raises(ValidationError):
        _call(ohio, purpose="gossip")
    with pytest.raises(ValidationError, match="naive"):
        _call(ohio, at=NOON.replace(tzinfo=None))
    with pytest.raises(NotFoundError):
        _call(ohio, debtor_id=ohio.debtor.pk + 1000)
    stranger = ohio_debtor_create(suffix="2")
    with pytest.raises(NotFoundError):
        _call(ohio, account_ids=[stranger.card.pk])
    assert DecisionLog.objects.count() == 0


def test_other_channels_and_contact_points(ohio: OhioDebtor) -> None:
    assert _call(ohio, channel="email", contact_point=EMAIL.upper()).allowed is True
    assert _call(ohio, channel="letter", contact_point=f"address:{ohio.home.pk}").allowed is True
    assert _call(ohio, contact_point=WORK_PHONE).allowed is True
    points = set(ContactAttempt.objects.values_list("contact_point", flat=True))
    assert points == {EMAIL, f"address:{ohio.home.pk}", WORK_PHONE}
