"""Back office for the contact app: history, outbox (with dead-letter requeue), templates, webhooks."""

from __future__ import annotations

from django.contrib import admin, messages
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


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin[Interaction]):
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
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
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

    @admin.action(description="Put back in the queue (dead or cancelled messages)")
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_requeue(
            message_ids=list(queryset.values_list("pk", flat=True)),
            reason=f"requeued by {request.user}",
        )
        self.message_user(request, f"{count} message(s) requeued", messages.SUCCESS)


class TemplateVersionInline(admin.TabularInline[TemplateVersion, MessageTemplate]):
    model = TemplateVersion
    # Read-only: versions are written and activated through the services, which run the checks.
    extra = 0
    max_num = 0
    can_delete = False
    readonly_fields = ("number", "subject", "body", "status", "activated_at")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin[MessageTemplate]):
    list_display = ("code", "channel", "language", "name", "limited_content")
    inlines = (TemplateVersionInline,)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin[InboundEvent]):
    list_display = ("received_at", "kind", "provider", "accepted", "rejection_reason")
    list_filter = ("kind", "accepted")


admin.site.register(LetterBatch)
