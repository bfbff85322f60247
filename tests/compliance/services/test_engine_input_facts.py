"""The database facts of this pass reach the engine: whose a contact point is, the reassigned-number
answer, an employer-provided address, a point not on file, and where each account stands.

Each test builds the situation from rows (``situation_build``) and decides it with the engine, so
a fact that stops being mapped shows up as a contact allowed that the law forbids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from solvent.compliance.domain import model
from solvent.compliance.domain.engine import decide
from solvent.compliance.engine_input import debtor_accounts, situation_build
from solvent.compliance.models import Consent, TimePreference
from solvent.portfolio.models import Account, ContactOwner, Email, Phone
from tests.compliance.services.compliance_fixtures import (
    EMAIL,
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

SISTER = "+16142250155"
NOT_ON_FILE = "+16142250166"


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


def _decisions(
    ohio: OhioDebtor,
    *,
    channel: str = "call",
    point: str = MOBILE,
    accounts: Sequence[Account] | None = None,
    autodialled: bool = False,
) -> list[model.Decision]:
    situation = situation_build(
        debtor=ohio.debtor,
        owed=debtor_accounts(debtor=ohio.debtor),
        channel=channel,
        contact_point=point,
        account_ids=[account.pk for account in (accounts if accounts is not None else [ohio.card])],
        at=NOON,
        autodialled=autodialled,
        prerecorded=False,
        purpose=model.Purpose.COLLECT,
    )
    return [
        decide(situation.profile, situation.history, proposed) for proposed in situation.proposals
    ]


def _blocking(decisions: list[model.Decision]) -> set[str]:
    return {rule for decision in decisions for rule in decision.blocking_rule_ids}


def test_the_debtors_own_mobile_is_allowed_before_anything_changes(ohio: OhioDebtor) -> None:
    # The baseline every other test departs from: noon in Columbus, an active card debt.
    assert _blocking(_decisions(ohio)) == set()


@pytest.mark.parametrize("owner", [ContactOwner.THIRD_PARTY, ContactOwner.EMPLOYER])
def test_a_number_recorded_as_someone_elses_gets_no_contact_for_the_debtor(
    ohio: OhioDebtor, owner: str
) -> None:
    Phone.objects.create(debtor=ohio.debtor, e164=SISTER, kind=Phone.Kind.OTHER, owner=owner)
    blocking = _blocking(_decisions(ohio, point=SISTER))
    assert "solvent.contact_point.not_the_consumers" in blocking


def test_an_attorneys_number_is_not_the_debtors(ohio: OhioDebtor) -> None:
    Phone.objects.create(debtor=ohio.debtor, e164=SISTER, owner=ContactOwner.ATTORNEY)
    situation_point = situation_build(
        debtor=ohio.debtor,
        owed=debtor_accounts(debtor=ohio.debtor),
        channel="call",
        contact_point=SISTER,
        account_ids=[ohio.card.pk],
        at=NOON,
        autodialled=False,
        prerecorded=False,
        purpose=model.Purpose.COLLECT,
    ).profile.contact_point(SISTER)
    assert situation_point is not None
    assert situation_point.owner is model.Party.ATTORNEY


def test_a_reassigned_number_answer_voids_the_consent_to_autodialled_calls(
    ohio: OhioDebtor,
) -> None:
    Consent.objects.create(
        debtor=ohio.debtor,
        channel="call",
        scope=Consent.Scope.AUTODIALLED,
        contact_point=MOBILE,
        source="application",
        given_at=NOON - timedelta(days=400),
    )
    assert "tcpa.reassigned_number" not in _blocking(_decisions(ohio, autodialled=True))
    assert "tcpa.autodial_wireless_requires_consent" not in _blocking(
        _decisions(ohio, autodialled=True)
    )
    Phone.objects.filter(e164=MOBILE).update(
        reassigned_answer=Phone.ReassignedAnswer.YES, reassigned_checked_at=NOON
    )
    assert "tcpa.reassigned_number" in _blocking(_decisions(ohio, autodialled=True))


def test_an_employer_provided_email_address_is_known_as_such(ohio: OhioDebtor) -> None:
    assert "regf.employer_email" not in _blocking(_decisions(ohio, channel="email", point=EMAIL))
    Email.objects.filter(address=EMAIL).update(employer_provided=True)
    assert "regf.employer_email" in _blocking(_decisions(ohio, channel="email", point=EMAIL))


def test_a_number_not_on_file_is_unknown_to_the_point_rules(ohio: OhioDebtor) -> None:
    TimePreference.objects.create(
        debtor=ohio.debtor,
        kind=TimePreference.Kind.NOT_AT_WORK,
        stated_at=NOON - timedelta(days=3),
    )
    assert "regf.workplace_prohibited" not in _blocking(_decisions(ohio))
    # The number may be the debtor's desk phone: "not at work" must apply (defect 5).
    assert "regf.workplace_prohibited" in _blocking(_decisions(ohio, point=NOT_ON_FILE))


@pytest.mark.parametrize(
    ("status", "collectable"),
    [
        (Account.Status.ACTIVE, True),
        (Account.Status.PROMISE, True),
        (Account.Status.PLAN, True),
        (Account.Status.DISPUTED, True),
        (Account.Status.LEGAL, True),
        (Account.Status.SETTLED, False),
        (Account.Status.PAID, False),
        (Account.Status.RECALLED, False),
        (Account.Status.CLOSED, False),
    ],
)
def test_each_account_status_maps_to_whether_the_debt_may_be_collected(
    ohio: OhioDebtor, status: str, collectable: bool
) -> None:
    Account.objects.filter(pk=ohio.card.pk).update(status=status)
    blocking = _blocking(_decisions(ohio))
    assert ("solvent.debt.not_collectable" not in blocking) is collectable


def test_a_contact_about_no_account_needs_one_collectable_account(ohio: OhioDebtor) -> None:
    Account.objects.filter(pk=ohio.card.pk).update(status=Account.Status.PAID)
    assert "solvent.debt.not_collectable" not in _blocking(_decisions(ohio, accounts=[]))
    Account.objects.filter(pk=ohio.loan.pk).update(status=Account.Status.RECALLED)
    assert "solvent.debt.not_collectable" in _blocking(_decisions(ohio, accounts=[]))
