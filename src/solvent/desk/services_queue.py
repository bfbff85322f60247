"""Writes of the work queue: refresh its entries, claim the next account, keep callbacks.

Each is one transaction with an audit entry. The order and the claim are explained in
docs/adr/0025-work-queue-and-callbacks.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.db.models import Max, Q

from solvent.audit.services import audit_record
from solvent.compliance.models import ContactAttempt
from solvent.compliance.selectors import contact_option_list
from solvent.compliance.services import consent_grant
from solvent.contact.models import OutboxMessage
from solvent.contact.selectors import template_preview
from solvent.contact.services import MessageRequest, message_enqueue, message_variables
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.desk.models import Callback, QueueEntry, QueueRefresh
from solvent.desk.queue import due_callbacks, message_template_version, workable_entries
from solvent.desk.queue_rules import NEVER_TOUCHED
from solvent.portfolio.access import (
    DebtorAccess,
    access_account_by_id,
    access_contact_point_check,
    access_debtor_by_id,
)
from solvent.portfolio.models import Account
from solvent.strategy.services.work_queues import (
    work_item_claim_next,
    work_item_open,
    work_items_release,
)
from solvent.strategy.tasks import work_queues_refresh_task
from solvent.strategy.work_rules import claim_expiry

_REFRESH_BATCH = 2000
# How many rows a claim tries before it says the queue is empty (each lost race costs one).
_CLAIM_TRIES = 20
_MESSAGE_CHANNELS = frozenset({"sms", "email"})


def queue_refresh(*, older_than: timedelta | None = None) -> int | None:
    """Bring the entries up to date: one for every new account, the last ledger row of each account.

    Incremental: it reads accounts and ledger rows past the ids it read last time, so a run costs
    what changed. Returns how many entries it created or moved. One runner at a time: the
    bookkeeping row is locked, and with ``older_than`` (the next-account button's lazy refresh) a
    run fresh enough, or one already under way elsewhere, is skipped (None).
    """
    changed = 0
    QueueRefresh.objects.get_or_create(pk=1)
    with transaction.atomic():
        marks = QueueRefresh.objects.filter(pk=1)
        if older_than is not None:
            cutoff = clock.now() - older_than
            marks = marks.filter(Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=cutoff))
            if connection.features.has_select_for_update_skip_locked:
                marks = marks.select_for_update(skip_locked=True)
            else:
                marks = marks.select_for_update()
        else:
            marks = marks.select_for_update()
        mark = marks.first()
        if mark is None:
            return None
        if older_than is None:
            # A full run: every account without an entry (also those of a transaction that
            # committed after a higher id was read), in one statement whatever the size.
            changed += _entries_insert_missing()
            last_account = Account.objects.aggregate(last=Max("pk"))["last"] or 0
            mark.last_account_id = max(mark.last_account_id, last_account)
        after = mark.last_account_id
        while older_than is not None:
            # The lazy run reads past the highest id it saw, a batch at a time (the pk index).
            accounts = list(
                Account.objects.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "client_id", "principal", "interest", "fees")[:_REFRESH_BATCH]
            )
            if not accounts:
                break
            QueueEntry.objects.bulk_create(
                [
                    QueueEntry(account_id=pk, client_id=client, balance=Decimal(p + i + f))
                    for pk, client, p, i, f in accounts
                ],
                ignore_conflicts=True,
            )
            changed += len(accounts)
            after = accounts[-1][0]
            mark.last_account_id = max(mark.last_account_id, after)
        # Read up to a fixed id: a row written meanwhile is read by the next run, not lost.
        last_attempt = ContactAttempt.objects.aggregate(last=Max("pk"))["last"] or 0
        through = ContactAttempt.accounts.through
        touched = {
            row["account_id"]: row["last"]
            for row in through.objects.filter(
                contactattempt_id__gt=mark.last_attempt_id, contactattempt_id__lte=last_attempt
            )
            .values("account_id")
            .annotate(last=Max("contactattempt__at"))
        }
        changed += _touch(touched)
        mark.last_attempt_id = max(last_attempt, mark.last_attempt_id)
        mark.refreshed_at = clock.now()
        mark.save()
        if changed:  # a run that found nothing new leaves no entry (the desk runs one a minute)
            audit_record(
                action="queue.refresh",
                object_type="desk.QueueRefresh",
                object_id=mark.pk,
                data={"changed": changed},
                system="queue refresh",
            )
    return changed


def queue_refresh_lazy(*, older_than: timedelta) -> None:
    """The desk's own refresh (the queue page, the next-account button): the entries, at most
    once per ``older_than`` by one agent, and then the work items in the background (their
    refresh reads every open cause: a worker's job, not a request's)."""
    if queue_refresh(older_than=older_than) is not None:
        transaction.on_commit(work_queues_refresh_task.enqueue)


def _entries_insert_missing() -> int:
    """One entry for each account that has none: a set-based INSERT ... SELECT.

    At a million accounts a batched anti-join was planned while the entry table was empty and
    rescanned it for every batch (over an hour); one statement is one pass.
    """
    entry, account = QueueEntry._meta.db_table, Account._meta.db_table
    ignore = "OR IGNORE " if connection.vendor == "sqlite" else ""
    conflict = " ON CONFLICT DO NOTHING" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT {ignore}INTO "{entry}" (account_id, client_id, balance, last_touched_at) '  # noqa: S608 - table names from the models
            f'SELECT a.id, a.client_id, a.principal + a.interest + a.fees, %s FROM "{account}" a '
            f'WHERE NOT EXISTS (SELECT 1 FROM "{entry}" e WHERE e.account_id = a.id){conflict}',
            [NEVER_TOUCHED],
        )
        return max(int(cursor.rowcount), 0)


def _touch(touched: dict[int, datetime]) -> int:
    """Move entries to their latest contact (never back in time)."""
    ids = list(touched)
    moved = 0
    for start in range(0, len(ids), _REFRESH_BATCH):
        entries = list(QueueEntry.objects.filter(pk__in=ids[start : start + _REFRESH_BATCH]))
        later = []
        for entry in entries:
            at = touched[entry.pk]
            if entry.last_touched_at < at:
                entry.last_touched_at = at
                later.append(entry)
        QueueEntry.objects.bulk_update(later, ["last_touched_at"])
        moved += len(later)
    return moved


@dataclass(frozen=True, slots=True)
class Claim:
    """The account an agent was given, and the callback or work item that brought it (if any)."""

    account_id: int
    callback_id: int | None = None
    work_item_id: int | None = None


def queue_next_claim(*, user: User | AnonymousUser) -> Claim | None:
    """Give the agent the next account of their queue and hold it for them a few minutes.

    Due callbacks first (theirs, then the team's), then the highest open work item of their teams'
    queues (``strategy.services.work_queues``), then the entries in the queue's order. Two agents
    asking at the same moment never get the same account: on PostgreSQL the candidate row is locked
    with SKIP LOCKED (a concurrent claimer passes over it), and on every database the claim itself
    is a conditional UPDATE that only one transaction can win. None: nothing left to work.
    """
    now = clock.now()
    with transaction.atomic():
        # Moving on releases what the agent held: it goes back to the queue (touched just now); a
        # work item whose call was recorded is done, any other goes back for someone else.
        QueueEntry.objects.filter(claimed_by=user.pk, claimed_until__gt=now).update(
            claimed_until=None
        )
        work_items_release(user=user, now=now)
        claim = _claim_callback(user, now) or _claim_work_item(user, now) or _claim_entry(user, now)
        if claim is not None:
            audit_record(
                action="queue.claim",
                object_type="portfolio.Account",
                object_id=claim.account_id,
                data={"callback_id": claim.callback_id, "work_item_id": claim.work_item_id},
                actor_id=user.pk,
            )
    return claim


def _claim_work_item(user: User | AnonymousUser, now: datetime) -> Claim | None:
    item = work_item_claim_next(
        user=user, now=now, account_claim=lambda account_id: _claim_account(user, account_id, now)
    )
    if item is None:
        return None
    return Claim(account_id=item.account_id, work_item_id=item.pk)


def queue_work_item_open(*, user: User | AnonymousUser, account_id: int, item_id: int) -> int:
    """The agent opens a work item from the list: the item and its account are theirs for a few
    minutes (ValidationError when another agent holds either). Returns the account id."""
    now = clock.now()
    item = work_item_open(
        user=user,
        account_id=account_id,
        item_id=item_id,
        account_claim=lambda pk: _claim_account(user, pk, now),
    )
    return item.account_id


def _claim_callback(user: User | AnonymousUser, now: datetime) -> Claim | None:
    for callback in due_callbacks(user=user, now=now)[:_CLAIM_TRIES]:
        if _claim_account(user, callback.account_id, now):
            taken = Callback.objects.filter(pk=callback.pk, status=Callback.Status.PENDING).update(
                status=Callback.Status.DONE
            )
            if taken:
                return Claim(account_id=callback.account_id, callback_id=callback.pk)
    return None


def _claim_entry(user: User | AnonymousUser, now: datetime) -> Claim | None:
    candidates = workable_entries(user=user, now=now)
    for _ in range(_CLAIM_TRIES):
        rows = candidates
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        entry = rows.values_list("pk", flat=True).first()
        if entry is None:
            return None
        if _claim_account(user, entry, now):
            return Claim(account_id=entry)
    return None


def _claim_account(user: User | AnonymousUser, account_id: int, now: datetime) -> bool:
    """The compare-and-set: the entry is this agent's if nobody else holds it now."""
    account = Account.objects.filter(pk=account_id).values("principal", "interest", "fees").first()
    if account is None:
        return False
    entry, _ = QueueEntry.objects.get_or_create(
        account_id=account_id,
        defaults={
            "client_id": Account.objects.values_list("client_id", flat=True).get(pk=account_id),
            "balance": account["principal"] + account["interest"] + account["fees"],
        },
    )
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=user.pk)
    won = QueueEntry.objects.filter(Q(pk=entry.pk) & free).update(
        claimed_by=user.pk,
        claimed_until=claim_expiry(now),
        last_touched_at=now,
        balance=account["principal"] + account["interest"] + account["fees"],
    )
    return won == 1


class CallbackRefusedError(ValidationError):
    """A callback at a moment the law does not allow a call, with the rules and the next lawful time."""

    code = "callback_refused"

    def __init__(
        self, reasons: tuple[tuple[str, str, str], ...], earliest: datetime | None
    ) -> None:
        super().__init__("; ".join(f"{rule}: {message}" for rule, message, _ in reasons))
        self.reasons = reasons
        self.earliest = earliest


def callback_create(
    *,
    user: User | AnonymousUser,
    account_id: int,
    debtor_id: int,
    phone: str,
    due_at: datetime,
    time_zone: str,
    agent_id: int | None,
    note: str = "",
    prior_consent: bool = False,
) -> Callback:
    """Promise a call at ``due_at`` (UTC) to one of the account's debtors on one of their phones.

    Asks the compliance engine about a call at that moment, without reserving anything (the call
    itself goes through the gate when it is made): refused -> CallbackRefusedError naming the rules
    and the next lawful moment (None: not until a hold is lifted).
    """
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    if not account.account_debtors.filter(debtor_id=debtor_id).exists():
        raise NotFoundError(f"debtor {debtor_id} not found on account {account_id}")
    access = access_debtor_by_id(user=user, debtor_id=debtor_id, for_write=True)
    if due_at <= clock.now():
        raise ValidationError("a callback is due in the future", code="callback_in_past")
    with transaction.atomic():
        if prior_consent:
            # The debtor asked for this call: consent given directly to us, for this debt, lifts
            # the call-frequency presumptions for up to 7 days (1006.14(b)(3)(i), comment
            # 14(b)(3)(i)-2). Recorded first so the check below sees it; a refusal undoes it.
            consent_grant(
                debtor_id=debtor_id,
                channel="call",
                contact_point=phone,
                source="desk_callback",
                scope="additional_calls",
                account_ids=[account.pk],
                evidence=f"asked to be called back at {due_at.isoformat()}",
                actor_id=user.pk,
            )
        options = [
            option
            for option in contact_option_list(access=access, at=due_at)
            if option.channel == "call" and option.contact_point == phone
        ]
        if not options:
            raise NotFoundError(f"phone {phone} not found for debtor {debtor_id}")
        decision = options[0].decision
        if not decision.allowed:
            raise CallbackRefusedError(
                tuple((r.rule_id, r.message, r.citation) for r in decision.blocking),
                decision.earliest_lawful_at,
            )
        callback = Callback.objects.create(
            account=account,
            debtor_id=debtor_id,
            phone=phone,
            due_at=due_at,
            time_zone=time_zone,
            agent_id=agent_id,
            note=note[:255],
            created_by_id=user.pk,
        )
        audit_record(
            action="callback.create",
            object_type="desk.Callback",
            object_id=callback.pk,
            data={
                "account_id": account.pk,
                "due_at": due_at.isoformat(),
                "agent_id": agent_id,
                "prior_consent": prior_consent,
            },
            actor_id=user.pk,
        )
    return callback


def callback_cancel(*, user: User | AnonymousUser, account_id: int, callback_id: int) -> Callback:
    """Cancel a pending callback of an account the user may write to (the debtor changed their mind)."""
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    with transaction.atomic():
        callback = (
            Callback.objects.select_for_update().filter(pk=callback_id, account=account).first()
        )
        if callback is None:
            raise NotFoundError(f"callback {callback_id} not found")
        if callback.status != Callback.Status.PENDING:
            raise ValidationError(
                f"the callback is already {callback.status}", code="callback_not_pending"
            )
        callback.status = Callback.Status.CANCELLED
        callback.save(update_fields=["status"])
        audit_record(
            action="callback.cancel",
            object_type="desk.Callback",
            object_id=callback.pk,
            data={"account_id": account.pk},
            actor_id=user.pk,
        )
    return callback


@dataclass(frozen=True, slots=True)
class MessagePreview:
    """The exact words a message from the desk would carry, and what it is made from."""

    debtor_id: int
    channel: str
    contact_point: str
    template_code: str
    subject: str
    body: str
    # What the engine says about this channel and point now (a read: the outbox's gate decides).
    allowed_now: bool = True
    blocking: tuple[tuple[str, str, str], ...] = ()
    earliest_lawful_at: datetime | None = None
    time_zone: str = "UTC"


def _message_target(
    user: User | AnonymousUser, account_id: int, debtor_id: int, channel: str, contact_point: str
) -> tuple[Account, DebtorAccess]:
    if channel not in _MESSAGE_CHANNELS:
        raise ValidationError(f"a message goes by {sorted(_MESSAGE_CHANNELS)}", code="channel")
    account = access_account_by_id(user=user, account_id=account_id, for_write=True)
    if not account.account_debtors.filter(debtor_id=debtor_id).exists():
        raise NotFoundError(f"debtor {debtor_id} not found on account {account_id}")
    access = access_debtor_by_id(user=user, debtor_id=debtor_id, for_write=True)
    access_contact_point_check(access=access, channel=channel, contact_point=contact_point)
    return account, access


def desk_message_preview(
    *,
    user: User | AnonymousUser,
    account_id: int,
    debtor_id: int,
    channel: str,
    contact_point: str,
    template_code: str,
) -> MessagePreview:
    """The message as the outbox will write it: the version it will pick (the debtor's language,
    else English) filled with the same variables. A read; nothing is queued."""
    account, access = _message_target(user, account_id, debtor_id, channel, contact_point)
    debtor = access.debtor
    version = message_template_version(
        code=template_code, channel=channel, language=debtor.language
    )
    variables = message_variables(
        debtor=debtor,
        accounts=[account],
        channel=channel,
        contact_point=contact_point,
        language=version.template.language,
    )
    subject, body = template_preview(version_id=version.pk, variables=variables)
    decision = next(
        (
            option.decision
            for option in contact_option_list(access=access, at=clock.now())
            if option.channel == channel and option.contact_point == contact_point.lower()
        ),
        None,
    )
    return MessagePreview(
        debtor_id=debtor.pk,
        channel=channel,
        contact_point=contact_point,
        template_code=template_code,
        subject=subject,
        body=body,
        allowed_now=decision is not None and decision.allowed,
        blocking=tuple((r.rule_id, r.message, r.citation) for r in decision.blocking)
        if decision is not None
        else (("unknown_contact_point", "not a contact point on file", ""),),
        earliest_lawful_at=decision.earliest_lawful_at if decision is not None else None,
        time_zone=(decision.time_zones or ("UTC",))[0] if decision is not None else "UTC",
    )


def desk_message_send(
    *,
    user: User | AnonymousUser,
    account_id: int,
    debtor_id: int,
    channel: str,
    contact_point: str,
    template_code: str,
) -> OutboxMessage:
    """Queue the previewed message in the outbox; the outbox's gate decides when it is sent."""
    account, access = _message_target(user, account_id, debtor_id, channel, contact_point)
    # A template missing for this channel is the agent's mistake to correct, not a missing page.
    message_template_version(code=template_code, channel=channel, language=access.debtor.language)
    return message_enqueue(
        request=MessageRequest(
            debtor_id=access.debtor.pk,
            channel=channel,
            contact_point=contact_point,
            account_ids=(account.pk,),
            template_code=template_code,
            cause="desk message",
        ),
        actor_id=user.pk,
    )
