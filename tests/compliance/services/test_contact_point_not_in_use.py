"""The gate refuses an ad hoc contact at a number no longer in use (issue 15).

A placement file that gives a debtor another number of the same kind marks the client's old one
superseded; an agent may mark a number invalid. Planning and the dialer skip both, but an agent can
still type the number into an ad hoc call: the gate (contact_attempt_authorize) must refuse it,
with the rule id and citation, and reserve nothing. Any status other than valid is refused (fail
closed); a wrong number keeps its own rule.
"""

from __future__ import annotations

import pytest

from solvent.compliance import services
from solvent.compliance.domain.packs.core import C_NOT_IN_USE
from solvent.compliance.models import ContactAttempt
from solvent.portfolio.models import ContactStatus, Email, Phone
from tests.compliance.services.compliance_fixtures import (
    EMAIL,
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

NOT_IN_USE = "solvent.contact_point.not_in_use"


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


def _authorize(ohio: OhioDebtor, *, channel: str = "call", point: str = MOBILE):
    return services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel=channel,
        contact_point=point,
        account_ids=[ohio.card.pk],
        at=NOON,
    )


def test_a_valid_number_is_allowed(ohio: OhioDebtor) -> None:
    assert _authorize(ohio).allowed is True


@pytest.mark.parametrize("status", [ContactStatus.SUPERSEDED, ContactStatus.INVALID])
@pytest.mark.parametrize("channel", ["call", "sms"])
def test_a_superseded_or_invalid_number_is_refused_by_the_gate(
    ohio: OhioDebtor, status: str, channel: str
) -> None:
    Phone.objects.filter(debtor=ohio.debtor, e164=MOBILE).update(status=status)
    authorization = _authorize(ohio, channel=channel)
    assert authorization.allowed is False
    assert authorization.attempt_id is None
    assert (NOT_IN_USE, C_NOT_IN_USE) in {(rule, cite) for rule, _, cite in authorization.blocking}
    assert "47 CFR 64.1200(m)" in C_NOT_IN_USE
    assert authorization.earliest_lawful_at is None
    assert ContactAttempt.objects.count() == 0


def test_a_superseded_email_address_is_refused_too(ohio: OhioDebtor) -> None:
    Email.objects.filter(debtor=ohio.debtor, address=EMAIL).update(status=ContactStatus.SUPERSEDED)
    authorization = _authorize(ohio, channel="email", point=EMAIL)
    assert authorization.allowed is False
    assert NOT_IN_USE in {rule for rule, _, _ in authorization.blocking}


def test_a_wrong_number_keeps_its_own_rule(ohio: OhioDebtor) -> None:
    Phone.objects.filter(debtor=ohio.debtor, e164=MOBILE).update(status=ContactStatus.WRONG_NUMBER)
    rules = {rule for rule, _, _ in _authorize(ohio).blocking}
    assert "solvent.contact_point.not_the_consumers" in rules
    assert NOT_IN_USE not in rules


def test_a_status_the_gate_does_not_know_is_refused(ohio: OhioDebtor) -> None:
    # Fail closed: a status added later is not "valid" until the gate is taught otherwise.
    Phone.objects.filter(debtor=ohio.debtor, e164=MOBILE).update(status="disconnected")
    assert NOT_IN_USE in {rule for rule, _, _ in _authorize(ohio).blocking}
