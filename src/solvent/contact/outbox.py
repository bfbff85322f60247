"""The outbox's writes: claim a batch of due messages, and settle each one (sent, held, failed).

A claim is a lease: the message moves to ``sending`` with ``lease_until``; a worker that dies leaves
the lease to expire and the next claim takes the message again. That is what makes delivery
at-least-once: a worker killed after the provider accepted a message and before
``outbox_mark_sent_many`` committed sends it again (one message, or the group of
SOLVENT_OUTBOX_COMMIT_EVERY), with the same Message-ID / idempotency key as the first time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q

from solvent.contact.domain.model import (
    DeliveryStatus,
    Direction,
    Disposition,
    MessageStatus,
    RetryPolicy,
)
from solvent.contact.models import Interaction, OutboxMessage
from solvent.core import clock


def outbox_claim_batch(
    *, worker: str, limit: int, lease: timedelta, now: datetime | None = None
) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this worker. Concurrent workers never get the same one."""
    now = now or clock.now()
    with transaction.atomic():
        due = (
            OutboxMessage.objects.filter(
                Q(status=MessageStatus.PENDING, next_attempt_at__lte=now)
                | Q(status=MessageStatus.SENDING, lease_until__lt=now)
            )
            .order_by("next_attempt_at", "id")
            .select_related("debtor")
        )
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: rows another worker is claiming are skipped, not waited for.
            due = due.select_for_update(skip_locked=True, of=("self",))
        # SQLite: the transaction takes the write lock at BEGIN (IMMEDIATE), so claims queue.
        messages = list(due[:limit])
        if messages:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                status=MessageStatus.SENDING, lease_until=now + lease, worker=worker
            )
    for message in messages:
        message.status = MessageStatus.SENDING
        message.worker = worker
    return messages


def _still_mine(message: OutboxMessage, worker: str) -> Q:
    return Q(pk=message.pk, worker=worker, status=MessageStatus.SENDING)


@dataclass(frozen=True)
class SentMessage:
    """A message the provider accepted, waiting to be recorded as sent."""

    message: OutboxMessage
    provider_message_id: str
    attempt_id: int | None
    decision_log_id: int
    delivery_status: DeliveryStatus
    sent_at: datetime


def outbox_mark_sent_many(*, sent: Sequence[SentMessage]) -> list[Interaction]:
    """Record sent messages: their interactions, their status and the ledger outcome, together.

    One transaction for the group: on PostgreSQL a commit waits for the disk, so committing a
    group instead of each message is most of a worker's throughput. The price is that a worker
    killed before the commit sends the whole group again (SOLVENT_OUTBOX_COMMIT_EVERY).
    """
    from solvent.compliance.services import contact_attempts_record_outcome_many

    if not sent:
        return []
    with transaction.atomic():
        sent = _not_yet_recorded(sent)
        if not sent:
            return []
        interactions = Interaction.objects.bulk_create(
            [
                Interaction(
                    debtor_id=entry.message.debtor_id,
                    channel=entry.message.channel,
                    direction=Direction.OUTBOUND,
                    contact_point=entry.message.contact_point,
                    account_ids=list(entry.message.account_ids),
                    occurred_at=entry.sent_at,
                    disposition=Disposition.MESSAGE_SENT,
                    summary=(entry.message.subject or entry.message.body)[:255],
                    message_id=entry.message.message_id,
                    provider_message_id=entry.provider_message_id,
                    delivery_status=entry.delivery_status,
                    delivery_updated_at=entry.sent_at,
                    compliance_attempt_id=entry.attempt_id,
                    decision_log_id=entry.decision_log_id,
                )
                for entry in sent
            ]
        )
        _outbox_mark_sent_rows(sent, interactions)
        # The ledger outcomes in one statement and one audit entry for the group.
        contact_attempts_record_outcome_many(
            outcomes=[
                (entry.attempt_id, "sent", entry.sent_at)
                for entry in sent
                if entry.attempt_id is not None
            ]
        )
    return interactions


def _not_yet_recorded(sent: Sequence[SentMessage]) -> list[SentMessage]:
    """The messages no other worker recorded as sent, their rows locked until the commit.

    A worker that outlived its lease and the worker that re-claimed the message may both have
    handed it to the provider (at least once, ADR 0006); only the first to record it writes the
    interaction and the ledger outcome, so the contact history holds each message once. Rows are
    locked in id order, so two workers recording overlapping groups cannot deadlock.
    """
    rows = (
        OutboxMessage.objects.select_for_update()
        .filter(pk__in=[entry.message.pk for entry in sent])
        .order_by("pk")
        .values_list("pk", "status")
    )
    recorded = {pk for pk, status in rows if status == MessageStatus.SENT}
    if not recorded:
        return list(sent)
    return [entry for entry in sent if entry.message.pk not in recorded]


def _outbox_mark_sent_rows(
    sent: Sequence[SentMessage], interactions: Sequence[Interaction]
) -> None:
    """Set the sent messages' columns: one statement on PostgreSQL, one UPDATE each on SQLite.

    Every message has its own values (provider id, attempt, interaction), so it is a join with a
    VALUES list on PostgreSQL, where each statement is a network round trip; Django's bulk_update
    would build a CASE per column and cost more in Python than it saves. SQLite runs in-process:
    one small UPDATE per message is already cheap there.
    """
    rows = [
        (
            entry.message.pk,
            entry.sent_at,
            entry.provider_message_id,
            entry.attempt_id,
            entry.decision_log_id,
            interaction.pk,
        )
        for entry, interaction in zip(sent, interactions, strict=True)
    ]
    if connection.vendor != "postgresql":
        for pk, sent_at, provider_id, attempt_id, log_id, interaction_id in rows:
            OutboxMessage.objects.filter(pk=pk).update(
                status=MessageStatus.SENT,
                sent_at=sent_at,
                lease_until=None,
                provider_message_id=provider_id,
                compliance_attempt_id=attempt_id,
                decision_log_id=log_id,
                interaction_id=interaction_id,
                status_reason="",
            )
        return
    table = OutboxMessage._meta.db_table
    values = ", ".join(
        ["(%s::bigint, %s::timestamptz, %s::text, %s::bigint, %s::bigint, %s::bigint)"] * len(rows)
    )
    sql = (
        f'UPDATE "{table}" AS m SET status = %s, sent_at = v.sent_at, lease_until = NULL, '  # noqa: S608
        "provider_message_id = v.provider_id, compliance_attempt_id = v.attempt_id, "
        "decision_log_id = v.log_id, interaction_id = v.interaction_id, status_reason = '' "
        f"FROM (VALUES {values}) AS v(id, sent_at, provider_id, attempt_id, log_id, interaction_id) "
        "WHERE m.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [MessageStatus.SENT, *(value for row in rows for value in row)])


def outbox_mark_refused(
    *,
    message: OutboxMessage,
    worker: str,
    error: str,
    attempt_id: int | None,
    decision_log_id: int,
    now: datetime | None = None,
) -> Interaction:
    """The provider refused the message for good: a bounced attempt, a dead letter, a bad address."""
    from solvent.compliance.services import contact_attempt_record_outcome
    from solvent.portfolio.models import ContactStatus, Email

    now = now or clock.now()
    with transaction.atomic():
        interaction = Interaction.objects.create(
            debtor_id=message.debtor_id,
            channel=message.channel,
            direction=Direction.OUTBOUND,
            contact_point=message.contact_point,
            account_ids=list(message.account_ids),
            occurred_at=now,
            disposition=Disposition.MESSAGE_SENT,
            summary=f"refused: {error}"[:255],
            message_id=message.message_id,
            delivery_status=DeliveryStatus.BOUNCED,
            delivery_updated_at=now,
            compliance_attempt_id=attempt_id,
            decision_log_id=decision_log_id,
        )
        OutboxMessage.objects.filter(_still_mine(message, worker)).update(
            status=MessageStatus.DEAD,
            failures=message.failures + 1,
            last_error=error[:2000],
            lease_until=None,
            status_reason="refused by the provider",
            compliance_attempt_id=attempt_id,
            decision_log_id=decision_log_id,
            interaction=interaction,
        )
        if message.channel == "email":
            # The portfolio has no service for contact-point status yet; see contact.inbound.
            Email.objects.filter(
                debtor_id=message.debtor_id, address__iexact=message.contact_point
            ).update(status=ContactStatus.INVALID)
        if attempt_id is not None:
            contact_attempt_record_outcome(attempt_id=attempt_id, outcome="bounced", at=now)
    return interaction


def outbox_hold(
    *,
    message: OutboxMessage,
    worker: str,
    decision_log_id: int,
    earliest_lawful_at: datetime | None,
    blocking: Sequence[tuple[str, str, str]],
) -> MessageStatus:
    """The compliance gate said no at send time: reschedule to the lawful moment, or cancel."""
    reason = "; ".join(f"{rule}: {text} ({citation})" for rule, text, citation in blocking)
    reason = (reason or "blocked by the compliance engine")[:255]
    status = MessageStatus.PENDING if earliest_lawful_at is not None else MessageStatus.CANCELLED
    changes: dict[str, object] = {
        "status": status,
        "status_reason": reason,
        "decision_log_id": decision_log_id,
        "lease_until": None,
    }
    if earliest_lawful_at is not None:
        changes["next_attempt_at"] = earliest_lawful_at
    OutboxMessage.objects.filter(_still_mine(message, worker)).update(**changes)
    return status


def outbox_fail(
    *,
    message: OutboxMessage,
    worker: str,
    error: str,
    permanent: bool,
    policy: RetryPolicy,
    now: datetime | None = None,
) -> MessageStatus:
    """A provider error: back off exponentially, or move to dead letters after the last attempt."""
    now = now or clock.now()
    failures = message.failures + 1
    retry_at = None if permanent else policy.next_attempt_at(failures=failures, now=now)
    status = MessageStatus.PENDING if retry_at is not None else MessageStatus.DEAD
    changes: dict[str, object] = {
        "status": status,
        "failures": failures,
        "last_error": error[:2000],
        "lease_until": None,
        "status_reason": ""
        if retry_at
        else ("refused by the provider" if permanent else f"dead after {failures} failures"),
    }
    if retry_at is not None:
        changes["next_attempt_at"] = retry_at
    OutboxMessage.objects.filter(_still_mine(message, worker)).update(**changes)
    return status


def outbox_release(*, messages: Sequence[OutboxMessage], worker: str) -> int:
    """Give back claimed messages this worker will not get to before its lease runs out."""
    return OutboxMessage.objects.filter(
        pk__in=[m.pk for m in messages], worker=worker, status=MessageStatus.SENDING
    ).update(status=MessageStatus.PENDING, lease_until=None)


def outbox_requeue(*, message_ids: Sequence[int], reason: str, actor_id: int) -> int:
    """Put dead or cancelled messages back in the queue (an operator's decision, audited as theirs)."""
    from solvent.audit.services import audit_record

    with transaction.atomic():
        count = OutboxMessage.objects.filter(
            pk__in=list(message_ids), status__in=[MessageStatus.DEAD, MessageStatus.CANCELLED]
        ).update(
            status=MessageStatus.PENDING,
            failures=0,
            next_attempt_at=clock.now(),
            status_reason=reason,
        )
        audit_record(
            action="outbox.requeue",
            object_type="contact.OutboxMessage",
            data={"ids": list(message_ids), "reason": reason, "requeued": count},
            actor_id=actor_id,
        )
    return count
