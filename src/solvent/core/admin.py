"""Back office for staff: users, groups, roles and API tokens; every edit is audited with its actor.

Django registers users and groups itself; they are registered again here with the audit mixin, so
creating a user, granting a permission or changing a password is in the audit chain too."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from solvent.core.admin_audit import AuditedAdmin
from solvent.core.models import ApiToken, StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ("user", "role")
    list_filter = ("role",)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix", "created_at", "last_used_at")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    pass


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass
