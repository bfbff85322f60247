"""E-mail through Django's SMTP backend to a real SMTP server on loopback."""

from __future__ import annotations

import pytest

from solvent.contact.adapters.email_django import DjangoEmailSender
from solvent.contact.domain.model import MessageStatus
from solvent.contact.models import OutboxMessage
from solvent.contact.ports import OutgoingMessage, PermanentProviderError, ProviderError
from solvent.contact.sender import outbox_dispatch
from solvent.contact.services import MessageRequest, message_enqueue_many
from tests.contact.factories import make_debtor

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def _message(n: int, to: str = "maria@example.com") -> OutgoingMessage:
    return OutgoingMessage(
        idempotency_key=f"key-{n}",
        message_id=f"<key-{n}@outbox.solvent>",
        channel="email",
        to=to,
        subject="Your account",
        body="Hello",
        extras={"unsubscribe_url": "http://x/u/1"},
    )


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_BACKEND = SMTP
    return settings


def test_messages_carry_their_idempotency_headers_over_one_connection(
    smtp_settings, smtp_sink
) -> None:
    sender = DjangoEmailSender(backend=SMTP)
    sender.open()
    for n in range(3):
        sender.send(_message(n))
    sender.close()
    assert [m["key"] for m in smtp_sink.messages] == ["key-0", "key-1", "key-2"]
    assert smtp_sink.messages[0]["message_id"] == "<key-0@outbox.solvent>"
    assert smtp_sink.messages[0]["list_unsubscribe"] == "<http://x/u/1>"
    assert len(smtp_sink.connections) == 1


def test_a_temporary_refusal_is_a_provider_error_and_the_next_send_reconnects(
    smtp_settings, smtp_sink
) -> None:
    sender = DjangoEmailSender(backend=SMTP)
    smtp_sink.fail_next = 1
    with pytest.raises(ProviderError) as caught:
        sender.send(_message(1))
    assert not isinstance(caught.value, PermanentProviderError)
    sender.send(_message(2))
    sender.close()
    assert [m["key"] for m in smtp_sink.messages] == ["key-2"]


def test_an_unknown_mailbox_is_a_permanent_error(smtp_settings, smtp_sink) -> None:
    sender = DjangoEmailSender(backend=SMTP)
    with pytest.raises(PermanentProviderError):
        sender.send(_message(1, to="refuse@example.com"))
    sender.close()


def test_a_server_that_is_down_is_a_provider_error(settings) -> None:
    from tests.servers import free_port

    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    with pytest.raises(ProviderError):
        DjangoEmailSender(backend=SMTP).send(_message(1))


@pytest.mark.django_db
def test_the_outbox_delivers_to_the_smtp_server(smtp_settings, smtp_sink, lawful_time) -> None:
    debtor, account = make_debtor()
    address = debtor.emails.first().address
    message_enqueue_many(
        requests=[
            MessageRequest(
                debtor_id=debtor.pk,
                channel="email",
                contact_point=address,
                account_ids=(account.pk,),
                subject=f"n{n}",
                body="Hello",
            )
            for n in range(5)
        ]
    )
    report = outbox_dispatch(worker="w1", batch_size=2)
    assert report.sent == 5 and report.batches == 3
    keys = set(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert set(smtp_sink.keys()) == {str(k) for k in keys}
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == 5
    assert "/contact/unsubscribe/" in smtp_sink.messages[0]["list_unsubscribe"]
