"""Compliance reads: a debtor's decisions, ledger, holds, consents, stated times, contact options.

Every read for a person takes the ``DebtorAccess`` that ``portfolio.access.access_debtor_by_id``
gave the caller, so a user only sees the compliance records of debtors whose accounts they may see,
and of a debtor who also owes another client, only their clients' part (ADR 0022). The engine
(``contact_option_list``) still decides on every fact of the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from solvent.compliance.decisions import decide_all
from solvent.compliance.domain.model import Decision
from solvent.compliance.engine_input import (
    debtor_accounts,
    debtor_facts_read,
    situation_for,
)
from solvent.compliance.models import Consent, ContactAttempt, DecisionLog, Hold, TimePreference
from solvent.core import clock
from solvent.portfolio.access import (
    DebtorAccess,
    RecordScope,
    access_filter_attributed,
    access_partial_debtors,
    access_record_scope,
)
from solvent.portfolio.models import Phone
from solvent.portfolio.selectors import debtor_list


def decision_log_list(*, access: DebtorAccess, blocked_only: bool = False) -> QuerySet[DecisionLog]:
    """The debtor's compliance decisions the user may see, newest first."""
    decisions = DecisionLog.objects.filter(debtor=access.debtor)
    if blocked_only:
        decisions = decisions.filter(allowed=False)
    return access_filter_attributed(decisions, access.scope).order_by("-decided_at", "-pk")


def decision_log_search(
    *,
    user: User | AnonymousUser,
    blocked_only: bool = False,
    rule_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[QuerySet[DecisionLog], RecordScope]:
    """Decisions across the debtors the user may see, newest first: the compliance officer's view.

    ``rule_id`` keeps decisions that rule blocked (matched on the quoted id in the stored list, which
    works on SQLite and PostgreSQL alike). With the scope the response must apply (decisions about
    another client's accounts of a shared debtor are left out).
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
    shared = list(access_partial_debtors(user=user).values_list("pk", flat=True))
    scope = access_record_scope(user=user, debtor_ids=shared)
    return access_filter_attributed(decisions, scope).order_by("-decided_at", "-pk"), scope


def contact_attempt_list(
    *, access: DebtorAccess, since: datetime | None = None
) -> QuerySet[ContactAttempt]:
    """The debtor's ledger, newest first, cancelled reservations included (they say so)."""
    attempts = ContactAttempt.objects.filter(debtor=access.debtor)
    if since is not None:
        attempts = attempts.filter(at__gte=since)
    if not access.whole:
        # About one of the user's accounts; an unattributed row is the whole person's.
        attempts = attempts.filter(
            pk__in=attempts.filter(accounts__in=access.account_ids).values("pk")
        )
    return attempts.prefetch_related("accounts").order_by("-at", "-pk")


_Record = TypeVar("_Record", Hold, Consent)


def _attributed_or_personal(records: QuerySet[_Record], access: DebtorAccess) -> QuerySet[_Record]:
    """Records about one of the user's accounts, and those about the whole person."""
    if access.whole:
        return records
    shown = Q(accounts__isnull=True) | Q(accounts__in=access.account_ids)
    return records.filter(pk__in=records.filter(shown).values("pk"))


def hold_list(*, access: DebtorAccess, open_only: bool = False) -> QuerySet[Hold]:
    """The debtor's holds: those about the user's accounts, and every person-wide hold (its free
    text only where the scope shows it)."""
    holds = Hold.objects.filter(debtor=access.debtor)
    if open_only:
        holds = holds.filter(released_at__isnull=True)
    holds = _attributed_or_personal(holds, access)
    return holds.prefetch_related("accounts", "release_requests").order_by("-placed_at", "-pk")


def consent_list(*, access: DebtorAccess) -> QuerySet[Consent]:
    consents = _attributed_or_personal(Consent.objects.filter(debtor=access.debtor), access)
    return consents.order_by("-given_at", "-pk").prefetch_related("accounts")


def time_preference_list(*, access: DebtorAccess) -> QuerySet[TimePreference]:
    """Stated times and places are the person's (1006.6(b)(1)): every client of the debtor sees them."""
    return TimePreference.objects.filter(debtor=access.debtor).order_by("-stated_at", "-pk")


@dataclass(frozen=True)
class ContactOption:
    """One way to reach the debtor and what the engine says about it at the moment asked."""

    channel: str
    contact_point: str
    decision: Decision


def contact_option_list(*, access: DebtorAccess, at: datetime | None = None) -> list[ContactOption]:
    """What the law allows now, on every channel and contact point the user may use: the desk's
    preview.

    A read: nothing is logged or reserved; the real contact still goes through
    ``contact_attempt_authorize``. Each option is decided about every account the user may see, on
    every fact of the person (another client's holds and contacts count where the law says so).
    """
    debtor = access.debtor
    moment = at or clock.now()
    visible = sorted(access.account_ids)
    facts = debtor_facts_read(debtor=debtor, owed=debtor_accounts(debtor=debtor), at=moment)
    options: list[tuple[str, str]] = []
    for phone in access.phones():
        options.append(("call", phone.e164))
        if phone.line_type != Phone.LineType.LANDLINE:
            options.append(("sms", phone.e164))
    options += [("email", email.address.lower()) for email in access.emails()]
    options += [
        ("letter", f"address:{postal.pk}") for postal in access.addresses() if postal.is_current
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
