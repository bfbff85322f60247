"""The audit log in the back office: read, searched, never added to, changed or deleted."""

from django.contrib import admin

from solvent.audit.models import AuditEntry
from solvent.core.admin_audit import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "object_type", "object_id", "actor")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "action")
