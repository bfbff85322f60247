"""Whose a number is: marking it a third party's or a wrong number, and the reassigned-number answer.

A wrong number recorded by an agent makes the number a stranger's for the compliance gate, so the
next collection call to it is denied (15 U.S.C. 1692c(b); 12 CFR 1006.6(d)(1)).
"""

from __future__ import annotations

import pytest

from solvent.audit.models import AuditEntry
from solvent.compliance.services import contact_attempt_authorize
from solvent.contact.services import interaction_record
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import ContactOwner, ContactStatus, Phone
from solvent.portfolio.services import (
    phone_owner_mark,
    phone_reassigned_answer_record,
    phone_wrong_number_mark,
)
from tests.compliance.services.compliance_fixtures import (
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

STRANGER = "+16142250188"


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


def test_marking_a_number_a_relatives_is_audited(ohio: OhioDebtor) -> None:
    phone = phone_owner_mark(
        debtor_id=ohio.debtor.pk,
        e164=MOBILE,
        owner="third_party",
        source="agent note",
        actor_id=None,
    )
    assert phone.owner == ContactOwner.THIRD_PARTY
    entry = AuditEntry.objects.get(action="phone.owner_mark")
    assert entry.object_id == str(phone.pk)
    assert entry.data["before"]["owner"] == ContactOwner.DEBTOR


def test_marking_a_wrong_number_the_debtors_again_clears_the_wrong_number(ohio: OhioDebtor) -> None:
    phone_wrong_number_mark(debtor_id=ohio.debtor.pk, e164=MOBILE)
    phone = phone_owner_mark(debtor_id=ohio.debtor.pk, e164=MOBILE, owner="debtor")
    assert (phone.owner, phone.status) == (ContactOwner.DEBTOR, ContactStatus.VALID)


def test_an_unknown_owner_or_number_is_refused(ohio: OhioDebtor) -> None:
    with pytest.raises(ValidationError):
        phone_owner_mark(debtor_id=ohio.debtor.pk, e164=MOBILE, owner="neighbour")
    with pytest.raises(NotFoundError):
        phone_owner_mark(debtor_id=ohio.debtor.pk, e164=STRANGER, owner="third_party")


def test_a_wrong_number_not_on_file_is_added_as_a_strangers(ohio: OhioDebtor) -> None:
    phone = phone_wrong_number_mark(debtor_id=ohio.debtor.pk, e164=STRANGER)
    assert (phone.owner, phone.status, phone.source) == (
        ContactOwner.THIRD_PARTY,
        ContactStatus.WRONG_NUMBER,
        Phone.Source.INTERACTION,
    )


def test_the_reassigned_number_answer_is_recorded_with_its_date(ohio: OhioDebtor) -> None:
    phone = phone_reassigned_answer_record(
        debtor_id=ohio.debtor.pk, e164=MOBILE, answer="yes", checked_at=NOON
    )
    assert (phone.reassigned_answer, phone.reassigned_checked_at) == ("yes", NOON)
    with pytest.raises(ValidationError):
        phone_reassigned_answer_record(
            debtor_id=ohio.debtor.pk, e164=MOBILE, answer="maybe", checked_at=NOON
        )


def test_a_call_recorded_as_a_wrong_number_stops_the_next_call_to_it(ohio: OhioDebtor) -> None:
    Phone.objects.create(debtor=ohio.debtor, e164=STRANGER, kind=Phone.Kind.OTHER)

    def call(at):
        return contact_attempt_authorize(
            debtor_id=ohio.debtor.pk,
            channel="call",
            contact_point=STRANGER,
            account_ids=[ohio.card.pk],
            at=at,
        )

    first = call(NOON)
    assert first.allowed is True
    interaction_record(
        debtor_id=ohio.debtor.pk,
        channel="call",
        direction="outbound",
        contact_point=STRANGER,
        disposition="wrong_number",
        account_ids=[ohio.card.pk],
        occurred_at=NOON,
        attempt_id=first.attempt_id,
    )
    phone = Phone.objects.get(debtor=ohio.debtor, e164=STRANGER)
    assert (phone.owner, phone.status) == (ContactOwner.THIRD_PARTY, ContactStatus.WRONG_NUMBER)
    later = call(NOON.replace(hour=18))
    assert later.allowed is False
    assert "solvent.contact_point.not_the_consumers" in {rule for rule, _, _ in later.blocking}
