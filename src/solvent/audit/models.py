"""The append-only audit log. Each entry carries the keyed hash of the one before it, so a deleted or
edited entry breaks the chain, and the head says where the chain ends, so deleting the last entries is
found too (`solvent audit verify`). The database refuses UPDATE and DELETE on entries (migration 0002)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # 0: written before the chain was keyed (plain SHA-256); 1: HMAC-SHA256 with the audit key;
    # 2: HMAC-SHA256 with the key named by key_id, which (with `system`) the hash covers.
    key_version = models.PositiveSmallIntegerField(default=0)
    # Nullable, like `system`, so that adding them (0003) did not rebuild the table on SQLite, which
    # would have dropped the append-only triggers. Null on entries written before 0003.
    key_id = models.CharField(max_length=8, null=True, blank=True)
    # Why no person is the actor ("inbound SMS webhook", "outbox worker"); empty when one is.
    system = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """One row; locked while appending so two writers cannot both extend the same hash.

    It also says where the chain ends (the last entry's id and hash), sealed with the audit key, so
    deleting the newest entries cannot be hidden by moving the head back without the key."""

    last_hash = models.CharField(max_length=64)
    last_entry_id = models.BigIntegerField(null=True, blank=True)
    # HMAC of (last_entry_id, last_hash[, key_id]); empty until the first keyed append after 0002.
    seal = models.CharField(max_length=64, blank=True, default="")
    # The key appends use now, which sealed the head: a rotation moves it (null before 0003).
    key_id = models.CharField(max_length=8, null=True, blank=True)

    def __str__(self) -> str:
        return self.last_hash
