"""Back office for the contact app: history, outbox (with dead-letter requeue), templates, webhooks.

Contact history, the outbox, inbound events and letter batches are evidence of what was said to whom
and when: read-only here, for everyone (services write them). Templates are edited here, each edit
in the audit chain with its actor (core/admin_audit.py); their versions go through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from solvent.contact.models import (
    InboundEvent,
    Interaction,
    LetterBatch,
    MessageTemplate,
    OutboxMessage,
    TemplateVersion,
)
from solvent.contact.outbox import outbox_requeue
from solvent.core.admin_audit import AuditedAdmin, ReadOnlyAdmin


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "debtor",
        "channel",
        "direction",
        "disposition",
        "delivery_status",
    )
    list_filter = ("channel", "direction", "disposition", "delivery_status")
    raw_id_fields = ("debtor", "agent")
    date_hierarchy = "occurred_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "channel",
        "contact_point",
        "status",
        "failures",
        "next_attempt_at",
        "status_reason",
    )
    list_filter = ("status", "channel")
    raw_id_fields = ("debtor", "template_version", "interaction", "created_by")
    actions = ("requeue",)

    # The one write offered here: it goes through the outbox service, which audits it with the actor.
    @admin.action(
        description="Put back in the queue (dead or cancelled messages)", permissions=["requeue"]
    )
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        actor_id = request.user.pk
        if actor_id is None:  # the admin serves logged-in staff only; never requeue anonymously
            raise PermissionDenied
        count = outbox_requeue(
            message_ids=list(queryset.values_list("pk", flat=True)),
            reason=f"requeued by {request.user}",
            actor_id=actor_id,
        )
        self.message_user(request, f"{count} message(s) requeued", messages.SUCCESS)

    def has_requeue_permission(self, request: HttpRequest) -> bool:
        # The model's change permission (Django's, not this page's): the page itself edits nothing.
        return request.user.has_perm("contact.change_outboxmessage")


class TemplateVersionInline(admin.TabularInline[TemplateVersion, MessageTemplate]):
    model = TemplateVersion
    # Read-only: versions are written and activated through the services, which run the checks.
    extra = 0
    max_num = 0
    can_delete = False
    readonly_fields = ("number", "subject", "body", "status", "activated_at")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedAdmin):
    list_display = ("code", "channel", "language", "name", "limited_content")
    inlines = (TemplateVersionInline,)


@admin.register(InboundEvent)
class InboundEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "kind", "provider", "accepted", "rejection_reason")
    list_filter = ("kind", "accepted")


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "letters", "checksum")
