"""Records of the debtor's page: the links we sent, the checks tried on them, the sessions they
opened, what the debtor uploaded, and the chat with an agent."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from solvent.core.fields import EncryptedTextField
from solvent.portfolio.models import Account, Debtor


class PortalLink(models.Model):
    """A link to the debtor's page, sent in one message. Only the token's hash is stored; the link
    opens a session once, after the debtor passes the check, and expires after a few days."""

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="portal_links")
    # The debt the message was about: the page opens on it (the debtor sees all their debts with
    # the clients that sent messages about them).
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    # What the message was (e.g. "outbox:123"), for the audit trail.
    source = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["debtor", "created_at"], name="portal_link_debtor")]

    def __str__(self) -> str:
        return f"portal link for debtor {self.debtor_id} (expires {self.expires_at:%Y-%m-%d})"


class PortalCheckFailure(models.Model):
    """A wrong answer to the check, kept to limit guessing by link and by network address."""

    link = models.ForeignKey(
        PortalLink, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A keyed hash of the client address (no raw addresses kept).
    address_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"failed check at {self.at:%Y-%m-%d %H:%M}"


class PortalDocument(models.Model):
    """A file the debtor uploaded with a dispute (a statement, a receipt, a letter)."""

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="portal_documents")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="portal/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()
    # The dispute hold it supports.
    hold = models.ForeignKey(
        "compliance.Hold", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"document {self.original_name} from debtor {self.debtor_id}"


class ChatConversation(models.Model):
    """The debtor's chat with the agency from their page; agents answer it from the desk."""

    class Status(models.TextChoices):
        WAITING = "waiting"  # the debtor wrote; nobody has answered yet
        OPEN = "open"
        CLOSED = "closed"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="chats")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="chats")
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=2, default="en")
    started_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "last_message_at"], name="chat_waiting")]

    def __str__(self) -> str:
        return f"chat {self.pk} with debtor {self.debtor_id} ({self.status})"


class ChatMessage(models.Model):
    class Sender(models.TextChoices):
        DEBTOR = "debtor"
        AGENT = "agent"
        SYSTEM = "system"  # "an agent will be with you", the gate's refusal explained

    conversation = models.ForeignKey(
        ChatConversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(max_length=6, choices=Sender.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the debtor wrote is personal data: encrypted at rest like the rest of it.
    body = EncryptedTextField()
    sent_at = models.DateTimeField()
    # The contact history row (inbound for the debtor's, outbound for an agent's).
    interaction = models.ForeignKey(
        "contact.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The gate's decision for an agent's message.
    decision_log_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["conversation", "id"], name="chat_message_order")]

    def __str__(self) -> str:
        return f"{self.sender} message in chat {self.conversation_id}"
