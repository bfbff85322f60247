"""Inbound: STOP by text, unsubscribe links, bounces and receipts by signed webhooks."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from solvent.compliance.models import Hold
from solvent.contact.adapters.fakes import FakeChannelSender
from solvent.contact.models import InboundEvent, Interaction, OutboxMessage
from solvent.contact.sender import outbox_dispatch
from solvent.contact.services import MessageRequest, message_enqueue
from solvent.contact.signatures import body_signature, twilio_signature
from solvent.contact.unsubscribe import unsubscribe_token
from solvent.portfolio.models import ContactStatus
from tests.contact.factories import make_debtor

pytestmark = pytest.mark.django_db
TOKEN = "twilio-test-token"
SECRET = "email-webhook-secret"


@pytest.fixture(autouse=True)
def _secrets(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SOLVENT_WEBHOOK_SECRET = SECRET


def _post_twilio(client, name: str, params: dict[str, str], *, signature: str | None = None):
    url = reverse(f"contact:{name}")
    if signature is None:
        signature = twilio_signature(auth_token=TOKEN, url=f"http://testserver{url}", params=params)
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)


def _queue(debtor, account, channel: str, point: str) -> OutboxMessage:
    return message_enqueue(
        request=MessageRequest(
            debtor_id=debtor.pk,
            channel=channel,
            contact_point=point,
            account_ids=(account.pk,),
            subject="s",
            body="This communication is from a debt collector. Reply STOP to opt out.",
        )
    )


def test_stop_by_text_revokes_cancels_queued_texts_and_blocks_the_next_one(
    client, lawful_time
) -> None:
    debtor, account = make_debtor()
    number = debtor.phones.first().e164
    queued = _queue(debtor, account, "sms", number)

    response = _post_twilio(
        client,
        "twilio_inbound_sms",
        {
            "From": number,
            "To": "+18005550100",
            "Body": "Stop texting me please",
            "MessageSid": "SM1",
        },
    )

    assert response.status_code == 200
    queued.refresh_from_db()
    assert queued.status == "cancelled" and "STOP" in queued.status_reason
    assert Interaction.objects.get(debtor=debtor).disposition == "opt_out"
    assert Hold.objects.filter(debtor=debtor, kind=Hold.Kind.MEDIUM_OPT_OUT).exists()
    # A text planned afterwards is stopped by the compliance gate before it reaches the provider.
    later = _queue(debtor, account, "sms", number)
    fake = FakeChannelSender(channel="sms")
    outbox_dispatch(worker="w", senders={"sms": fake})
    later.refresh_from_db()
    assert fake.sent == []
    assert later.status == "cancelled" and later.status_reason


def test_help_gets_the_agency_contact_and_opt_out_words(client) -> None:
    debtor, _ = make_debtor()
    response = _post_twilio(
        client, "twilio_inbound_sms", {"From": debtor.phones.first().e164, "Body": "HELP"}
    )
    assert response.status_code == 200
    assert b"Reply STOP" in response.content


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSBzaWduYXR1cmU="])
def test_a_webhook_with_a_bad_or_missing_signature_is_rejected_and_logged(
    client, signature
) -> None:
    debtor, _ = make_debtor()
    number = debtor.phones.first().e164
    response = _post_twilio(
        client, "twilio_inbound_sms", {"From": number, "Body": "STOP"}, signature=signature
    )
    assert response.status_code == 403
    event = InboundEvent.objects.get()
    assert (event.accepted, event.rejection_reason) == (False, "bad or missing X-Twilio-Signature")
    assert not Hold.objects.exists()
    assert not Interaction.objects.exists()


def test_a_malformed_but_signed_payload_is_refused_without_a_crash(client) -> None:
    response = _post_twilio(client, "twilio_inbound_sms", {"Text": "STOP"})
    assert response.status_code == 400
    assert InboundEvent.objects.get().accepted is False


def test_unsubscribe_link_confirms_then_stops_email(client, lawful_time) -> None:
    debtor, account = make_debtor()
    address = debtor.emails.first().address
    queued = _queue(debtor, account, "email", address)
    url = reverse(
        "contact:unsubscribe", args=[unsubscribe_token(debtor_id=debtor.pk, address=address)]
    )

    page = client.get(url)
    assert page.status_code == 200 and address.encode() in page.content
    queued.refresh_from_db()
    assert queued.status == "pending"  # a link scanner's GET changes nothing

    done = client.post(url)
    assert done.status_code == 200 and b"unsubscribed" in done.content
    queued.refresh_from_db()
    assert queued.status == "cancelled"
    assert Hold.objects.filter(debtor=debtor, contact_point=address, channels=["email"]).exists()


def test_a_tampered_unsubscribe_link_is_refused(client) -> None:
    debtor, _ = make_debtor()
    token = unsubscribe_token(debtor_id=debtor.pk, address="x@example.com")
    response = client.post(reverse("contact:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert not Hold.objects.exists()
    assert InboundEvent.objects.get().accepted is False


def _sent_email(debtor, account) -> Interaction:
    message = _queue(debtor, account, "email", debtor.emails.first().address)
    outbox_dispatch(worker="w", senders={"email": FakeChannelSender(channel="email")})
    message.refresh_from_db()
    assert message.interaction is not None
    return message.interaction


def _post_email_events(client, events, *, secret: str = SECRET):
    body = json.dumps(events).encode() if not isinstance(events, bytes) else events
    return client.post(
        reverse("contact:email_events"),
        body,
        content_type="application/json",
        HTTP_X_SOLVENT_SIGNATURE=body_signature(secret=secret, body=body),
    )


def test_a_bounce_marks_the_address_invalid_and_the_interaction_bounced(
    client, lawful_time
) -> None:
    debtor, account = make_debtor()
    interaction = _sent_email(debtor, account)
    response = _post_email_events(
        client,
        [
            {
                "type": "bounce",
                "message_id": interaction.provider_message_id,
                "detail": "550 user unknown",
            }
        ],
    )
    assert response.status_code == 200 and response.json() == {"events": 1, "updated": 1}
    interaction.refresh_from_db()
    assert interaction.delivery_status == "bounced"
    assert debtor.emails.first().status == ContactStatus.INVALID


def test_email_events_with_a_bad_signature_are_rejected(client, lawful_time) -> None:
    debtor, account = make_debtor()
    interaction = _sent_email(debtor, account)
    response = _post_email_events(
        client, [{"type": "bounce", "message_id": interaction.provider_message_id}], secret="wrong"
    )
    assert response.status_code == 403
    interaction.refresh_from_db()
    assert interaction.delivery_status == "sent"
    assert InboundEvent.objects.get().rejection_reason == "bad or missing X-Solvent-Signature"


@pytest.mark.parametrize(
    "body", [b"not json", b'{"type": "bounce"}', b'[{"type": "exploded", "message_id": "x"}]']
)
def test_malformed_email_events_are_refused(client, body) -> None:
    response = _post_email_events(client, body)
    assert response.status_code == 400
    assert InboundEvent.objects.get().accepted is False


def test_a_delivery_receipt_updates_the_history(client, lawful_time) -> None:
    debtor, account = make_debtor()
    message = _queue(debtor, account, "sms", debtor.phones.first().e164)
    outbox_dispatch(worker="w", senders={"sms": FakeChannelSender(channel="sms")})
    message.refresh_from_db()
    response = _post_twilio(
        client,
        "twilio_status",
        {"MessageSid": message.provider_message_id, "MessageStatus": "delivered"},
    )
    assert response.status_code == 204
    message.interaction.refresh_from_db()
    assert message.interaction.delivery_status == "delivered"
