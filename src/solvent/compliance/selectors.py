"""Compliance reads: a debtor's decisions, ledger, holds, consents, stated times, contact options.

Every read for a person takes the ``DebtorAccess`` that ``portfolio.access.access_debtor_by_id``
gave the caller, so a user only sees the compliance records of debtors whose accounts they may see,
and of a debtor who also owes another client, only their clients' part (ADR 0022). The engine
(``contact_option_list``) still decides on every fact of the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from solvent.compliance.decisions import decide_all
from solvent.compliance.domain.model import Decision
from solvent.compliance.engine_input import (
    debtor_accounts,
    debtor_facts_read,
    situation_for,
)
from solvent.compliance.models import (
    Consent,
    ContactAttempt,
    DecisionLog,
    Hold,
    HoldReleaseRequest,
    TimePreference,
)
from solvent.core import clock
from solvent.portfolio.access import (
    DebtorAccess,
    RecordScope,
    access_account_by_id,
    access_client_ids,
    access_debtor_by_id,
    access_filter_attributed,
    access_partial_debtors,
    access_record_scope,
)
from solvent.portfolio.models import Account, AccountDebtor, Phone
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
        decisions = decisions.filter(_blocked_by(rule_id))
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


# --- the compliance officer's review (issue 11; docs/adr/0027-compliance-review.md) ----------------


def _names_an_account_of(client_ids: frozenset[int]) -> RawSQL:
    """The decision names an account of one of these clients (in its JSON list of account ids).

    Written in SQL, in each database's own words for "the elements of a JSON list", so the test is
    made row by row where the rows are, instead of reading every row of a shared debtor into Python
    and sending back a list of ids to leave out (``access_filter_attributed``), which costs seconds
    on a portfolio with thousands of shared debtors.
    """
    decisions, accounts = DecisionLog._meta.db_table, Account._meta.db_table
    if connection.vendor == "postgresql":
        named = f'jsonb_array_elements_text("{decisions}"."account_ids") AS named(id)'
        match = "account.id = named.id::bigint"
    else:
        named = f'json_each("{decisions}"."account_ids") AS named'
        match = "account.id = named.value"
    clients = ", ".join(["%s"] * len(client_ids))
    # Only the models' own table names and fixed words are put into the text; the ids are
    # parameters.
    sql = (
        f"EXISTS (SELECT 1 FROM {named} JOIN {accounts} AS account ON {match} "  # noqa: S608 - see above
        f"WHERE account.client_id IN ({clients}))"
    )
    return RawSQL(sql, tuple(sorted(client_ids)), output_field=BooleanField())  # noqa: S611 - see above


def _blocked_by(rule_id: str) -> Q:
    """The rule is in the decision's list of blocking rule ids: PostgreSQL's JSON containment, or
    elsewhere the quoted id in the stored text (as ``decision_log_search``)."""
    if connection.vendor == "postgresql":
        return Q(blocking_rule_ids__contains=[rule_id])
    return Q(blocking_rule_ids__icontains=f'"{rule_id}"')


def decision_log_review(
    *,
    user: User | AnonymousUser,
    rule_id: str = "",
    outcome: str = "",
    client_id: int | None = None,
    agent_id: int | None = None,
    channel: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[DecisionLog]:
    """The compliance officer's list: decisions the user may see, the last logged first.

    What ``decision_log_search`` shows (ADR 0022), built for a screen that pages through millions:
    every decision about a debtor who owes only the user's clients, and of a debtor who also owes
    another client, those naming one of the user's clients' accounts. ``client_id`` narrows the same way to one client (nothing
    for a client the user does not serve); ``outcome`` is "allowed" or "blocked"; ``rule_id`` keeps
    the decisions that rule blocked; ``agent_id`` those that person asked for. Ordered by id, which
    is the order the gate logged them (it stamps ``decided_at`` with the clock as it logs), so a
    page is a walk back along the primary key. Debtor and asker come in the same query.
    """
    client_ids = access_client_ids(user=user)
    if client_id is not None:
        if client_ids is not None and client_id not in client_ids:
            return DecisionLog.objects.none()
        client_ids = frozenset({client_id})
    decisions = DecisionLog.objects.all()
    if client_ids is not None:
        if not client_ids:
            return DecisionLog.objects.none()
        owing = AccountDebtor.objects.filter(account__client_id__in=client_ids)
        # Debtors who also owe another client: only there must a decision name one of the clients'
        # accounts to be shown (a decision about no account in particular is then not shown).
        shared = owing.filter(
            debtor_id__in=AccountDebtor.objects.exclude(account__client_id__in=client_ids).values(
                "debtor_id"
            )
        )
        # A CASE, so the database reads a decision's account list only for a shared debtor's.
        shown = Case(
            When(debtor_id__in=shared.values("debtor_id"), then=_names_an_account_of(client_ids)),
            default=Value(True),
            output_field=BooleanField(),
        )
        decisions = decisions.filter(debtor_id__in=owing.values("debtor_id")).filter(shown)
    if outcome in ("allowed", "blocked"):
        decisions = decisions.filter(allowed=outcome == "allowed")
    if rule_id:
        decisions = decisions.filter(_blocked_by(rule_id))
    if channel:
        decisions = decisions.filter(channel=channel)
    if agent_id is not None:
        decisions = decisions.filter(asked_by_id=agent_id)
    if since is not None:
        decisions = decisions.filter(decided_at__gte=since)
    if until is not None:
        decisions = decisions.filter(decided_at__lt=until)
    return decisions.select_related("debtor", "asked_by").order_by("-pk")


def decision_asker_list(*, user: User | AnonymousUser) -> QuerySet[User]:
    """The people whose decisions the review may filter on: the staff of the user's clients' teams
    (every member of staff for an agency-wide role)."""
    staff = User.objects.filter(staff_profile__isnull=False)
    client_ids = access_client_ids(user=user)
    if client_ids is not None:
        staff = staff.filter(teams__clients__in=client_ids).distinct()
    return staff.order_by("username")


def _visible_records(
    records: QuerySet[_Record], *, user: User | AnonymousUser, client_id: int | None
) -> QuerySet[_Record]:
    """Holds or consents of debtors the user sees: about one of the user's (or the chosen client's)
    accounts, or about the whole person (``_attributed_or_personal`` across many debtors)."""
    client_ids = access_client_ids(user=user)
    records = records.filter(debtor__in=debtor_list(user=user))
    if client_id is not None:
        if client_ids is not None and client_id not in client_ids:
            return records.none()
        client_ids = frozenset({client_id})
        records = records.filter(debtor__accounts__client_id=client_id)
    if client_ids is None:
        return records
    shown = Q(accounts__isnull=True) | Q(accounts__client_id__in=client_ids)
    return records.filter(pk__in=records.filter(shown).values("pk"))


def hold_review_list(
    *,
    user: User | AnonymousUser,
    status: str = "open",
    kind: str = "",
    client_id: int | None = None,
) -> tuple[QuerySet[Hold], RecordScope]:
    """Holds across the debtors the user sees, newest first; ``status`` "open", "released" or "".

    With the scope that hides the free text (evidence, reasons, who placed it) of a person-wide
    hold on a debtor who also owes a client the user does not serve (ADR 0022).
    """
    holds = _visible_records(Hold.objects.all(), user=user, client_id=client_id)
    if status == "open":
        holds = holds.filter(released_at__isnull=True)
    elif status == "released":
        holds = holds.filter(released_at__isnull=False)
    if kind:
        holds = holds.filter(kind=kind)
    shared = list(access_partial_debtors(user=user).values_list("pk", flat=True))
    scope = access_record_scope(user=user, debtor_ids=shared)
    holds = holds.select_related("debtor", "placed_by", "released_by").prefetch_related(
        "accounts", "release_requests__requested_by", "release_requests__decided_by"
    )
    return holds.order_by("-placed_at", "-pk"), scope


def hold_release_request_pending_list(
    *, user: User | AnonymousUser
) -> QuerySet[HoldReleaseRequest]:
    """Release requests waiting for a second compliance officer, oldest first."""
    holds = _visible_records(
        Hold.objects.filter(released_at__isnull=True), user=user, client_id=None
    )
    return (
        HoldReleaseRequest.objects.filter(
            status=HoldReleaseRequest.Status.PENDING, hold__in=holds.values("pk")
        )
        .select_related("hold__debtor", "requested_by")
        .prefetch_related("hold__accounts")
        .order_by("requested_at", "pk")
    )


def consent_review_list(
    *,
    user: User | AnonymousUser,
    channel: str = "",
    state: str = "",
    client_id: int | None = None,
) -> tuple[QuerySet[Consent], RecordScope]:
    """Consents across the debtors the user sees, newest first; ``state`` "granted" (in force),
    "revoked" or "" (both). Opt-outs are ``medium_opt_out`` holds (``hold_review_list``)."""
    consents = _visible_records(Consent.objects.all(), user=user, client_id=client_id)
    if channel:
        consents = consents.filter(channel=channel)
    if state == "granted":
        consents = consents.filter(revoked_at__isnull=True)
    elif state == "revoked":
        consents = consents.filter(revoked_at__isnull=False)
    shared = list(access_partial_debtors(user=user).values_list("pk", flat=True))
    scope = access_record_scope(user=user, debtor_ids=shared)
    consents = consents.select_related("debtor", "granted_by", "revoked_by").prefetch_related(
        "accounts"
    )
    return consents.order_by("-given_at", "-pk"), scope


def _about_account(account_ids: Iterable[int], account_id: int) -> bool:
    """A record about this account, or about the person (no account in particular)."""
    ids = list(account_ids)
    return not ids or account_id in ids


@dataclass(frozen=True)
class DebtorEvidence:
    """One debtor's compliance records about one account, as the user may see them."""

    access: DebtorAccess
    decisions: list[DecisionLog]
    attempts: list[ContactAttempt]
    holds: list[Hold]
    consents: list[Consent]


def account_evidence_list(
    *, user: User | AnonymousUser, account_id: int
) -> tuple[Account, list[DebtorEvidence]]:
    """Every decision, attempt, hold and consent about the account (or about one of its debtors as
    a person), per debtor, for an evidence export; NotFoundError for an account the user does not
    see. A few queries per debtor, whatever the history's size."""
    account = access_account_by_id(user=user, account_id=account_id)
    evidence = []
    for debtor_id in account.debtors.order_by("pk").values_list("pk", flat=True):
        access = access_debtor_by_id(user=user, debtor_id=debtor_id)
        evidence.append(
            DebtorEvidence(
                access=access,
                decisions=[
                    decision
                    for decision in decision_log_list(access=access).select_related("asked_by")
                    if _about_account(decision.account_ids, account.pk)
                ],
                attempts=[
                    attempt
                    for attempt in contact_attempt_list(access=access)
                    if _about_account((a.pk for a in attempt.accounts.all()), account.pk)
                ],
                holds=[
                    hold
                    for hold in hold_list(access=access).select_related("placed_by", "released_by")
                    if _about_account((a.pk for a in hold.accounts.all()), account.pk)
                ],
                consents=[
                    consent
                    for consent in consent_list(access=access)
                    if _about_account((a.pk for a in consent.accounts.all()), account.pk)
                ],
            )
        )
    return account, evidence
