"""Webhooks replayed by a provider act once; rejected unsigned calls leave a bounded, redacted trace."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from solvent.audit.models import AuditEntry
from solvent.compliance.models import Hold
from solvent.contact.models import InboundEvent, Interaction
from solvent.contact.signatures import body_signature, twilio_signature
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


def test_the_same_signed_stop_replayed_four_times_makes_one_revocation_and_one_hold(
    client, lawful_time
) -> None:
    debtor, _ = make_debtor()
    number = debtor.phones.first().e164
    stop = {"From": number, "To": "+18005550100", "Body": "STOP", "MessageSid": "SM-replayed"}

    responses = [_post_twilio(client, "twilio_inbound_sms", stop) for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    assert Hold.objects.filter(debtor=debtor).count() == 1
    assert AuditEntry.objects.filter(action="compliance.consent_revoked").count() == 1
    assert Interaction.objects.filter(debtor=debtor).count() == 1
    assert InboundEvent.objects.filter(accepted=True).count() == 1


def test_two_different_stops_from_one_number_are_two_messages(client, lawful_time) -> None:
    debtor, _ = make_debtor()
    number = debtor.phones.first().e164
    for sid in ("SM-1", "SM-2"):
        _post_twilio(
            client, "twilio_inbound_sms", {"From": number, "Body": "STOP", "MessageSid": sid}
        )
    assert Interaction.objects.filter(debtor=debtor).count() == 2


def test_a_replayed_email_event_list_is_recorded_once(client) -> None:
    body = json.dumps([{"message_id": "m-1", "type": "delivered"}]).encode()
    signature = body_signature(secret=SECRET, body=body)
    url = reverse("contact:email_events")
    first = client.post(
        url, body, content_type="application/json", HTTP_X_SOLVENT_SIGNATURE=signature
    )
    second = client.post(
        url, body, content_type="application/json", HTTP_X_SOLVENT_SIGNATURE=signature
    )
    assert first.status_code == second.status_code == 200
    assert InboundEvent.objects.filter(accepted=True).count() == 1


def test_a_rejected_unsigned_text_keeps_no_message_text_and_no_number(client) -> None:
    secret_text = "my card is 4111 1111 1111 1111 STOP"
    params = {"From": "+15185550199", "Body": secret_text, "Filler": "x" * 50_000}
    response = _post_twilio(client, "twilio_inbound_sms", params, signature="forged")
    assert response.status_code == 403
    event = InboundEvent.objects.get()
    stored = json.dumps(event.payload)
    assert "4111" not in stored and "5185550199" not in stored
    assert len(stored) < 1_000
    assert event.payload["fields"] == ["Body", "Filler", "From"]


def test_a_rejected_unsigned_email_event_keeps_no_body(client) -> None:
    body = json.dumps([{"message_id": "m-1", "type": "bounce", "detail": "maria@example.com"}])
    response = client.post(
        reverse("contact:email_events"),
        body + " " * 100_000,
        content_type="application/json",
        HTTP_X_SOLVENT_SIGNATURE="forged",
    )
    assert response.status_code == 403
    stored = json.dumps(InboundEvent.objects.get().payload)
    assert "maria@example.com" not in stored and len(stored) < 1_000


def test_a_bad_unsubscribe_token_is_not_stored(client) -> None:
    token = "bWFyaWFAZXhhbXBsZS5jb20.forged-signature"
    response = client.get(reverse("contact:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert token[:20] not in json.dumps(InboundEvent.objects.get().payload)


def test_a_signed_event_with_an_empty_message_id_touches_no_interaction(client) -> None:
    debtor, _ = make_debtor()
    address = debtor.emails.first().address
    Interaction.objects.create(
        debtor=debtor,
        channel="email",
        direction="inbound",
        contact_point=address,
        occurred_at="2026-11-02T15:00:00Z",
        disposition="opt_out",
        summary="unsubscribed by link",
    )
    body = json.dumps([{"message_id": "", "type": "bounce"}]).encode()
    response = client.post(
        reverse("contact:email_events"),
        body,
        content_type="application/json",
        HTTP_X_SOLVENT_SIGNATURE=body_signature(secret=SECRET, body=body),
    )
    assert response.status_code == 200
    assert response.json()["updated"] == 0
    assert debtor.emails.get().status != "invalid"
    assert Interaction.objects.get().delivery_status == ""


def test_nul_bytes_in_a_forged_call_are_a_403_not_a_500(client) -> None:
    params = {"From\x00": "+1518\x00", "Body": "STOP\x00"}
    response = _post_twilio(client, "twilio_inbound_sms", params, signature="forged")
    assert response.status_code == 403
    assert "\x00" not in json.dumps(InboundEvent.objects.get().payload)


def test_a_nul_byte_in_a_signed_text_is_recorded_without_it(client, lawful_time) -> None:
    debtor, _ = make_debtor()
    number = debtor.phones.first().e164
    params = {"From": number, "Body": "STOP\x00", "MessageSid": "SM-nul"}
    response = _post_twilio(client, "twilio_inbound_sms", params)
    assert response.status_code == 200
    assert Interaction.objects.get().summary == "STOP\ufffd"
    assert Hold.objects.filter(debtor=debtor).count() == 1


def test_a_nul_escape_in_a_signed_email_event_is_not_a_500(client) -> None:
    body = b'[{"message_id": "m\\u0000-1", "type": "delivered", "detail": "\\u0000"}]'
    response = client.post(
        reverse("contact:email_events"),
        body,
        content_type="application/json",
        HTTP_X_SOLVENT_SIGNATURE=body_signature(secret=SECRET, body=body),
    )
    assert response.status_code == 200
    assert "\x00" not in json.dumps(InboundEvent.objects.get().payload)
