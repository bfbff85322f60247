"""Back office for compliance records: read-only, because every change must go through a service.

Services write the audit entry, lock the ledger and keep the who/when/why columns; editing a row in
the admin would bypass all three. Compliance officers read and search here; they act through the
desk and the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from solvent.compliance.models import (
    Consent,
    ContactAttempt,
    DebtNotice,
    DecisionLog,
    Hold,
    HoldReleaseRequest,
    TimePreference,
)
from solvent.core.admin_audit import ReadOnlyAdmin


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = (
        "debtor",
        "channel",
        "contact_point",
        "scope",
        "source",
        "given_at",
        "revoked_at",
    )
    list_filter = ("channel", "scope")
    search_fields = ("contact_point", "debtor__last_name")
    raw_id_fields = ("debtor",)


class HoldReleaseRequestInline(admin.TabularInline):  # type: ignore[type-arg]
    """Who asked to lift the hold, who answered, when: shown, never edited here."""

    model = HoldReleaseRequest
    extra = 0
    can_delete = False
    fields = ("status", "reason", "requested_by", "requested_at", "decided_by", "decided_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# A hold is never released (nor un-released) by editing released_at here: a release is a compliance
# officer's decision, and for attorney, bankruptcy and deceased holds a second officer's approval,
# taken through compliance.services.holds, which checks the rights and writes the audit entry.
@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("debtor", "kind", "source", "placed_at", "released_at", "released_by")
    # released_by is nullable: the changelist's default select_related would not join it.
    list_select_related = ("debtor", "released_by")
    list_filter = ("kind",)
    search_fields = ("debtor__last_name", "source", "contact_point")
    raw_id_fields = ("debtor",)
    inlines = (HoldReleaseRequestInline,)


@admin.register(HoldReleaseRequest)
class HoldReleaseRequestAdmin(ReadOnlyAdmin):
    list_display = ("hold", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_select_related = ("hold", "requested_by", "decided_by")
    list_filter = ("status",)
    raw_id_fields = ("hold",)


@admin.register(TimePreference)
class TimePreferenceAdmin(ReadOnlyAdmin):
    list_display = ("debtor", "kind", "days", "start", "end", "stated_at", "withdrawn_at")
    list_filter = ("kind",)
    raw_id_fields = ("debtor",)


@admin.register(DecisionLog)
class DecisionLogAdmin(ReadOnlyAdmin):
    list_display = ("decided_at", "debtor", "channel", "contact_point", "allowed", "asked_by")
    list_filter = ("allowed", "channel")
    search_fields = ("contact_point", "debtor__last_name")
    date_hierarchy = "decided_at"
    raw_id_fields = ("debtor",)


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "debtor", "channel", "contact_point", "status", "outcome", "autodialled")
    list_filter = ("status", "channel", "outcome")
    search_fields = ("contact_point", "debtor__last_name")
    date_hierarchy = "at"
    raw_id_fields = ("debtor",)


@admin.register(DebtNotice)
class DebtNoticeAdmin(ReadOnlyAdmin):
    list_display = ("account", "kind", "sent_on", "source", "recorded_at")
    list_filter = ("kind",)
    raw_id_fields = ("account",)
