"""The outbox sender: the one module that reaches a channel adapter, and only through the gate.

For every claimed batch the compliance engine decides again, just before sending
(``contact_attempts_authorize_many``, the one compliance gate: one transaction and one audit entry
for the whole batch): a window that has passed or a consent revoked since the
message was planned reschedules or cancels it, with the reason recorded. Only an allowed message
reaches the provider, with its idempotency key; the outcome goes back to the compliance ledger.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from time import monotonic

from django.conf import settings

from solvent.audit.services import audit_record, audit_system
from solvent.compliance.services import (
    Authorization,
    AuthorizationRequest,
    contact_attempt_cancel,
    contact_attempts_authorize_many,
)
from solvent.contact.adapters import channel_sender_for
from solvent.contact.domain.model import MessageStatus, RetryPolicy
from solvent.contact.letters import postal_address_lines
from solvent.contact.models import OutboxMessage
from solvent.contact.outbox import (
    SentMessage,
    outbox_claim_batch,
    outbox_fail,
    outbox_hold,
    outbox_mark_refused,
    outbox_mark_sent_many,
    outbox_release,
)
from solvent.contact.ports import (
    ChannelSender,
    OutgoingMessage,
    PermanentProviderError,
    ProviderError,
)
from solvent.contact.unsubscribe import unsubscribe_url_for
from solvent.core import clock
from solvent.core.domain.errors import DomainError

logger = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    held: int = 0
    cancelled: int = 0
    failed: int = 0
    dead: int = 0
    batches: int = 0
    # True when the time or batch budget ran out with messages possibly still due.
    more_due: bool = False
    errors: list[str] = field(default_factory=list)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _outgoing(message: OutboxMessage) -> OutgoingMessage:
    extras: dict[str, str] = {}
    if message.channel == "email":
        extras["unsubscribe_url"] = unsubscribe_url_for(
            debtor_id=message.debtor_id, address=message.contact_point
        )
    if message.channel == "letter":
        extras["recipient_name"] = message.debtor.full_name
        extras["postal_address"] = postal_address_lines(contact_point=message.contact_point)
        extras["layout"] = message.layout
    return OutgoingMessage(
        idempotency_key=str(message.idempotency_key),
        message_id=message.message_id,
        channel=message.channel,
        to=message.contact_point,
        subject=message.subject,
        body=message.body,
        language=message.language,
        extras=extras,
    )


class _Senders:
    """One open provider session per channel for the life of a dispatch run."""

    def __init__(self, overrides: dict[str, ChannelSender] | None) -> None:
        self._senders: dict[str, ChannelSender] = dict(overrides or {})

    def get(self, channel: str) -> ChannelSender:
        if channel not in self._senders:
            self._senders[channel] = channel_sender_for(channel)
        return self._senders[channel]

    def close(self) -> None:
        for sender in self._senders.values():
            try:
                sender.close()
            except Exception:  # closing must never hide the real outcome of a run
                logger.exception("closing the %s sender failed", sender.channel)


def _request(message: OutboxMessage) -> AuthorizationRequest:
    return AuthorizationRequest(
        debtor_id=message.debtor_id,
        channel=message.channel,
        contact_point=message.contact_point,
        account_ids=list(message.account_ids),
    )


def _deliver(
    message: OutboxMessage,
    authorization: Authorization | DomainError,
    *,
    worker: str,
    senders: _Senders,
    policy: RetryPolicy,
    report: DispatchReport,
) -> SentMessage | None:
    """Send a message the gate allowed (``authorization``: its answer from the batched gate)."""
    if isinstance(authorization, DomainError):
        # The gate cannot even judge the message (an address that is not the debtor's, a debt
        # that is not theirs): no retry will change that.
        exc = authorization
        outbox_fail(
            message=message,
            worker=worker,
            error=f"{exc.code}: {exc.message}",
            permanent=True,
            policy=policy,
        )
        report.dead += 1
        report.errors.append(exc.message)
        return None
    if not authorization.allowed:
        status = outbox_hold(
            message=message,
            worker=worker,
            decision_log_id=authorization.decision_log_id,
            earliest_lawful_at=authorization.earliest_lawful_at,
            blocking=authorization.blocking,
        )
        if status == MessageStatus.CANCELLED:
            report.cancelled += 1
        else:
            report.held += 1
        return None
    attempt_id = authorization.attempt_id
    try:
        outgoing = _outgoing(message)
        receipt = senders.get(message.channel).send(outgoing)
    except PermanentProviderError as exc:
        # The attempt was made and refused for good (no such mailbox, invalid number): it goes in
        # the history and the ledger as bounced, and the message is a dead letter.
        outbox_mark_refused(
            message=message,
            worker=worker,
            error=str(exc),
            attempt_id=attempt_id,
            decision_log_id=authorization.decision_log_id,
        )
        report.dead += 1
        report.errors.append(str(exc))
        return None
    except Exception as exc:
        # ProviderError, and anything unexpected from an adapter: the message never left, so the
        # reserved attempt stops counting and the message backs off.
        if not isinstance(exc, ProviderError):
            logger.exception("unexpected error sending outbox message %s", message.pk)
        if attempt_id is not None:
            contact_attempt_cancel(attempt_id=attempt_id, reason=f"provider error: {exc}")
        status = outbox_fail(
            message=message,
            worker=worker,
            error=f"{type(exc).__name__}: {exc}",
            permanent=False,
            policy=policy,
        )
        report.failed += 1
        report.dead += status == MessageStatus.DEAD
        report.errors.append(str(exc))
        return None
    report.sent += 1
    return SentMessage(
        message=message,
        provider_message_id=receipt.provider_message_id,
        attempt_id=attempt_id,
        decision_log_id=authorization.decision_log_id,
        delivery_status=receipt.status,
        sent_at=clock.now(),
    )


def _reservations_cancel(authorizations: list[Authorization | DomainError]) -> None:
    for authorization in authorizations:
        if isinstance(authorization, Authorization) and authorization.attempt_id is not None:
            contact_attempt_cancel(
                attempt_id=authorization.attempt_id, reason="lease nearly over: given back"
            )


@audit_system("outbox worker")
def outbox_dispatch(
    *,
    worker: str | None = None,
    batch_size: int | None = None,
    lease: timedelta | None = None,
    time_budget: float | None = None,
    max_batches: int | None = None,
    commit_every: int | None = None,
    policy: RetryPolicy | None = None,
    senders: dict[str, ChannelSender] | None = None,
) -> DispatchReport:
    """Send due messages batch by batch until none is due or a budget runs out."""
    worker = worker or worker_name()
    batch_size = batch_size or int(settings.SOLVENT_OUTBOX_BATCH)
    lease = lease or timedelta(seconds=int(settings.SOLVENT_OUTBOX_LEASE_SECONDS))
    commit_every = commit_every or int(settings.SOLVENT_OUTBOX_COMMIT_EVERY)
    policy = policy or RetryPolicy()
    report = DispatchReport()
    started = monotonic()
    open_senders = _Senders(senders)
    try:
        while True:
            if max_batches is not None and report.batches >= max_batches:
                report.more_due = True
                break
            if time_budget is not None and monotonic() - started > time_budget:
                report.more_due = True
                break
            batch = outbox_claim_batch(worker=worker, limit=batch_size, lease=lease)
            if not batch:
                break
            report.batches += 1
            report.claimed += len(batch)
            sent_before = report.sent
            claimed_at = monotonic()
            unrecorded: list[SentMessage] = []
            # The gate's answer for every message of the batch, decided together (one
            # transaction, one audit entry), just before sending.
            authorizations = contact_attempts_authorize_many([_request(m) for m in batch])
            try:
                for index, message in enumerate(batch):
                    if monotonic() - claimed_at > lease.total_seconds() * 0.8:
                        # Past most of the lease: another worker may soon take these messages,
                        # and sending them now could send them twice. Give them back instead,
                        # with their reservations: those contacts did not happen.
                        outbox_release(messages=batch[index:], worker=worker)
                        _reservations_cancel(authorizations[index:])
                        break
                    sent = _deliver(
                        message,
                        authorizations[index],
                        worker=worker,
                        senders=open_senders,
                        policy=policy,
                        report=report,
                    )
                    if sent is not None:
                        unrecorded.append(sent)
                    if len(unrecorded) >= commit_every:
                        outbox_mark_sent_many(sent=unrecorded)
                        unrecorded = []
            finally:
                # Even when something below the adapter fails, what the provider took is recorded.
                outbox_mark_sent_many(sent=unrecorded)
            # One audit entry per batch: the interactions are the per-message record, and a
            # per-message entry would serialise every worker on the audit chain's head row.
            audit_record(
                action="outbox.batch_dispatched",
                system=f"outbox worker {worker}",
                object_type="contact.OutboxMessage",
                data={
                    "worker": worker,
                    "ids": [m.pk for m in batch],
                    "sent": report.sent - sent_before,
                },
            )
    finally:
        open_senders.close()
    return report
