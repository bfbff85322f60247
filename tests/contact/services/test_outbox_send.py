"""The outbox sender: the gate decides before every send, errors back off, dead letters, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from solvent.audit.models import AuditEntry
from solvent.contact import sender as sender_module
from solvent.contact.adapters.fakes import FakeChannelSender
from solvent.contact.domain.model import MessageStatus, RetryPolicy
from solvent.contact.models import Interaction, OutboxMessage
from solvent.contact.outbox import outbox_claim_batch
from solvent.contact.ports import PermanentProviderError, ProviderError
from solvent.contact.sender import outbox_dispatch
from solvent.contact.services import MessageRequest, message_enqueue
from solvent.core import clock
from tests.contact import compliance_stand_in
from tests.contact.factories import make_debtor

pytestmark = pytest.mark.django_db


def _queue(debtor, account, *, channel="email", contact_point=None, body="Hello"):
    point = contact_point or debtor.emails.first().address
    return message_enqueue(
        request=MessageRequest(
            debtor_id=debtor.pk,
            channel=channel,
            contact_point=point,
            account_ids=(account.pk,),
            subject="Your account",
            body=body,
            cause="test",
        )
    )


def test_a_sent_message_becomes_an_interaction_with_its_compliance_ids(lawful_time) -> None:
    debtor, account = make_debtor()
    message = _queue(debtor, account)
    fake = FakeChannelSender(channel="email")

    report = outbox_dispatch(worker="w1", senders={"email": fake})

    message.refresh_from_db()
    assert report.sent == 1
    assert message.status == MessageStatus.SENT
    assert [m.idempotency_key for m in fake.sent] == [str(message.idempotency_key)]
    interaction = Interaction.objects.get(outbox_message=message)
    assert interaction.delivery_status == "sent"
    assert interaction.account_ids == [account.pk]
    assert interaction.decision_log_id == message.decision_log_id is not None
    assert interaction.compliance_attempt_id == message.compliance_attempt_id is not None
    assert AuditEntry.objects.filter(action="outbox.batch_dispatched").exists()
    assert fake.closed == 1


def test_the_gate_is_asked_before_the_provider(lawful_time, monkeypatch) -> None:
    debtor, account = make_debtor()
    _queue(debtor, account)
    order: list[str] = []
    real_authorize = sender_module.contact_attempts_authorize_many

    def authorize(requests):
        order.append("authorize")
        return real_authorize(requests)

    class Recording(FakeChannelSender):
        def send(self, message):
            order.append("send")
            return super().send(message)

    monkeypatch.setattr(sender_module, "contact_attempts_authorize_many", authorize)
    outbox_dispatch(worker="w1", senders={"email": Recording(channel="email")})
    assert order == ["authorize", "send"]


def _denial(earliest):
    from solvent.compliance.services import Authorization

    return Authorization(
        allowed=False,
        attempt_id=None,
        decision_log_id=99,
        earliest_lawful_at=earliest,
        blocking=(("time_of_day", "outside 8am-9pm local time", "12 CFR 1006.6(b)(1)(i)"),),
        warnings=(),
    )


def test_a_message_whose_window_passed_is_rescheduled_with_the_reason(
    lawful_time, monkeypatch
) -> None:
    debtor, account = make_debtor()
    message = _queue(debtor, account)
    later = clock.now() + timedelta(hours=11)
    monkeypatch.setattr(
        sender_module, "contact_attempts_authorize_many", lambda requests: [_denial(later)]
    )
    fake = FakeChannelSender(channel="email")

    report = outbox_dispatch(worker="w1", senders={"email": fake})

    message.refresh_from_db()
    assert (report.held, fake.sent) == (1, [])
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at == later
    assert "time_of_day" in message.status_reason and "1006.6(b)(1)(i)" in message.status_reason
    assert message.decision_log_id == 99
    assert not Interaction.objects.exists()


def test_a_message_that_may_never_be_sent_is_cancelled(lawful_time, monkeypatch) -> None:
    debtor, account = make_debtor()
    message = _queue(debtor, account)
    monkeypatch.setattr(
        sender_module, "contact_attempts_authorize_many", lambda requests: [_denial(None)]
    )

    report = outbox_dispatch(worker="w1", senders={"email": FakeChannelSender(channel="email")})

    message.refresh_from_db()
    assert report.cancelled == 1
    assert message.status == MessageStatus.CANCELLED


def test_provider_errors_back_off_exponentially_then_dead_letter(lawful_time) -> None:
    debtor, account = make_debtor()
    message = _queue(debtor, account)
    policy = RetryPolicy(max_attempts=3, base=timedelta(seconds=10))
    fake = FakeChannelSender(channel="email", failures=[ProviderError("451 try later")] * 3)
    delays = []
    for _ in range(3):
        outbox_dispatch(worker="w1", senders={"email": fake}, policy=policy)
        message.refresh_from_db()
        delays.append(message.next_attempt_at - clock.now())
        # Jump to the retry time so the message is due again.
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=clock.now())
    assert delays[:2] == [timedelta(seconds=10), timedelta(seconds=20)]
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD
    assert message.failures == 3
    assert "451 try later" in message.last_error
    if compliance_stand_in.is_stand_in():
        cancels = [c for c in compliance_stand_in.calls if c[0] == "cancel"]
        assert len(cancels) >= 3


def test_a_refusal_for_good_is_dead_at_once(lawful_time) -> None:
    debtor, account = make_debtor()
    message = _queue(debtor, account)
    fake = FakeChannelSender(channel="email", failures=[PermanentProviderError("550 no such user")])
    report = outbox_dispatch(worker="w1", senders={"email": fake})
    message.refresh_from_db()
    assert report.dead == 1 and message.status == MessageStatus.DEAD
    # The refusal is an attempt in the history, and the address is no longer used.
    assert message.interaction.delivery_status == "bounced"
    assert debtor.emails.get(address=message.contact_point).status == "invalid"


def test_an_adapter_crash_does_not_stop_the_worker(lawful_time) -> None:
    debtor, account = make_debtor()
    first = _queue(debtor, account)
    second = _queue(debtor, account, body="Second")

    class Broken(FakeChannelSender):
        def send(self, message):
            if message.body == "Hello":
                raise KeyError("sid")  # a malformed provider response surfacing as a bug
            return super().send(message)

    report = outbox_dispatch(worker="w1", senders={"email": Broken(channel="email")})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (report.sent, report.failed) == (1, 1)
    assert first.status == MessageStatus.PENDING and "KeyError" in first.last_error
    assert second.status == MessageStatus.SENT


def test_claims_do_not_overlap_and_expired_leases_are_reclaimed(lawful_time) -> None:
    debtor, account = make_debtor()
    for _ in range(3):
        _queue(debtor, account)
    lease = timedelta(seconds=30)
    first = outbox_claim_batch(worker="a", limit=2, lease=lease)
    second = outbox_claim_batch(worker="b", limit=2, lease=lease)
    assert len(first) == 2 and len(second) == 1
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert outbox_claim_batch(worker="c", limit=5, lease=lease) == []
    # Worker "a" dies; once its lease runs out another worker takes its messages.
    taken = outbox_claim_batch(
        worker="c", limit=5, lease=lease, now=clock.now() + timedelta(seconds=31)
    )
    assert {m.pk for m in taken} == {m.pk for m in first} | {m.pk for m in second}


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_owner(lawful_time) -> None:
    from solvent.contact.outbox import outbox_fail

    debtor, account = make_debtor()
    _queue(debtor, account)
    [stale] = outbox_claim_batch(worker="a", limit=1, lease=timedelta(seconds=1))
    outbox_claim_batch(
        worker="b", limit=1, lease=timedelta(seconds=30), now=clock.now() + timedelta(seconds=2)
    )
    outbox_fail(message=stale, worker="a", error="late", permanent=True, policy=RetryPolicy())
    stale.refresh_from_db()
    assert stale.status == MessageStatus.SENDING and stale.worker == "b"


def test_a_message_is_written_in_the_callers_transaction(lawful_time) -> None:
    from django.db import transaction

    debtor, account = make_debtor()
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue(debtor, account)
        raise RuntimeError("the decision failed")
    assert not OutboxMessage.objects.exists()


def test_sent_messages_can_be_recorded_in_groups(lawful_time) -> None:
    debtor, account = make_debtor()
    for n in range(5):
        _queue(debtor, account, body=f"n{n}")
    fake = FakeChannelSender(channel="email")
    report = outbox_dispatch(worker="w1", senders={"email": fake}, commit_every=3)
    assert report.sent == 5
    sent = OutboxMessage.objects.filter(status=MessageStatus.SENT, interaction__isnull=False)
    assert sent.count() == 5
    assert Interaction.objects.count() == 5


def test_messages_given_back_near_the_end_of_the_lease_lose_their_reservations(
    lawful_time, monkeypatch
) -> None:
    from solvent.compliance.models import ContactAttempt

    first_debtor, first_account = make_debtor()
    second_debtor, second_account = make_debtor()
    first, second = _queue(first_debtor, first_account), _queue(second_debtor, second_account)
    elapsed = [0.0]

    class Slow(FakeChannelSender):
        def send(self, message):
            elapsed[0] += 100.0  # past 80 % of the 120 s lease after one send
            return super().send(message)

    monkeypatch.setattr(sender_module, "monotonic", lambda: elapsed[0])
    report = outbox_dispatch(
        worker="w1",
        senders={"email": Slow(channel="email")},
        lease=timedelta(seconds=120),
        max_batches=1,
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert report.sent == 1
    assert (first.status, second.status) == (MessageStatus.SENT, MessageStatus.PENDING)
    assert ContactAttempt.objects.get(debtor=first_debtor).status == "completed"
    given_back = ContactAttempt.objects.get(debtor=second_debtor)
    assert given_back.status == ContactAttempt.Status.CANCELLED


def test_a_late_worker_does_not_record_a_message_another_worker_recorded(lawful_time) -> None:
    """At least once to the provider, exactly once in the history: a worker that outlived its
    lease and sent the message too finds it recorded and writes no second interaction."""
    from solvent.contact.domain.model import DeliveryStatus
    from solvent.contact.outbox import SentMessage, outbox_mark_sent_many

    debtor, account = make_debtor()
    message = _queue(debtor, account)
    [stale] = outbox_claim_batch(worker="a", limit=1, lease=timedelta(seconds=1))
    with time_machine.travel(lawful_time + timedelta(seconds=2), tick=False):
        report = outbox_dispatch(worker="b", senders={"email": FakeChannelSender(channel="email")})
    assert report.sent == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT

    written = outbox_mark_sent_many(
        sent=[
            SentMessage(
                message=stale,
                provider_message_id="late-copy",
                attempt_id=message.compliance_attempt_id,
                decision_log_id=message.decision_log_id,
                delivery_status=DeliveryStatus.SENT,
                sent_at=clock.now(),
            )
        ]
    )

    assert written == []
    assert Interaction.objects.filter(outbox_message=message).count() == 1
    message.refresh_from_db()
    assert message.provider_message_id != "late-copy"
