"""The desk's own records: the work queue's entries and the callbacks agents promise debtors.

The queue's order (docs/adr/0025-work-queue-and-callbacks.md) reads only ``QueueEntry``: one row
per account with what the order needs (when it was last touched, its balance) and the short claim
of the agent who opened it, indexed so that the next account is found without sorting them all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F

from solvent.desk.queue_rules import NEVER_TOUCHED


class QueueEntry(models.Model):
    """One account's place in the work queue, kept by ``queue_refresh`` and by each claim."""

    account = models.OneToOneField(
        "portfolio.Account", on_delete=models.CASCADE, primary_key=True, related_name="queue_entry"
    )
    # Copied from the account so the tenant filter needs no join.
    client = models.ForeignKey("portfolio.Client", on_delete=models.CASCADE, related_name="+")
    balance = models.DecimalField(max_digits=14, decimal_places=2)
    # The last contact attempt about the account, or the last time an agent opened it from the
    # queue; NEVER_TOUCHED (the epoch, not NULL: one plain index on every database) comes first.
    last_touched_at = models.DateTimeField(default=NEVER_TOUCHED)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "queue entries"
        indexes = [
            # The queue's order: never touched first, then the longest untouched, then the highest
            # balance; PostgreSQL walks it in order and stops at the first workable row.
            models.Index(
                F("last_touched_at").asc(),
                F("balance").desc(),
                F("account_id").asc(),
                name="queue_entry_order",
            ),
            # The same order within one client: an agent serving one client walks it from the
            # first row (on the order index above, the other clients' rows were read and dropped:
            # 15 ms at 200,000 accounts, 0.4 ms on this one).
            models.Index(
                F("client_id").asc(),
                F("last_touched_at").asc(),
                F("balance").desc(),
                F("account_id").asc(),
                name="queue_entry_client_order",
            ),
        ]

    def __str__(self) -> str:
        return f"queue entry of account {self.account_id}"

    @property
    def ever_touched(self) -> bool:
        return self.last_touched_at > NEVER_TOUCHED


class QueueRefresh(models.Model):
    """The one row saying how far ``queue_refresh`` has read (accounts and ledger rows by id)."""

    last_account_id = models.BigIntegerField(default=0)
    last_attempt_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"queue refreshed at {self.refreshed_at}"


class Callback(models.Model):
    """A call promised to a debtor at a time they chose (stored in UTC; shown in their local time)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        CANCELLED = "cancelled"

    account = models.ForeignKey(
        "portfolio.Account", on_delete=models.CASCADE, related_name="callbacks"
    )
    debtor = models.ForeignKey("portfolio.Debtor", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=20)
    due_at = models.DateTimeField()
    # The debtor's zone the time was agreed in (the first the engine gives for the number): shown in it.
    time_zone = models.CharField(max_length=64, default="UTC")
    # None: anyone on the team may make the call.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"], name="callback_due")]

    def __str__(self) -> str:
        return f"callback on account {self.account_id} at {self.due_at:%Y-%m-%d %H:%M} UTC"
