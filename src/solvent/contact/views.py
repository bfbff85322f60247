"""Provider webhooks and the unsubscribe page. Thin: verify, parse, call one service.

Every webhook call is logged as an InboundEvent; one with a bad or missing signature is rejected
with 403 before its payload is read for anything else, and only its shape is kept (size, hash,
field names). A signed event the provider delivers again (same message id) is answered as before
but acted on once (docs/adr/0018-personal-data-and-bad-input.md).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from solvent.contact.domain.inbound import InboundIntent
from solvent.contact.domain.model import DeliveryStatus
from solvent.contact.inbound import (
    delivery_status_record,
    email_unsubscribe,
    inbound_event_accept,
    inbound_event_log,
    inbound_sms_receive,
    rejected_payload_summary,
    without_nul,
)
from solvent.contact.signatures import body_signature_valid, twilio_signature_valid
from solvent.contact.unsubscribe import unsubscribe_token_read

_TWILIO_STATUS = {
    "delivered": DeliveryStatus.DELIVERED,
    "sent": DeliveryStatus.SENT,
    "failed": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.FAILED,
}
_EMAIL_EVENT = {
    "delivered": DeliveryStatus.DELIVERED,
    "bounce": DeliveryStatus.BOUNCED,
    "bounced": DeliveryStatus.BOUNCED,
    "failed": DeliveryStatus.FAILED,
}


def _remote(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _twilio_verified(request: HttpRequest, kind: str) -> dict[str, str] | HttpResponse:
    params = {key: request.POST.get(key, "") for key in request.POST}
    valid = twilio_signature_valid(
        auth_token=settings.TWILIO_AUTH_TOKEN,
        url=request.build_absolute_uri(),
        params=params,
        signature=request.headers.get("X-Twilio-Signature", ""),
    )
    if not valid:
        inbound_event_log(
            kind=kind,
            provider="twilio",
            payload=rejected_payload_summary(
                body=urlencode(sorted(params.items())).encode(), fields=params
            ),
            accepted=False,
            reason="bad or missing X-Twilio-Signature",
            remote_addr=_remote(request),
        )
        return HttpResponse("invalid signature", status=403)
    cleaned: dict[str, str] = without_nul(params)
    return cleaned


@csrf_exempt
@require_POST
def twilio_inbound_sms(request: HttpRequest) -> HttpResponse:
    params = _twilio_verified(request, "sms")
    if isinstance(params, HttpResponse):
        return params
    if not params.get("From") or "Body" not in params:
        inbound_event_log(
            kind="sms",
            provider="twilio",
            payload=params,
            accepted=False,
            reason="payload lacks From or Body",
            remote_addr=_remote(request),
        )
        return HttpResponse("malformed payload", status=400)
    sid = params.get("MessageSid", "")
    with transaction.atomic():
        event, _ = inbound_event_accept(
            kind="sms",
            provider="twilio",
            payload=params,
            message_keys=[f"sms:{sid}" if sid else ""],
        )
        if event is None:  # delivered again: already acted on, and already answered
            return _twiml("")
        intent = inbound_sms_receive(
            from_number=params["From"],
            to_number=params.get("To", ""),
            text=params["Body"],
            provider_message_id=sid,
        )
    reply = ""
    if intent == InboundIntent.HELP:
        text = (
            f"{settings.SOLVENT_AGENCY_NAME}: call {settings.SOLVENT_AGENCY_PHONE}. "
            "Reply STOP to opt out."
        )
        reply = f"<Message>{escape(text)}</Message>"
    return _twiml(reply)


def _twiml(reply: str) -> HttpResponse:
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{reply}</Response>',
        content_type="text/xml",
    )


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    params = _twilio_verified(request, "delivery_receipt")
    if isinstance(params, HttpResponse):
        return params
    status = _TWILIO_STATUS.get(params.get("MessageStatus", ""))
    if not params.get("MessageSid") or status is None:
        inbound_event_log(
            kind="delivery_receipt",
            provider="twilio",
            payload=params,
            accepted=False,
            reason="unknown MessageStatus or no MessageSid",
        )
        return HttpResponse("malformed payload", status=400)
    # Twilio reports sent, then delivered, for one MessageSid: the status is part of the key.
    key = f"status:{params['MessageSid']}:{params['MessageStatus']}"
    with transaction.atomic():
        event, _ = inbound_event_accept(
            kind="delivery_receipt", provider="twilio", payload=params, message_keys=[key]
        )
        if event is not None:
            delivery_status_record(
                provider_message_id=params["MessageSid"],
                status=status,
                detail=params.get("ErrorCode", ""),
            )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def email_events(request: HttpRequest) -> HttpResponse:
    """Bounces and receipts from the e-mail provider: a JSON list signed with HMAC-SHA256."""
    signature_ok = body_signature_valid(
        secret=getattr(settings, "SOLVENT_WEBHOOK_SECRET", ""),
        body=request.body,
        signature=request.headers.get("X-Solvent-Signature", ""),
    )
    if not signature_ok:
        inbound_event_log(
            kind="email_bounce",
            provider="email",
            payload=rejected_payload_summary(body=request.body),
            accepted=False,
            reason="bad or missing X-Solvent-Signature",
            remote_addr=_remote(request),
        )
        return HttpResponse("invalid signature", status=403)
    try:
        events: Any = without_nul(json.loads(request.body))
        if not isinstance(events, list):
            raise TypeError("expected a JSON list of events")
        parsed = [
            (str(e["message_id"]), _EMAIL_EVENT[e["type"]], str(e.get("detail", "")))
            for e in events
        ]
    except (ValueError, TypeError, KeyError) as exc:
        inbound_event_log(
            kind="email_bounce",
            provider="email",
            payload={"raw": request.body[:2000].decode(errors="replace")},
            accepted=False,
            reason=f"malformed payload: {exc}",
        )
        return HttpResponse("malformed payload", status=400)
    keyed = [
        (f"{message_id}:{status.value}" if message_id else "", message_id, status, detail)
        for message_id, status, detail in parsed
    ]
    with transaction.atomic():
        _, new = inbound_event_accept(
            kind="email_bounce",
            provider="email",
            payload={"events": events},
            message_keys=[key for key, *_ in keyed],
        )
        updated = sum(
            delivery_status_record(provider_message_id=message_id, status=status, detail=detail)
            for key, message_id, status, detail in keyed
            if key in new
        )
    return JsonResponse({"events": len(parsed), "updated": updated})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation; POST (the button, or a mail client's one-click RFC 8058) applies it."""
    target = unsubscribe_token_read(token)
    if target is None:
        inbound_event_log(
            kind="unsubscribe",
            provider="link",
            payload=rejected_payload_summary(body=token.encode()),
            accepted=False,
            reason="bad signature",
            remote_addr=_remote(request),
        )
        return render(request, "contact/unsubscribe.html", {"invalid": True}, status=400)
    debtor_id, address = target
    if request.method == "POST":
        inbound_event_log(
            kind="unsubscribe",
            provider="link",
            payload={"debtor_id": debtor_id, "address": address},
            accepted=True,
        )
        email_unsubscribe(debtor_id=debtor_id, address=address)
        return render(request, "contact/unsubscribe.html", {"done": True, "address": address})
    return render(request, "contact/unsubscribe.html", {"address": address})
