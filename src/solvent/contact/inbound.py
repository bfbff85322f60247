"""Inbound: texts people send back, unsubscribe clicks, bounces and delivery receipts.

An opt-out takes effect at once: the consent is revoked in the compliance app (which the outbox
gate consults before every send) and the messages already queued for that contact point are
cancelled in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from solvent.audit.services import audit_record, audit_system
from solvent.contact.domain.inbound import InboundIntent, classify_inbound_text
from solvent.contact.domain.model import (
    Channel,
    DeliveryStatus,
    Direction,
    Disposition,
    MessageStatus,
)
from solvent.contact.models import InboundEvent, InboundMessageKey, Interaction, OutboxMessage
from solvent.core import clock
from solvent.portfolio.models import ContactStatus, Email, Phone

logger = logging.getLogger(__name__)

_LEDGER_OUTCOME_FOR_DELIVERY = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.BOUNCED: "bounced",
    DeliveryStatus.FAILED: "failed",
}


def inbound_event_log(
    *,
    kind: str,
    provider: str,
    payload: dict[str, Any],
    accepted: bool,
    reason: str = "",
    remote_addr: str = "",
) -> InboundEvent:
    if not accepted:
        logger.warning("rejected %s webhook from %s: %s", kind, provider or remote_addr, reason)
    return InboundEvent.objects.create(
        kind=kind,
        provider=provider,
        payload=payload,
        accepted=accepted,
        rejection_reason=reason[:255],
        remote_addr=remote_addr[:64],
    )


def without_nul(value: Any) -> Any:
    """A webhook payload with every NUL character replaced by U+FFFD, in keys and values alike.

    PostgreSQL stores no NUL in text or jsonb: left in, one forged byte made a webhook a 500. The
    signature is checked on what was received, before this.
    """
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value


def rejected_payload_summary(*, body: bytes, fields: Iterable[str] = ()) -> dict[str, Any]:
    """What is kept of a call we refused as unsigned: its shape, never its content.

    Anyone can post to a webhook: storing what they send in full would let an outsider fill the
    table, and a forged call may carry someone's number and words. The size and a SHA-256 of the
    body let an operator match a complaint to the call; the field names show what was attempted.
    """
    names = sorted({without_nul(name[:40]) for name in fields})[:50]
    summary: dict[str, Any] = {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    if names:
        summary["fields"] = names
    return summary


def inbound_event_accept(
    *, kind: str, provider: str, payload: dict[str, Any], message_keys: Iterable[str]
) -> tuple[InboundEvent | None, frozenset[str]]:
    """Log a signed event and claim its provider message keys; (None, empty) for a replay.

    Returns the event and the keys seen for the first time: the caller acts only on those. Call it
    inside the transaction that acts on the event, so that a crash undoes the claim too and the
    provider's retry is acted on. An event without keys cannot be recognised again and is accepted.
    """
    keys = [key[:255] for key in dict.fromkeys(message_keys) if key]
    seen = set(
        InboundMessageKey.objects.filter(provider=provider, key__in=keys).values_list(
            "key", flat=True
        )
    )
    new = [key for key in keys if key not in seen]
    if keys and not new:
        _duplicate_log(kind=kind, provider=provider, keys=keys)
        return None, frozenset()
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                kind=kind, provider=provider, payload=payload, accepted=True
            )
            InboundMessageKey.objects.bulk_create(
                InboundMessageKey(provider=provider, key=key, event=event) for key in new
            )
    except IntegrityError:  # the same message, delivered twice at once: the other one won
        _duplicate_log(kind=kind, provider=provider, keys=keys)
        return None, frozenset()
    return event, frozenset(new)


def _duplicate_log(*, kind: str, provider: str, keys: list[str]) -> None:
    logger.info("%s webhook from %s delivered again: %s", kind, provider, keys[:5])
    InboundEvent.objects.create(
        kind=kind,
        provider=provider,
        payload={"duplicate_of": keys[:20]},
        accepted=False,
        rejection_reason="delivered again: already handled (same provider message id)",
    )


def _cancel_queued(*, channel: str, contact_point: str, reason: str) -> int:
    return OutboxMessage.objects.filter(
        channel=channel, contact_point__iexact=contact_point, status=MessageStatus.PENDING
    ).update(status=MessageStatus.CANCELLED, status_reason=reason[:255])


@audit_system("inbound text message (SMS provider webhook)")
def inbound_sms_receive(
    *, from_number: str, to_number: str, text: str, provider_message_id: str = ""
) -> InboundIntent:
    """Record an inbound text on every debtor who has that number, and honour STOP at once."""
    from solvent.compliance.services import consent_revoke

    intent = classify_inbound_text(text)
    disposition = {
        InboundIntent.STOP: Disposition.OPT_OUT,
        InboundIntent.HELP: Disposition.HELP_REQUEST,
    }.get(intent, Disposition.MESSAGE_RECEIVED)
    now = clock.now()
    with transaction.atomic():
        debtor_ids = list(
            Phone.objects.filter(e164=from_number).values_list("debtor_id", flat=True)
        )
        for debtor_id in debtor_ids:
            Interaction.objects.create(
                debtor_id=debtor_id,
                channel=Channel.SMS,
                direction=Direction.INBOUND,
                contact_point=from_number,
                occurred_at=now,
                disposition=disposition,
                summary=text[:255],
                provider_message_id=provider_message_id,
            )
            if intent == InboundIntent.STOP:
                consent_revoke(
                    debtor_id=debtor_id,
                    channel="sms",
                    contact_point=from_number,
                    source="sms_stop",
                    at=now,
                    evidence=text[:500],
                )
        if intent == InboundIntent.STOP:
            _cancel_queued(
                channel="sms", contact_point=from_number, reason="opted out by text (STOP)"
            )
        audit_record(
            action="contact.inbound_sms",
            system="inbound text message (provider webhook)",
            object_type="portfolio.Phone",
            object_id=from_number,
            data={"intent": intent.value, "debtors": debtor_ids, "to": to_number},
        )
    if not debtor_ids:
        logger.info("inbound text from unknown number %s", from_number)
    return intent


@audit_system("unsubscribe link followed by the debtor")
def email_unsubscribe(*, debtor_id: int, address: str) -> None:
    """A click on a signed unsubscribe link: no more e-mail to that address (Reg F 1006.6(e))."""
    from solvent.compliance.services import consent_revoke

    now = clock.now()
    with transaction.atomic():
        consent_revoke(
            debtor_id=debtor_id,
            channel="email",
            contact_point=address,
            source="unsubscribe_link",
            at=now,
        )
        Interaction.objects.create(
            debtor_id=debtor_id,
            channel=Channel.EMAIL,
            direction=Direction.INBOUND,
            contact_point=address,
            occurred_at=now,
            disposition=Disposition.OPT_OUT,
            summary="unsubscribed by link",
        )
        _cancel_queued(channel="email", contact_point=address, reason="unsubscribed by link")
        audit_record(
            action="contact.unsubscribe",
            system="unsubscribe link followed by the debtor",
            object_type="portfolio.Debtor",
            object_id=debtor_id,
            data={"address": address},
        )


@audit_system("delivery status report (provider webhook)")
def delivery_status_record(
    *, provider_message_id: str, status: DeliveryStatus, detail: str = ""
) -> int:
    """A delivery receipt or a bounce: update the interaction and the compliance ledger.

    A bounce also marks the e-mail address invalid so nothing is planned to it again. Returns the
    number of interactions updated (0 for a receipt about a message we do not know).
    """
    from solvent.compliance.services import contact_attempt_record_outcome

    if not provider_message_id.strip():
        # An empty id would match every interaction that never had one (inbound texts, unsubscribe
        # clicks) and mark their addresses invalid: a receipt must name its message.
        return 0
    now = clock.now()
    with transaction.atomic():
        interactions = list(
            Interaction.objects.select_for_update().filter(provider_message_id=provider_message_id)
        )
        for interaction in interactions:
            interaction.delivery_status = status
            interaction.delivery_updated_at = now
            interaction.save(update_fields=["delivery_status", "delivery_updated_at"])
            outcome = _LEDGER_OUTCOME_FOR_DELIVERY.get(status)
            if interaction.compliance_attempt_id is not None and outcome is not None:
                contact_attempt_record_outcome(
                    attempt_id=interaction.compliance_attempt_id, outcome=outcome, at=now
                )
            if status == DeliveryStatus.BOUNCED and interaction.channel == Channel.EMAIL:
                # The portfolio has no service for contact-point status yet; this is its one writer.
                Email.objects.filter(
                    debtor_id=interaction.debtor_id, address__iexact=interaction.contact_point
                ).update(status=ContactStatus.INVALID)
                _cancel_queued(
                    channel="email",
                    contact_point=interaction.contact_point,
                    reason=f"address bounced: {detail}"[:255],
                )
        if interactions:
            audit_record(
                action="contact.delivery_status",
                system="delivery status report (provider webhook)",
                object_type="contact.Interaction",
                object_id=interactions[0].pk,
                data={
                    "status": status.value,
                    "provider_message_id": provider_message_id,
                    "detail": detail[:200],
                },
            )
    return len(interactions)
