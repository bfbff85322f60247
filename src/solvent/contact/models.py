"""Contact history, message templates and the transactional outbox.

Compliance rows (the ContactAttempt ledger and the DecisionLog) are referred to by id, not by foreign
key: the compliance app owns them and the contract between the two apps speaks in ids.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from solvent.contact.domain.model import (
    Channel,
    DeliveryStatus,
    Direction,
    Disposition,
    MessageStatus,
)


def _choices(
    kind: type[Channel | Direction | Disposition | DeliveryStatus | MessageStatus],
) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in kind]


class Interaction(models.Model):
    """One attempt or contact, on any channel, in either direction: the contact history."""

    debtor = models.ForeignKey(
        "portfolio.Debtor", on_delete=models.PROTECT, related_name="interactions"
    )
    channel = models.CharField(max_length=10, choices=_choices(Channel))
    direction = models.CharField(max_length=8, choices=_choices(Direction))
    contact_point = models.CharField(max_length=254, blank=True)
    # The debts the interaction concerned (Account ids); a contact is about a debtor's debts.
    account_ids = models.JSONField(default=list, blank=True)
    occurred_at = models.DateTimeField()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disposition = models.CharField(max_length=24, choices=_choices(Disposition), blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    recording_ref = models.CharField(max_length=255, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    message_id = models.CharField(max_length=100, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True, db_index=True)
    delivery_status = models.CharField(max_length=10, choices=_choices(DeliveryStatus), blank=True)
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    compliance_attempt_id = models.BigIntegerField(null=True, blank=True)
    decision_log_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["debtor", "-occurred_at", "-id"], name="interaction_timeline")
        ]

    def __str__(self) -> str:
        return (
            f"{self.channel} {self.direction} {self.occurred_at:%Y-%m-%d %H:%M} {self.disposition}"
        )

    @property
    def agent_or_system(self) -> str:
        return self.agent.get_username() if self.agent else "system"


class MessageTemplate(models.Model):
    """A message per channel and language; its words live in numbered versions."""

    code = models.SlugField(max_length=60)
    channel = models.CharField(max_length=10, choices=_choices(Channel))
    language = models.CharField(max_length=2, default="en")
    name = models.CharField(max_length=200)
    limited_content = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "language"], name="template_code_channel_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.channel}, {self.language})"


class TemplateVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        ACTIVE = "active"
        RETIRED = "retired"

    template = models.ForeignKey(MessageTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_number"),
            models.UniqueConstraint(
                fields=["template"],
                condition=models.Q(status="active"),
                name="template_one_active_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.code} v{self.number} ({self.status})"


class OutboxMessage(models.Model):
    """A message waiting to be sent, written in the same transaction as the decision behind it."""

    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=_choices(Channel))
    debtor = models.ForeignKey("portfolio.Debtor", on_delete=models.PROTECT, related_name="+")
    contact_point = models.CharField(max_length=254)
    account_ids = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=2, default="en")
    template_version = models.ForeignKey(
        TemplateVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    # How a letter is drawn: "" = plain text, "validation_notice" = Model Form B-1 from JSON facts.
    layout = models.CharField(max_length=30, blank=True)
    # What caused the message (a plan item, an agent's click, a validation notice run).
    cause = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=_choices(MessageStatus), default=MessageStatus.PENDING
    )
    status_reason = models.CharField(max_length=255, blank=True)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=64, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    compliance_attempt_id = models.BigIntegerField(null=True, blank=True)
    decision_log_id = models.BigIntegerField(null=True, blank=True)
    interaction = models.OneToOneField(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_message"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.contact_point} ({self.status})"

    @property
    def message_id(self) -> str:
        """The RFC 5322 Message-ID every send of this message carries: duplicates share it."""
        return f"<{self.idempotency_key}@outbox.solvent>"


class InboundEvent(models.Model):
    """Every webhook call and inbound message as received, including the rejected ones."""

    class Kind(models.TextChoices):
        SMS = "sms"
        DELIVERY_RECEIPT = "delivery_receipt"
        EMAIL_BOUNCE = "email_bounce"
        UNSUBSCRIBE = "unsubscribe"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    provider = models.CharField(max_length=30, blank=True)
    payload = models.JSONField(default=dict)
    accepted = models.BooleanField(default=True)
    rejection_reason = models.CharField(max_length=255, blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} from {self.provider} ({'accepted' if self.accepted else 'rejected'})"


class InboundMessageKey(models.Model):
    """A provider's message id, held once: a webhook delivered again (a retry, a replay) acts once.

    The key is the provider's id for what happened (a text's MessageSid, a receipt's MessageSid and
    status, an e-mail event's message id and type); the unique constraint, not a lookup, settles two
    deliveries that race.
    """

    provider = models.CharField(max_length=30)
    key = models.CharField(max_length=255)
    event = models.ForeignKey(InboundEvent, on_delete=models.PROTECT, related_name="message_keys")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "key"], name="contact_inbound_message_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} message {self.key}"


class LetterBatch(models.Model):
    """A file of letters handed to the print-and-mail vendor."""

    created_at = models.DateTimeField(auto_now_add=True)
    path = models.CharField(max_length=500)
    letters = models.PositiveIntegerField(default=0)
    checksum = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = "letter batches"

    def __str__(self) -> str:
        return f"letter batch {self.pk} ({self.letters} letters)"
