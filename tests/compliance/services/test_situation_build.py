"""The database-to-engine mapping: contact points, places, flags, locations, and bounded queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solvent.compliance import services
from solvent.compliance.domain import model
from solvent.compliance.engine_input import debtor_accounts, situation_build
from solvent.portfolio.models import Address, ContactStatus, Phone
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


def _situation(ohio: OhioDebtor, channel: str = "call", point: str = MOBILE):
    return situation_build(
        debtor=ohio.debtor,
        owed=debtor_accounts(debtor=ohio.debtor),
        channel=channel,
        contact_point=point,
        account_ids=[ohio.card.pk],
        at=NOON,
        autodialled=False,
        prerecorded=False,
        purpose=model.Purpose.COLLECT,
    )


def test_contact_points_and_places(ohio: OhioDebtor) -> None:
    Phone.objects.create(
        debtor=ohio.debtor,
        e164="+16142250177",
        kind=Phone.Kind.HOME,
        line_type=Phone.LineType.UNKNOWN,
        status=ContactStatus.WRONG_NUMBER,
    )
    profile = _situation(ohio).profile
    points = {point.id: point for point in profile.contact_points}
    assert points[MOBILE].kind is model.ContactPointKind.MOBILE
    assert points[WORK_PHONE].kind is model.ContactPointKind.LANDLINE
    assert points[WORK_PHONE].place is model.Place.WORK
    # An unknown line type is treated as a mobile (TCPA's stricter reading).
    assert points["+16142250177"].kind is model.ContactPointKind.MOBILE
    assert points["+16142250177"].wrong_number is True
    assert points[EMAIL].kind is model.ContactPointKind.EMAIL
    assert points[f"address:{ohio.home.pk}"].kind is model.ContactPointKind.POSTAL
    assert [debt.id for debt in profile.debts] == [str(ohio.card.pk), str(ohio.loan.pk)]


def test_a_number_not_on_file_still_counts_as_a_location(ohio: OhioDebtor) -> None:
    situation = _situation(ohio, point="+13105550100")  # Los Angeles
    # The number is a location signal, under an id the proposed contact does not find: to the
    # point rules the contact point stays unknown (ADR 0010).
    assert "+13105550100" in {point.value for point in situation.profile.contact_points}
    assert situation.profile.contact_point("+13105550100") is None
    authorization = services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point="+13105550100",
        account_ids=[ohio.card.pk],
        at=NOON.replace(hour=12, minute=30),  # 08:30 in Columbus, 05:30 in Los Angeles
    )
    assert authorization.allowed is False
    assert {rule for rule, _, _ in authorization.blocking} & {
        "regf.inconvenient_time.conflicting_locations",
        "regf.inconvenient_time.8am_9pm_local",
    }


def test_only_current_addresses_are_locations(ohio: OhioDebtor) -> None:
    Address.objects.create(
        debtor=ohio.debtor,
        line1="9 Beach Rd",
        city="Honolulu",
        region="HI",
        postal_code="96815",
        country="US",
        is_current=False,
    )
    profile = _situation(ohio).profile
    assert [address.region for address in profile.addresses] == ["OH"]


def test_reservations_and_cancellations_in_the_history(ohio: OhioDebtor) -> None:
    kept = services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point=MOBILE,
        account_ids=[ohio.card.pk],
        at=NOON,
    )
    dropped = services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="email",
        contact_point=EMAIL,
        account_ids=[],
        at=NOON,
    )
    assert kept.attempt_id is not None
    assert dropped.attempt_id is not None
    services.contact_attempt_cancel(attempt_id=dropped.attempt_id, reason="template missing")
    history = _situation(ohio).history
    assert len(history) == 1
    event = history[0]
    assert (event.channel, event.outcome) == (model.Channel.CALL, model.Outcome.NO_ANSWER)
    assert event.debt_ids == (str(ohio.card.pk),)
    assert event.contact_point_id == MOBILE


def test_authorize_query_count_does_not_grow_with_the_ledger(ohio: OhioDebtor) -> None:
    def queries_for_one() -> int:
        with CaptureQueriesContext(connection) as captured:
            services.contact_attempt_authorize(
                debtor_id=ohio.debtor.pk,
                channel="letter",
                contact_point=f"address:{ohio.home.pk}",
                account_ids=[ohio.card.pk, ohio.loan.pk],
                at=NOON,
            )
        return len(captured)

    queries_for_one()  # the first one also creates the ledger row and the audit chain head
    first = queries_for_one()
    for hour in range(12):
        services.contact_attempt_authorize(
            debtor_id=ohio.debtor.pk,
            channel="email",
            contact_point=EMAIL,
            account_ids=[ohio.card.pk, ohio.loan.pk],
            at=NOON - timedelta(days=1, hours=hour),
        )
    assert queries_for_one() == first
    assert first <= 25


def test_a_number_learned_wrong_stops_being_a_location(ohio: OhioDebtor) -> None:
    los_angeles = "+13105550100"
    Phone.objects.create(debtor=ohio.debtor, e164=los_angeles, line_type=Phone.LineType.LANDLINE)
    early = NOON.replace(hour=12, minute=30)  # 08:30 in Columbus, 05:30 in Los Angeles

    def call(point: str, at):
        return services.contact_attempt_authorize(
            debtor_id=ohio.debtor.pk,
            channel="call",
            contact_point=point,
            account_ids=[ohio.card.pk],
            at=at,
        )

    assert call(MOBILE, early).allowed is False  # the debtor may be in California
    reached = call(los_angeles, NOON)
    assert reached.attempt_id is not None
    services.contact_attempt_record_outcome(
        attempt_id=reached.attempt_id, outcome="wrong_number", at=NOON
    )
    profile = _situation(ohio).profile
    point = profile.contact_point(los_angeles)
    assert point is not None
    assert point.wrong_number is True
    assert call(MOBILE, early + timedelta(days=1)).allowed is True
