"""The real compliance gate at send time: a hold placed after planning cancels, a closed window waits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from solvent.compliance.services import hold_place
from solvent.contact.adapters.fakes import FakeChannelSender
from solvent.contact.models import Interaction
from solvent.contact.sender import outbox_dispatch
from solvent.contact.services import MessageRequest, message_enqueue
from tests.contact.factories import make_debtor

pytestmark = pytest.mark.django_db


def _queue_text(debtor, account):
    return message_enqueue(
        request=MessageRequest(
            debtor_id=debtor.pk,
            channel="sms",
            contact_point=debtor.phones.first().e164,
            account_ids=(account.pk,),
            body="This is a debt collector. Reply STOP to opt out.",
        )
    )


def test_a_cease_placed_after_planning_cancels_the_message_with_the_rule(lawful_time) -> None:
    debtor, account = make_debtor()
    message = _queue_text(debtor, account)
    hold_place(debtor_id=debtor.pk, kind="cease", source="letter from the consumer")
    fake = FakeChannelSender(channel="sms")

    report = outbox_dispatch(worker="w", senders={"sms": fake})

    message.refresh_from_db()
    assert fake.sent == [] and report.cancelled == 1
    assert message.status == "cancelled"
    assert message.status_reason and message.decision_log_id is not None
    assert not Interaction.objects.exists()


def test_a_text_due_at_3am_local_waits_for_the_lawful_hour() -> None:
    # 08:00 UTC on a Tuesday is 03:00 in New York.
    with time_machine.travel(datetime(2027, 3, 2, 8, 0, tzinfo=UTC), tick=False):
        debtor, account = make_debtor()
        message = _queue_text(debtor, account)
        fake = FakeChannelSender(channel="sms")
        report = outbox_dispatch(worker="w", senders={"sms": fake})
    message.refresh_from_db()
    assert fake.sent == [] and report.held == 1
    assert message.status == "pending"
    assert message.next_attempt_at == datetime(2027, 3, 2, 13, 0, tzinfo=UTC)  # 08:00 in New York
    assert "1006.6(b)(1)" in message.status_reason
