"""Rights over holds: who may lift which hold, the two-officer release, and what is kept and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from solvent.audit.models import AuditEntry
from solvent.compliance import services
from solvent.compliance.models import Hold, HoldReleaseRequest
from solvent.core.domain.errors import PermissionDeniedError, ValidationError
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.access import (
    HOLD_KINDS_RELEASED_BY_TWO,
    LEGAL_HOLD_KINDS,
    access_can_approve_hold_release,
    access_can_place_hold,
    access_can_release_hold,
)
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


def _person(role: Role | None, name: str = "") -> User:
    user = User.objects.create_user(username=name or f"{role or 'nobody'}")
    if role is not None:
        staff_role_set(user=user, role=role)
    return user


def _hold(ohio: OhioDebtor, kind: str) -> Hold:
    return services.hold_place(
        debtor_id=ohio.debtor.pk,
        kind=kind,
        source="letter",
        evidence=f"{kind} letter",
        at=NOON - timedelta(days=1),
    )


def _call_allowed(ohio: OhioDebtor, at: object) -> bool:
    authorization = services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point=MOBILE,
        account_ids=[ohio.card.pk],
        at=at,  # type: ignore[arg-type]
    )
    return authorization.allowed


def _actions() -> list[str]:
    """The audit trail about holds, oldest first (the gate's own entries left out)."""
    actions = AuditEntry.objects.order_by("pk").values_list("action", flat=True)
    return [action for action in actions if action.startswith("compliance.hold")]


def test_every_hold_kind_has_a_decided_releaser() -> None:
    treatment_pauses = {Hold.Kind.HARDSHIP, Hold.Kind.COMPLAINT}
    assert set(Hold.Kind.values) == LEGAL_HOLD_KINDS | treatment_pauses
    assert HOLD_KINDS_RELEASED_BY_TWO < LEGAL_HOLD_KINDS


def test_a_kind_nobody_decided_on_may_be_released_by_nobody() -> None:
    officer = _person(Role.COMPLIANCE_OFFICER)
    assert not access_can_release_hold(user=officer, kind="holiday")
    assert not access_can_approve_hold_release(user=officer, kind="holiday")


def test_a_client_viewer_and_a_user_without_a_role_may_not_place_a_hold() -> None:
    assert not access_can_place_hold(user=_person(Role.CLIENT_VIEWER))
    assert not access_can_place_hold(user=_person(None))
    assert access_can_place_hold(user=_person(Role.AGENT))


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.STRATEGY_MANAGER, Role.ADMIN])
def test_only_a_compliance_officer_releases_a_dispute_and_a_refusal_is_audited(
    ohio: OhioDebtor, role: Role
) -> None:
    hold = _hold(ohio, "dispute")
    person = _person(role)
    with pytest.raises(PermissionDeniedError) as refused:
        services.hold_release(hold_id=hold.pk, reason="paid", actor_id=person.pk)
    assert refused.value.code == "hold_release_forbidden"
    assert "only a compliance officer may release a dispute hold" in refused.value.message
    hold.refresh_from_db()
    assert hold.released_at is None
    refusal = AuditEntry.objects.get(action="compliance.hold_release_refused")
    assert refusal.actor_id == person.pk
    assert refusal.data["code"] == "hold_release_forbidden"


def test_a_superuser_acts_as_an_admin_and_may_not_release_a_cease(ohio: OhioDebtor) -> None:
    hold = _hold(ohio, "cease")
    root = User.objects.create_superuser(username="root", email="root@example.com")
    with pytest.raises(PermissionDeniedError):
        services.hold_release(hold_id=hold.pk, reason="client asked", actor_id=root.pk)


def test_a_compliance_officer_releases_a_dispute_with_the_reason_kept(ohio: OhioDebtor) -> None:
    hold = _hold(ohio, "dispute")
    officer = _person(Role.COMPLIANCE_OFFICER)
    with time_machine.travel(NOON, tick=False):
        services.hold_release(hold_id=hold.pk, reason=" verification sent ", actor_id=officer.pk)
    hold.refresh_from_db()
    assert (hold.released_at, hold.release_reason, hold.released_by_id) == (
        NOON,
        "verification sent",
        officer.pk,
    )
    released = AuditEntry.objects.get(action="compliance.hold_released")
    assert (released.actor_id, released.data["reason"]) == (officer.pk, "verification sent")


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_an_empty_release_reason_is_refused(ohio: OhioDebtor, reason: str) -> None:
    officer = _person(Role.COMPLIANCE_OFFICER)
    dispute, bankruptcy = _hold(ohio, "dispute"), _hold(ohio, "bankruptcy")
    with pytest.raises(ValidationError) as direct:
        services.hold_release(hold_id=dispute.pk, reason=reason, actor_id=officer.pk)
    with pytest.raises(ValidationError) as asked:
        services.hold_release_request(hold_id=bankruptcy.pk, reason=reason, actor_id=officer.pk)
    assert direct.value.code == asked.value.code == "reason_required"
    assert not HoldReleaseRequest.objects.exists()
    assert Hold.objects.filter(released_at__isnull=True).count() == 2


@pytest.mark.parametrize("kind", sorted(HOLD_KINDS_RELEASED_BY_TWO))
def test_one_compliance_officer_alone_may_not_release_a_two_person_hold(
    ohio: OhioDebtor, kind: str
) -> None:
    hold = _hold(ohio, kind)
    officer = _person(Role.COMPLIANCE_OFFICER)
    with pytest.raises(PermissionDeniedError) as refused:
        services.hold_release(hold_id=hold.pk, reason="discharged", actor_id=officer.pk)
    assert refused.value.code == "hold_release_needs_approval"
    assert "second compliance officer" in refused.value.message
    hold.refresh_from_db()
    assert hold.released_at is None


def test_a_requested_release_keeps_the_hold_in_force_until_a_second_officer_approves(
    ohio: OhioDebtor,
) -> None:
    hold = _hold(ohio, "bankruptcy")
    maker = _person(Role.COMPLIANCE_OFFICER, "maker")
    checker = _person(Role.COMPLIANCE_OFFICER, "checker")
    asked_at, approved_at = NOON - timedelta(hours=2), NOON + timedelta(hours=1)
    with time_machine.travel(asked_at, tick=False):
        request = services.hold_release_request(
            hold_id=hold.pk, reason="case dismissed, docket 26-1234", actor_id=maker.pk
        )
    hold.refresh_from_db()
    assert (request.status, hold.released_at) == (HoldReleaseRequest.Status.PENDING, None)
    assert not _call_allowed(ohio, NOON)

    with time_machine.travel(approved_at, tick=False):
        services.hold_release_approve(hold_id=hold.pk, actor_id=checker.pk)
    hold.refresh_from_db()
    request.refresh_from_db()
    assert (hold.released_at, hold.released_by_id) == (approved_at, checker.pk)
    assert hold.release_reason == "case dismissed, docket 26-1234"
    assert (request.requested_by_id, request.requested_at) == (maker.pk, asked_at)
    assert (request.decided_by_id, request.decided_at) == (checker.pk, approved_at)
    assert request.status == HoldReleaseRequest.Status.APPROVED
    assert _call_allowed(ohio, approved_at + timedelta(hours=1))

    assert _actions() == [
        "compliance.hold_placed",
        "compliance.hold_release_requested",
        "compliance.hold_release_approved",
        "compliance.hold_released",
    ]
    released = AuditEntry.objects.get(action="compliance.hold_released")
    assert (released.data["requested_by"], released.data["approved_by"]) == (maker.pk, checker.pk)
    assert released.actor_id == checker.pk


@pytest.mark.parametrize("kind", sorted(HOLD_KINDS_RELEASED_BY_TWO))
def test_the_officer_who_asked_may_not_approve_their_own_release(
    ohio: OhioDebtor, kind: str
) -> None:
    hold = _hold(ohio, kind)
    maker = _person(Role.COMPLIANCE_OFFICER, "maker")
    services.hold_release_request(hold_id=hold.pk, reason="letter withdrawn", actor_id=maker.pk)
    with pytest.raises(PermissionDeniedError) as refused:
        services.hold_release_approve(hold_id=hold.pk, actor_id=maker.pk)
    assert refused.value.code == "hold_release_self_approval"
    hold.refresh_from_db()
    assert hold.released_at is None
    assert HoldReleaseRequest.objects.get().status == HoldReleaseRequest.Status.PENDING
    assert _actions()[-1] == "compliance.hold_release_refused"


def test_the_database_refuses_an_approval_by_the_maker_even_past_the_service(
    ohio: OhioDebtor,
) -> None:
    hold = _hold(ohio, "deceased")
    maker = _person(Role.COMPLIANCE_OFFICER, "maker")
    request = services.hold_release_request(
        hold_id=hold.pk, reason="wrong person", actor_id=maker.pk
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        HoldReleaseRequest.objects.filter(pk=request.pk).update(
            status=HoldReleaseRequest.Status.APPROVED, decided_by=maker, decided_at=NOON
        )


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.STRATEGY_MANAGER, Role.ADMIN])
def test_only_a_compliance_officer_may_ask_or_approve_a_two_person_release(
    ohio: OhioDebtor, role: Role
) -> None:
    hold = _hold(ohio, "attorney")
    person = _person(role)
    with pytest.raises(PermissionDeniedError):
        services.hold_release_request(hold_id=hold.pk, reason="attorney left", actor_id=person.pk)
    maker = _person(Role.COMPLIANCE_OFFICER, "maker")
    services.hold_release_request(hold_id=hold.pk, reason="attorney left", actor_id=maker.pk)
    with pytest.raises(PermissionDeniedError):
        services.hold_release_approve(hold_id=hold.pk, actor_id=person.pk)
    with pytest.raises(PermissionDeniedError):
        services.hold_release_reject(hold_id=hold.pk, reason="no", actor_id=person.pk)
    hold.refresh_from_db()
    assert hold.released_at is None


def test_a_rejected_request_leaves_the_hold_on_and_a_new_request_may_follow(
    ohio: OhioDebtor,
) -> None:
    hold = _hold(ohio, "attorney")
    maker = _person(Role.COMPLIANCE_OFFICER, "maker")
    checker = _person(Role.COMPLIANCE_OFFICER, "checker")
    services.hold_release_request(hold_id=hold.pk, reason="attorney left", actor_id=maker.pk)
    with pytest.raises(ValidationError) as twice:
        services.hold_release_request(hold_id=hold.pk, reason="again", actor_id=checker.pk)
    assert twice.value.code == "hold_release_pending"
    with pytest.raises(ValidationError):
        services.hold_release_reject(hold_id=hold.pk, reason=" ", actor_id=checker.pk)
    rejected = services.hold_release_reject(
        hold_id=hold.pk, reason="no letter from the attorney on file", actor_id=checker.pk
    )
    assert (rejected.status, rejected.decided_by_id) == ("rejected", checker.pk)
    assert rejected.decision_note == "no letter from the attorney on file"
    hold.refresh_from_db()
    assert hold.released_at is None
    with pytest.raises(ValidationError) as nothing:
        services.hold_release_approve(hold_id=hold.pk, actor_id=checker.pk)
    assert nothing.value.code == "no_pending_release_request"
    services.hold_release_request(hold_id=hold.pk, reason="letter now on file", actor_id=maker.pk)
    services.hold_release_approve(hold_id=hold.pk, actor_id=checker.pk)
    hold.refresh_from_db()
    assert hold.released_at is not None
    assert "compliance.hold_release_rejected" in _actions()


def test_the_officer_who_asked_may_withdraw_their_own_request(ohio: OhioDebtor) -> None:
    hold = _hold(ohio, "deceased")
    maker = _person(Role.COMPLIANCE_OFFICER, "maker")
    services.hold_release_request(hold_id=hold.pk, reason="typo", actor_id=maker.pk)
    withdrawn = services.hold_release_reject(
        hold_id=hold.pk, reason="asked by mistake", actor_id=maker.pk
    )
    assert (withdrawn.status, withdrawn.decided_by_id) == ("rejected", maker.pk)
    hold.refresh_from_db()
    assert hold.released_at is None


def test_a_dispute_needs_no_request_and_has_nothing_to_approve(ohio: OhioDebtor) -> None:
    hold = _hold(ohio, "dispute")
    officer = _person(Role.COMPLIANCE_OFFICER)
    with pytest.raises(ValidationError) as direct:
        services.hold_release_request(hold_id=hold.pk, reason="verified", actor_id=officer.pk)
    assert direct.value.code == "hold_release_direct"
    with pytest.raises(PermissionDeniedError):
        services.hold_release_approve(hold_id=hold.pk, actor_id=officer.pk)


def test_a_supervisor_ends_a_hardship_pause_but_not_a_complaint_pause(ohio: OhioDebtor) -> None:
    hardship, complaint = _hold(ohio, "hardship"), _hold(ohio, "complaint")
    supervisor = _person(Role.SUPERVISOR)
    agent = _person(Role.AGENT)
    with pytest.raises(PermissionDeniedError) as refused:
        services.hold_release(hold_id=hardship.pk, reason="back at work", actor_id=agent.pk)
    assert "supervisor or a compliance officer" in refused.value.message
    services.hold_release(hold_id=hardship.pk, reason="back at work", actor_id=supervisor.pk)
    with pytest.raises(PermissionDeniedError):
        services.hold_release(hold_id=complaint.pk, reason="resolved", actor_id=supervisor.pk)
    services.hold_release(
        hold_id=complaint.pk,
        reason="resolved, letter sent",
        actor_id=_person(Role.COMPLIANCE_OFFICER).pk,
    )
    assert Hold.objects.filter(released_at__isnull=True).count() == 0


def test_a_medium_opt_out_is_lifted_by_a_compliance_officer_only(ohio: OhioDebtor) -> None:
    services.consent_revoke(
        debtor_id=ohio.debtor.pk, channel="sms", contact_point=MOBILE, source="sms_stop"
    )
    opt_out = Hold.objects.get(kind=Hold.Kind.MEDIUM_OPT_OUT)
    with pytest.raises(PermissionDeniedError):
        services.hold_release(
            hold_id=opt_out.pk, reason="debtor asked", actor_id=_person(Role.SUPERVISOR).pk
        )
    officer = _person(Role.COMPLIANCE_OFFICER)
    services.hold_release(hold_id=opt_out.pk, reason="STOP sent by mistake", actor_id=officer.pk)
    opt_out.refresh_from_db()
    assert opt_out.released_by_id == officer.pk


def test_consent_given_again_still_reopens_the_medium_with_no_officer(ohio: OhioDebtor) -> None:
    services.consent_revoke(
        debtor_id=ohio.debtor.pk,
        channel="sms",
        contact_point=MOBILE,
        source="sms_stop",
        at=NOON - timedelta(days=2),
    )
    agent = _person(Role.AGENT)
    services.consent_grant(
        debtor_id=ohio.debtor.pk,
        channel="sms",
        contact_point=MOBILE,
        source="sms_start",
        at=NOON - timedelta(days=1),
        actor_id=agent.pk,
    )
    opt_out = Hold.objects.get(kind=Hold.Kind.MEDIUM_OPT_OUT)
    assert opt_out.released_at == NOON - timedelta(days=1)


def test_a_person_without_the_right_hears_so_before_any_complaint_about_the_reason(
    ohio: OhioDebtor,
) -> None:
    hold = _hold(ohio, "bankruptcy")
    agent = _person(Role.AGENT)
    with pytest.raises(PermissionDeniedError) as refused:
        services.hold_release_request(hold_id=hold.pk, reason=" ", actor_id=agent.pk)
    assert refused.value.code == "hold_release_forbidden"
