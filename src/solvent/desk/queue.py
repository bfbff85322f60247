"""Reads of the work queue: what an agent may be given next, due callbacks, and the screen pop.

The order (docs/adr/0025-work-queue-and-callbacks.md, docs/work-queues.md):
1. callbacks due now: the agent's own, then the team's (no agent named), oldest due first;
2. the teams' work items by priority (``strategy.selectors.work_queues``: broken promises,
   disputes, hardship, review, the plan's calls);
3. the accounts never touched, then those untouched longest (the last contact attempt about the
   account, or the last time an agent opened it from the queue); the higher balance first.
Only accounts of the clients the agent serves, only active ones, none under a hold that stops every
collection contact, and none another agent holds (a claim of a few minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from solvent.compliance.models import ContactAttempt, Hold
from solvent.contact.models import OutboxMessage, TemplateVersion
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.desk.models import Callback, QueueEntry
from solvent.desk.queue_rules import QUEUE_BLOCKING_HOLD_KINDS, DueCallback, callback_order
from solvent.portfolio.access import (
    DebtorAccess,
    access_client_ids,
    access_debtor_by_id,
)
from solvent.portfolio.models import Account, Phone

QUEUE_ORDER = (F("last_touched_at").asc(), F("balance").desc(), F("account_id").asc())


def _blocking_hold() -> Exists:
    """An open hold that stops all contact about the entry's account (person-wide or naming it)."""
    holds = Hold.objects.filter(
        released_at__isnull=True,
        kind__in=QUEUE_BLOCKING_HOLD_KINDS,
        debtor__account_debtors__account_id=OuterRef("account_id"),
    ).filter(Q(accounts__isnull=True) | Q(accounts=OuterRef("account_id")))
    return Exists(holds)


def workable_entries(*, user: User | AnonymousUser, now: datetime) -> QuerySet[QueueEntry]:
    """The entries the agent may be given, in the queue's order (nothing is read until sliced).

    The tenant filter is on the entry's copied client id (``access_client_ids``, the access
    module's own answer), so the order's index is walked without a join per client; the claimed
    account is loaded again through ``access_account_by_id`` before it is shown.
    """
    entries = QueueEntry.objects.filter(account__status=Account.Status.ACTIVE)
    client_ids = access_client_ids(user=user)
    if client_ids is not None:
        entries = entries.filter(client_id__in=client_ids)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    return entries.filter(free).exclude(_blocking_hold()).order_by(*QUEUE_ORDER)


def due_callbacks(*, user: User | AnonymousUser, now: datetime) -> list[Callback]:
    """Pending callbacks due by ``now`` on accounts the agent sees: theirs, then the team's.

    Not one on an account that a hold has taken out of the queue since it was set.
    """
    rows = list(
        _visible_callbacks(user)
        .filter(
            status=Callback.Status.PENDING,
            due_at__lte=now,
            account__status=Account.Status.ACTIVE,
        )
        .filter(Q(agent_id=user.pk) | Q(agent__isnull=True))
        .exclude(_blocking_hold())
        .select_related("account")
        .order_by("due_at", "pk")[:200]
    )
    by_id = {row.pk: row for row in rows}
    ordered = callback_order(
        [DueCallback(row.pk, row.due_at, row.agent_id) for row in rows], agent_id=user.pk or 0
    )
    return [by_id[item.callback_id] for item in ordered]


def _visible_callbacks(user: User | AnonymousUser) -> QuerySet[Callback]:
    """Callbacks on accounts of the user's clients (``access_client_ids``, the access module's
    answer). By client id, not ``account__in`` the visible accounts: that subquery reads every
    account of the clients (a million) to find a handful of callbacks."""
    client_ids = access_client_ids(user=user)
    if client_ids is None:
        return Callback.objects.all()
    return Callback.objects.filter(account__client_id__in=client_ids)


def upcoming_callbacks(*, user: User | AnonymousUser, now: datetime) -> QuerySet[Callback]:
    """The agent's and the team's pending callbacks not yet due, soonest first."""
    return (
        _visible_callbacks(user)
        .filter(status=Callback.Status.PENDING, due_at__gt=now)
        .filter(Q(agent_id=user.pk) | Q(agent__isnull=True))
        .select_related("account", "debtor")
        .order_by("due_at", "pk")
    )


def queue_preview(
    *, user: User | AnonymousUser, now: datetime, limit: int = 10
) -> list[QueueEntry]:
    """The next accounts of the queue as the agent would be given them (no claim taken)."""
    return list(workable_entries(user=user, now=now).select_related("account")[:limit])


def account_callback_list(*, account: Account) -> QuerySet[Callback]:
    """An account's callbacks (the account was loaded through the access module by the caller)."""
    return account.callbacks.select_related("agent", "debtor").order_by("-status", "due_at")


@dataclass(frozen=True, slots=True)
class Pop:
    """Where the screen pop sends the agent."""

    account_id: int
    debtor_id: int


def pop_for_attempt(*, user: User | AnonymousUser, attempt_id: int) -> Pop:
    """The account screen of a call in the ledger (the dialer knows its attempt id).

    The attempt's first account the user sees; an attempt about no account in particular (about the
    person) pops only for a user who sees every account of the debtor (ADR 0022). Else NotFound.
    """
    attempt = ContactAttempt.objects.filter(pk=attempt_id).values("debtor_id").first()
    if attempt is None:
        raise NotFoundError(f"call {attempt_id} not found")
    access = access_debtor_by_id(user=user, debtor_id=attempt["debtor_id"])
    named = set(
        ContactAttempt.accounts.through.objects.filter(contactattempt_id=attempt_id).values_list(
            "account_id", flat=True
        )
    )
    if named:
        seen = sorted(named & access.account_ids)
    elif access.whole:
        seen = _first_accounts(access)
    else:
        seen = []
    if not seen:
        raise NotFoundError(f"call {attempt_id} not found")
    return Pop(account_id=seen[0], debtor_id=access.debtor.pk)


def pop_for_phone(*, user: User | AnonymousUser, e164: str) -> Pop:
    """The account screen of the debtor a number belongs to, among those the user sees.

    Several debtors may share a number (a household): the first one the user sees with the number
    on file for their clients; their active account with the highest balance first.
    """
    debtor_ids = (
        Phone.objects.filter(e164=e164).order_by("debtor_id").values_list("debtor_id", flat=True)
    )
    for debtor_id in debtor_ids[:20]:
        try:
            access = access_debtor_by_id(user=user, debtor_id=debtor_id)
        except NotFoundError:
            continue
        if access.phones().filter(e164=e164).exists():
            return Pop(account_id=_first_accounts(access)[0], debtor_id=debtor_id)
    raise NotFoundError(f"number {e164} not found")


def _first_accounts(access: DebtorAccess) -> list[int]:
    """The debtor's visible accounts, active ones first, then by id."""
    accounts = Account.objects.filter(pk__in=access.account_ids).values_list("pk", "status")
    return [
        pk
        for pk, _status in sorted(
            accounts, key=lambda row: (row[1] != Account.Status.ACTIVE, row[0])
        )
    ]


def message_template_list(*, channels: tuple[str, ...] = ("sms", "email")) -> list[TemplateVersion]:
    """The templates an agent may send: one active version per code, channel and language."""
    return list(
        TemplateVersion.objects.filter(
            status=TemplateVersion.Status.ACTIVE, template__channel__in=channels
        )
        .select_related("template")
        .order_by("template__channel", "template__code", "template__language")
    )


def message_template_version(*, code: str, channel: str, language: str) -> TemplateVersion:
    """The version the outbox will use (``message_enqueue``: the debtor's language, else English)."""
    versions = TemplateVersion.objects.select_related("template").filter(
        template__code=code, template__channel=channel, status=TemplateVersion.Status.ACTIVE
    )
    version = (
        versions.filter(template__language=language).first()
        or versions.filter(template__language="en").first()
    )
    if version is None:
        raise ValidationError(
            f"no active template {code!r} for {channel}", code="template_not_found"
        )
    return version


def desk_message_get(*, account: Account, message_id: int) -> OutboxMessage:
    """A message queued about an account (loaded by the caller through the access module)."""
    for message in OutboxMessage.objects.filter(pk=message_id):
        if account.pk in (message.account_ids or []):
            return message
    raise NotFoundError(f"message {message_id} not found")
