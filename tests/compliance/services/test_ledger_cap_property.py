"""Property: whatever mix of reservations, cancellations and outcomes, the ledger never holds more
than seven counted calls about one debt in any seven consecutive local days (Reg F 1006.14(b)(2)).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvent.compliance import services
from solvent.compliance.models import ContactAttempt
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create

COLUMBUS = ZoneInfo("America/New_York")
# Outcomes Reg F counts as a placed call; a reservation with no outcome yet counts too.
COUNTED = {"", "no_answer", "voicemail"}
_suffixes = itertools.count()

# Calls dominate so that weeks fill up; the other operations free or confirm reservations.
operation = st.tuples(
    st.sampled_from(["call", "call", "call", "call", "cancel", "no_answer", "busy", "voicemail"]),
    st.integers(0, 40),
    st.integers(0, 8),
)


def _max_in_any_week(days: list[date]) -> int:
    ordinals = sorted(day.toordinal() for day in days)
    return max(
        (sum(1 for day in ordinals if start <= day < start + 7) for start in ordinals), default=0
    )


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(operation, min_size=10, max_size=30))
def test_no_sequence_exceeds_seven_calls_in_seven_days(operations) -> None:
    ohio = ohio_debtor_create(suffix=f"p{next(_suffixes)}")
    reserved: list[int] = []
    for kind, first, second in operations:
        if kind == "call":
            # Within nine days of the fixture's Tuesday, 09:00-17:00 in Columbus.
            at = NOON + timedelta(days=first % 9, hours=second - 3)
            authorization = services.contact_attempt_authorize(
                debtor_id=ohio.debtor.pk,
                channel="call",
                contact_point=MOBILE,
                account_ids=[ohio.card.pk],
                at=at,
            )
            if authorization.attempt_id is not None:
                reserved.append(authorization.attempt_id)
        elif reserved:
            attempt_id = reserved.pop(first % len(reserved))
            if kind == "cancel":
                services.contact_attempt_cancel(attempt_id=attempt_id, reason="property test")
            else:
                services.contact_attempt_record_outcome(attempt_id=attempt_id, outcome=kind)
    counted = ContactAttempt.objects.filter(debtor=ohio.debtor, channel="call").exclude(
        status=ContactAttempt.Status.CANCELLED
    )
    days = [
        attempt.at.astimezone(COLUMBUS).date() for attempt in counted if attempt.outcome in COUNTED
    ]
    assert _max_in_any_week(days) <= 7
