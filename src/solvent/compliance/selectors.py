"""Compliance reads: a debtor's decisions, ledger, holds, consents, stated times, contact options.

Every read for a person starts from ``portfolio.selectors.debtor_get``, so a user only sees the
compliance records of debtors whose accounts they may see (tenancy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from solvent.compliance.decisions import decide_all
from solvent.compliance.domain.model import Decision
from solvent.compliance.engine_input import (
    debtor_accounts,
    debtor_facts_read,
    situation_for,
)
from solvent.compliance.models import Consent, ContactAttempt, DecisionLog, Hold, TimePreference
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.models import Account, Phone
from solvent.portfolio.selectors import (
    account_get,
    debtor_accounts_visible,
    debtor_get,
    debtor_list,
)


def decision_log_list(
    *, user: User | AnonymousUser, debtor_id: int, blocked_only: bool = False
) -> QuerySet[DecisionLog]:
    """The debtor's compliance decisions, newest first."""
    debtor = debtor_get(user=user, debtor_id=debtor_id)
    decisions = DecisionLog.objects.filter(debtor=debtor)
    if blocked_only:
        decisions = decisions.filter(allowed=False)
    return decisions.order_by("-decided_at", "-pk")


def decision_log_search(
    *,
    user: User | AnonymousUser,
    blocked_only: bool = False,
    rule_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[DecisionLog]:
    """Decisions across the debtors the user may see, newest first: the compliance officer's view.

    ``rule_id`` keeps decisions that rule blocked (matched on the quoted id in the stored list, which
    works on SQLite and PostgreSQL alike).
    """
    decisions = DecisionLog.objects.filter(debtor__in=debtor_list(user=user))
    if blocked_only:
        decisions = decisions.filter(allowed=False)
    if rule_id:
        decisions = decisions.filter(blocking_rule_ids__icontains=f'"{rule_id}"')
    if since is not None:
        decisions = decisions.filter(decided_at__gte=since)
    if until is not None:
        decisions = decisions.filter(decided_at__lt=until)
    return decisions.order_by("-decided_at", "-pk")


def contact_attempt_list(
    *, user: User | AnonymousUser, debtor_id: int, since: datetime | None = None
) -> QuerySet[ContactAttempt]:
    """The debtor's ledger, newest first, cancelled reservations included (they say so)."""
    debtor = debtor_get(user=user, debtor_id=debtor_id)
    attempts = ContactAttempt.objects.filter(debtor=debtor)
    if since is not None:
        attempts = attempts.filter(at__gte=since)
    return attempts.prefetch_related("accounts").order_by("-at", "-pk")


def contact_attempt_get(*, user: User | AnonymousUser, attempt_id: int) -> ContactAttempt:
    """A ledger row the user may see (its debtor is visible to them), or NotFoundError."""
    attempt = ContactAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFoundError(f"contact attempt {attempt_id} not found")
    try:
        debtor_get(user=user, debtor_id=attempt.debtor_id)
    except NotFoundError:
        raise NotFoundError(f"contact attempt {attempt_id} not found") from None
    return attempt


def hold_list(
    *, user: User | AnonymousUser, debtor_id: int, open_only: bool = False
) -> QuerySet[Hold]:
    debtor = debtor_get(user=user, debtor_id=debtor_id)
    holds = Hold.objects.filter(debtor=debtor)
    if open_only:
        holds = holds.filter(released_at__isnull=True)
    return holds.prefetch_related("accounts", "release_requests").order_by("-placed_at", "-pk")


def consent_list(*, user: User | AnonymousUser, debtor_id: int) -> QuerySet[Consent]:
    debtor = debtor_get(user=user, debtor_id=debtor_id)
    return (
        Consent.objects.filter(debtor=debtor)
        .order_by("-given_at", "-pk")
        .prefetch_related("accounts")
    )


def time_preference_list(*, user: User | AnonymousUser, debtor_id: int) -> QuerySet[TimePreference]:
    debtor = debtor_get(user=user, debtor_id=debtor_id)
    return TimePreference.objects.filter(debtor=debtor).order_by("-stated_at", "-pk")


def hold_get(*, user: User | AnonymousUser, hold_id: int) -> Hold:
    """A hold the user may see (its debtor is visible to them), or NotFoundError."""
    hold = Hold.objects.filter(pk=hold_id).first()
    if hold is None:
        raise NotFoundError(f"hold {hold_id} not found")
    try:
        debtor_get(user=user, debtor_id=hold.debtor_id)
    except NotFoundError:
        raise NotFoundError(f"hold {hold_id} not found") from None
    return hold


def debtor_accounts_check(
    *, user: User | AnonymousUser, debtor_id: int, account_ids: Sequence[int]
) -> None:
    """NotFoundError unless every account is the debtor's and visible to the user."""
    debtor = debtor_get(user=user, debtor_id=debtor_id)
    wanted = set(account_ids)
    visible = set(
        debtor_accounts_visible(user=user, debtor=debtor)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    missing = sorted(wanted - visible)
    if missing:
        raise NotFoundError(f"accounts {missing} not found for debtor {debtor_id}")


@dataclass(frozen=True)
class ContactOption:
    """One way to reach the debtor and what the engine says about it at the moment asked."""

    channel: str
    contact_point: str
    decision: Decision


def contact_option_list(
    *, user: User | AnonymousUser, debtor_id: int, at: datetime | None = None
) -> list[ContactOption]:
    """What the law allows now, on every channel and contact point on file: the desk's preview.

    A read: nothing is logged or reserved; the real contact still goes through
    ``contact_attempt_authorize``. Each option is decided about every account the user may see.
    """
    debtor = debtor_get(user=user, debtor_id=debtor_id)
    moment = at or clock.now()
    visible = [account.pk for account in debtor_accounts_visible(user=user, debtor=debtor)]
    facts = debtor_facts_read(debtor=debtor, owed=debtor_accounts(debtor=debtor), at=moment)
    options: list[tuple[str, str]] = []
    for phone in debtor.phones.all():
        options.append(("call", phone.e164))
        if phone.line_type != Phone.LineType.LANDLINE:
            options.append(("sms", phone.e164))
    options += [("email", email.address.lower()) for email in debtor.emails.all()]
    options += [
        ("letter", f"address:{postal.pk}") for postal in debtor.addresses.all() if postal.is_current
    ]
    return [
        ContactOption(
            channel=channel,
            contact_point=point,
            decision=decide_all(
                situation_for(
                    facts, channel=channel, contact_point=point, account_ids=visible, at=moment
                )
            ),
        )
        for channel, point in options
    ]


def account_for_notice_get(*, user: User | AnonymousUser, account_id: int) -> Account:
    """An account the user may see (tenant-scoped), to record a notice on."""
    return account_get(user=user, account_id=account_id)
