"""The two kinds of back-office page: read-only records, and edits written to the audit chain.

Every ModelAdmin registered in Solvent is one or the other (tests/security/test_back_office.py reads
`admin.site._registry` and fails on a model with neither):

- `ReadOnlyAdmin`: contact history, the outbox, inbound events, every compliance record and the audit
  log are evidence. Services write them, with their audit entry, locks and who/when/why columns; no
  one, superusers included, adds, changes or deletes them here.
- `AuditedAdmin`: reference data the back office owns (clients, teams, users, staff profiles,
  templates...). Each add, change and delete is appended to the audit chain in the same transaction,
  with the request's user as actor, the model and id, and the names of the fields changed: never
  their values, which may be personal data, and the chain cannot forget (docs/adr/0015).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from solvent.audit.services import audit_record

ACTION_ADDED = "admin.added"
ACTION_CHANGED = "admin.changed"
ACTION_DELETED = "admin.deleted"


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Listed and searched, never added, changed or deleted from the back office, by anyone."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def admin_change_summary(message: Any) -> list[dict[str, Any]]:
    """Django's change message, without the inline objects' text (`str(obj)`: a phone number, a
    name): which fields changed, which related rows were added, changed or deleted."""
    if not isinstance(message, list):
        return []
    summary: list[dict[str, Any]] = []
    for item in message:
        if not isinstance(item, dict):
            continue
        for kind, detail in item.items():
            if not isinstance(detail, dict):
                summary.append({kind: {}})
                continue
            kept = {key: detail[key] for key in ("name", "fields") if key in detail}
            summary.append({kind: kept})
    return summary


def _label(obj: models.Model) -> str:
    return obj._meta.label


def _record(request: HttpRequest, action: str, obj: models.Model, changes: Any = None) -> None:
    data: dict[str, Any] = {"via": "admin"}
    if changes is not None:
        data["changes"] = admin_change_summary(changes)
    audit_record(
        action=action,
        object_type=_label(obj),
        object_id=str(obj.pk),
        data=data,
        actor_id=request.user.pk,
    )


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A back-office page whose every add, change and delete is in the audit chain, with its actor.

    Adds and changes are recorded where Django logs them (inside the admin's transaction); deletes
    where they happen, in one transaction with the delete, so a refused delete leaves no entry."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        _record(request, ACTION_ADDED, obj, message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        _record(request, ACTION_CHANGED, obj, message)
        return entry

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            _record(request, ACTION_DELETED, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                _record(request, ACTION_DELETED, obj)
            super().delete_queryset(request, queryset)
