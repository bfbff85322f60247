"""A callback the debtor asks for right after a conversation (issue 11).

After a telephone conversation about a debt, Reg F presumes a violation for a call about it within
7 days (1006.14(b)(2)(ii); comment 14(b)(2)(ii)-1.ii). A call placed with the consumer's prior
consent given directly to the debt collector is excluded (1006.14(b)(3)(i)) for up to 7 days
(comment 14(b)(3)(i)-2). So the callback the debtor asked for tomorrow is refused unless the agent
records that the debtor asked, which records the consent for this debt. That consent is to more
calls, not to an hour the rule calls inconvenient: a debtor who wants calls after 9 p.m. states a
convenient time (a time preference, 1006.6(b)(1)), which the checkbox does not record. A refused
callback leaves no consent behind.

The clock is Tuesday 9 June 2026 at noon in New York.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from solvent.compliance.models import Consent
from solvent.compliance.services import contact_attempt_authorize
from solvent.contact.services import interaction_record
from solvent.desk.models import Callback
from tests.compliance.services.compliance_fixtures import NOON
from tests.desk.test_queue_callbacks import Desk, desk, post_callback  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def talked(desk: Desk) -> Desk:  # noqa: F811 - the fixture above
    """A right-party conversation about the debt, an hour ago, through the gate."""
    at = datetime(2026, 6, 9, 15, 0, tzinfo=UTC)
    authorization = contact_attempt_authorize(
        debtor_id=desk.debtor.pk,
        channel="call",
        contact_point=desk.phone,
        account_ids=[desk.account.pk],
        at=at,
        actor_id=desk.agent.pk,
    )
    assert authorization.allowed, authorization.blocking
    interaction_record(
        debtor_id=desk.debtor.pk,
        channel="call",
        direction="outbound",
        contact_point=desk.phone,
        disposition="right_party_contact",
        account_ids=[desk.account.pk],
        occurred_at=at,
        agent_id=desk.agent.pk,
        attempt_id=authorization.attempt_id,
        decision_log_id=authorization.decision_log_id,
    )
    return desk


def test_tomorrow_is_refused_within_the_7_days_after_a_conversation(talked: Desk) -> None:
    html = post_callback(talked, "2026-06-10T10:00")
    assert "regf.call_frequency.post_conversation_7d" in html
    assert "Tue 16 Jun 2026 08:00 EDT" in html  # the day after the 7-day period
    assert not Callback.objects.exists() and not Consent.objects.exists()


def test_tomorrow_is_set_when_the_debtor_asked_and_the_consent_is_recorded(talked: Desk) -> None:
    html = post_callback(talked, "2026-06-10T10:00", prior_consent="yes")
    assert "Callback set for Wed 10 Jun 2026 10:00 EDT" in html
    callback = Callback.objects.get()
    assert callback.due_at == datetime(2026, 6, 10, 14, 0, tzinfo=UTC)
    consent = Consent.objects.get()
    assert (consent.scope, consent.channel, consent.contact_point) == (
        "additional_calls",
        "call",
        talked.phone,
    )
    assert list(consent.accounts.values_list("pk", flat=True)) == [talked.account.pk]
    assert consent.given_at == NOON
    # The call itself then passes the gate at that time too (the same consent, the same rule).
    authorization = contact_attempt_authorize(
        debtor_id=talked.debtor.pk,
        channel="call",
        contact_point=talked.phone,
        account_ids=[talked.account.pk],
        at=callback.due_at,
    )
    assert authorization.allowed, authorization.blocking


def test_the_consent_to_more_calls_is_not_one_to_9_30_pm_and_a_refusal_keeps_none(
    talked: Desk,
) -> None:
    html = post_callback(talked, "2026-06-10T21:30", prior_consent="yes")
    assert "regf.inconvenient_time.8am_9pm_local" in html
    assert not Callback.objects.exists()
    assert not Consent.objects.exists()  # undone with the refused callback
