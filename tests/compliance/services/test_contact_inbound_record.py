"""Defect 1 of issue 9: a conversation the consumer starts is in the ledger the engine reads.

An inbound telephone conversation about a debt starts the 7-day wait of 12 CFR 1006.14(b)(2)(ii)
whoever placed the call (comment 14(b)(4)-1.ii); an inbound text or e-mail is recorded too, but
only a telephone conversation starts that wait (1006.14(b)(2)(i)(B) speaks of "a telephone
conversation"). Day 1 is Tuesday 9 June 2026, noon in Columbus; day 8 is 16 June.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from solvent.audit.models import AuditEntry
from solvent.compliance import services
from solvent.compliance.domain import model
from solvent.compliance.engine_input import debtor_accounts, situation_build
from solvent.compliance.models import ContactAttempt
from solvent.contact.services import interaction_record
from solvent.core.domain.errors import NotFoundError, ValidationError
from tests.compliance.services.compliance_fixtures import (
    EMAIL,
    MOBILE,
    NOON,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

WAIT = "regf.call_frequency.post_conversation_7d"
DAY = timedelta(days=1)


@pytest.fixture
def ohio() -> OhioDebtor:
    return ohio_debtor_create()


def _inbound(ohio: OhioDebtor, **overrides: object) -> None:
    arguments: dict[str, object] = {
        "debtor_id": ohio.debtor.pk,
        "channel": "call",
        "direction": "inbound",
        "contact_point": MOBILE,
        "disposition": "right_party_contact",
        "account_ids": [ohio.card.pk],
        "occurred_at": NOON,
    }
    arguments.update(overrides)
    interaction_record(**arguments)  # type: ignore[arg-type]


def _call(ohio: OhioDebtor, at, account_ids=None) -> services.Authorization:
    return services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point=MOBILE,
        account_ids=account_ids or [ohio.card.pk],
        at=at,
    )


def _rules(authorization: services.Authorization) -> list[str]:
    return [rule_id for rule_id, _, _ in authorization.blocking]


def test_an_inbound_conversation_on_day_1_stops_calls_about_that_debt_until_day_8(
    ohio: OhioDebtor,
) -> None:
    _inbound(ohio)

    for day in range(1, 7):  # days 2 to 7
        denied = _call(ohio, NOON + day * DAY)
        assert denied.allowed is False, day
        assert WAIT in _rules(denied)
        # 08:00 in Columbus on day 8, the first moment of the eighth day.
        assert denied.earliest_lawful_at == NOON.replace(day=16, hour=12)
    assert _call(ohio, NOON + 7 * DAY).allowed is True


def test_the_wait_is_about_the_debt_the_conversation_was_about(ohio: OhioDebtor) -> None:
    _inbound(ohio)
    assert _call(ohio, NOON + DAY, account_ids=[ohio.loan.pk]).allowed is True


def test_an_inbound_conversation_about_no_named_debt_stops_calls_about_every_debt(
    ohio: OhioDebtor,
) -> None:
    _inbound(ohio, account_ids=[])
    for account in (ohio.card, ohio.loan):
        assert WAIT in _rules(_call(ohio, NOON + DAY, account_ids=[account.pk]))


@pytest.mark.parametrize(
    ("channel", "point", "disposition"),
    [("sms", MOBILE, "message_received"), ("email", EMAIL, "message_received")],
)
def test_an_inbound_text_or_email_is_recorded_but_starts_no_wait(
    ohio: OhioDebtor, channel: str, point: str, disposition: str
) -> None:
    _inbound(ohio, channel=channel, contact_point=point, disposition=disposition)

    attempt = ContactAttempt.objects.get(debtor=ohio.debtor)
    assert (attempt.direction, attempt.channel) == ("inbound", channel)
    assert _call(ohio, NOON + DAY).allowed is True


def test_an_inbound_call_nobody_answered_starts_no_wait(ohio: OhioDebtor) -> None:
    _inbound(ohio, disposition="no_answer")
    assert ContactAttempt.objects.get(debtor=ohio.debtor).outcome == "no_answer"
    assert _call(ohio, NOON + DAY).allowed is True


def test_the_inbound_row_is_completed_audited_and_linked_to_the_interaction(
    ohio: OhioDebtor,
) -> None:
    interaction = interaction_record(
        debtor_id=ohio.debtor.pk,
        channel="call",
        direction="inbound",
        contact_point=f" {MOBILE} ",
        disposition="promise_to_pay",
        account_ids=[ohio.card.pk],
        occurred_at=NOON,
    )

    attempt = ContactAttempt.objects.get(pk=interaction.compliance_attempt_id)
    assert attempt.direction == ContactAttempt.Direction.INBOUND
    assert attempt.status == ContactAttempt.Status.COMPLETED
    assert attempt.outcome == ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION
    assert (attempt.at, attempt.outcome_at, attempt.contact_point) == (NOON, NOON, MOBILE)
    assert attempt.decision_log_id is None  # nobody asked the gate: the consumer called
    assert list(attempt.accounts.values_list("pk", flat=True)) == [ohio.card.pk]
    entry = AuditEntry.objects.get(action="compliance.inbound_recorded")
    assert entry.object_id == str(attempt.pk)
    assert entry.data["outcome"] == "right_party_conversation"
    history = situation_build(
        debtor=ohio.debtor,
        owed=debtor_accounts(debtor=ohio.debtor),
        channel="call",
        contact_point=MOBILE,
        account_ids=[ohio.card.pk],
        at=NOON + DAY,
        autodialled=False,
        prerecorded=False,
        purpose=model.Purpose.COLLECT,
    ).history
    assert [(event.direction, event.outcome) for event in history] == [
        (model.Direction.INBOUND, model.Outcome.RIGHT_PARTY_CONVERSATION)
    ]


def test_inbound_calls_do_not_count_toward_the_calls_placed(ohio: OhioDebtor) -> None:
    # 7-in-7 counts calls the collector places (1006.14(b)(2)(i)(A)): unanswered inbound calls
    # from the consumer leave all seven.
    for hour in range(8):
        _inbound(ohio, disposition="no_answer", occurred_at=NOON - DAY + timedelta(hours=hour))
    assert all(_call(ohio, NOON + timedelta(minutes=m)).allowed for m in range(7))


def test_an_inbound_contact_is_refused_with_a_debt_that_is_not_the_debtors(
    ohio: OhioDebtor,
) -> None:
    other = ohio_debtor_create("2")
    with pytest.raises(NotFoundError):
        services.contact_inbound_record(
            debtor_id=ohio.debtor.pk,
            channel="call",
            contact_point=MOBILE,
            account_ids=[other.card.pk],
            outcome="right_party_conversation",
            at=NOON,
        )
    with pytest.raises(ValidationError):
        services.contact_inbound_record(
            debtor_id=ohio.debtor.pk,
            channel="call",
            contact_point=MOBILE,
            account_ids=[],
            outcome="chatted",
            at=NOON,
        )
    assert not ContactAttempt.objects.exists()
