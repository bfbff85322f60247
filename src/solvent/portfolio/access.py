"""The one access path to clients, accounts and debtors. Every id a person names starts here.

Zulip's pattern: ``access_<thing>_by_id`` returns the object or raises the same NotFoundError for
"missing" and "not yours" (nobody learns that an id exists at another client), and with
``for_write`` a PermissionDeniedError (403) for a role that reads only, asked only once the object
is known to be visible. Holds and ledger rows are reached through ``solvent.compliance.access``,
which builds on this module.

A debtor may owe several clients (the import matches people agency-wide). What is per person and
what is per client is decided in docs/adr/0022-tenancy.md: a user sees a debtor when they see one of
the debtor's accounts, and then only their clients' part of the person's records (``RecordScope``).

Written one condition per line so a reviewer can check each rule against the role matrix in
docs/adr/0001-foundation.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, Model, Q, QuerySet
from django.http import HttpRequest

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.core.models import Role, StaffProfile
from solvent.core.selectors import staff_role_get
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Email,
    Phone,
)

_Record = TypeVar("_Record", bound=Model)

# Roles that oversee the whole agency: every client, every account.
_AGENCY_WIDE_ROLES = frozenset({Role.ADMIN, Role.COMPLIANCE_OFFICER})


def access_client_queryset(*, user: User | AnonymousUser) -> QuerySet[Client]:
    role = staff_role_get(user=user)
    if role is None:
        return Client.objects.none()
    if role in _AGENCY_WIDE_ROLES:
        return Client.objects.all()
    return Client.objects.filter(teams__members=user.pk).distinct()


def access_account_queryset(*, user: User | AnonymousUser) -> QuerySet[Account]:
    """Accounts this user may see: those of the clients their teams serve."""
    role = staff_role_get(user=user)
    if role is None:
        return Account.objects.none()
    if role in _AGENCY_WIDE_ROLES:
        return Account.objects.all()
    return Account.objects.filter(client__teams__members=user.pk).distinct()


def access_account_by_id(
    *, user: User | AnonymousUser, account_id: int, for_write: bool = False
) -> Account:
    """One account, or NotFoundError — also when it exists but belongs to another tenant."""
    account = access_account_queryset(user=user).filter(pk=account_id).first()
    if account is None:
        raise NotFoundError(f"account {account_id} not found")
    if for_write:
        access_write_require(user=user)
    return account


def access_write_require(*, user: User | AnonymousUser) -> None:
    if not access_can_write(user=user):
        raise PermissionDeniedError("your role reads only")


@dataclass(frozen=True, slots=True)
class RecordScope:
    """What a response may show of the debtors in it: not the accounts of other clients.

    ``hidden_accounts`` are accounts of the debtors in the response that the user does not see;
    ``partial_debtors`` are those debtors (they owe a client the user does not serve). For every other
    debtor the user sees everything. A record about accounts is shown when one of them is visible,
    with the others left out of its account list; a record about no account in particular is
    about the person: on a partial debtor it is shown only for a person-level fact (a hold, a consent,
    a stated time) and without its free text (ADR 0022).
    """

    hidden_accounts: frozenset[int] = frozenset()
    partial_debtors: frozenset[int] = frozenset()
    # A response whose view set no scope shows nobody's accounts and no free text (fail closed).
    closed: bool = False

    def accounts(self, account_ids: Iterable[int]) -> list[int]:
        if self.closed:
            return []
        return sorted(pk for pk in account_ids if pk not in self.hidden_accounts)

    def shows(self, debtor_id: int, account_ids: Iterable[int]) -> bool:
        """A record attributed to these accounts (none: unattributed) of this debtor."""
        if self.closed:
            return False
        if debtor_id not in self.partial_debtors:
            return True
        return any(pk not in self.hidden_accounts for pk in account_ids)

    def shows_text(self, debtor_id: int, account_ids: Iterable[int]) -> bool:
        """Free text of a record (evidence, summaries, reasons): never across clients."""
        return self.shows(debtor_id, account_ids)


CLOSED_SCOPE = RecordScope(closed=True)
_SCOPE_ATTRIBUTE = "solvent_record_scope"


def scope_set(request: HttpRequest, scope: RecordScope) -> None:
    """Tell the response's schemas what to leave out (they read it with ``scope_of``)."""
    setattr(request, _SCOPE_ATTRIBUTE, scope)


def scope_of(context: Mapping[str, Any] | None) -> RecordScope:
    """The scope a schema resolver applies; closed when the view set none."""
    request = (context or {}).get("request")
    scope = getattr(request, _SCOPE_ATTRIBUTE, None)
    return scope if isinstance(scope, RecordScope) else CLOSED_SCOPE


def access_filter_attributed(
    records: QuerySet[_Record], scope: RecordScope, *, field: str = "account_ids"
) -> QuerySet[_Record]:
    """Leave out records (with a JSON list of account ids) the scope does not show.

    Only the rows of partially visible debtors are read to decide, so the common case (a debtor of
    the user's clients only) costs nothing.
    """
    if scope.closed:
        return records.none()
    if not scope.partial_debtors:
        return records
    rows = records.filter(debtor_id__in=scope.partial_debtors).values_list("pk", "debtor_id", field)
    hidden = [pk for pk, debtor_id, ids in rows if not scope.shows(debtor_id, ids or [])]
    return records.exclude(pk__in=hidden) if hidden else records


@dataclass(frozen=True, slots=True)
class DebtorAccess:
    """One debtor as one user may see them."""

    debtor: Debtor
    # The debtor's accounts this user sees (never empty: else the debtor is not found).
    account_ids: frozenset[int]
    # The clients the user serves; None: every client (an agency-wide role).
    client_ids: frozenset[int] | None
    scope: RecordScope

    @property
    def whole(self) -> bool:
        """The user sees every account of this debtor: nothing of another client to hide."""
        return self.debtor.pk not in self.scope.partial_debtors

    def phones(self) -> QuerySet[Phone]:
        return _supplied_to(self.debtor.phones.all(), self.client_ids)

    def emails(self) -> QuerySet[Email]:
        return _supplied_to(self.debtor.emails.all(), self.client_ids)

    def addresses(self) -> QuerySet[Address]:
        return _supplied_to(self.debtor.addresses.all(), self.client_ids)


_Point = TypeVar("_Point", Phone, Email, Address)


def _supplied_to(points: QuerySet[_Point], client_ids: frozenset[int] | None) -> QuerySet[_Point]:
    """Contact points the agency learned, and those the user's clients supplied."""
    if client_ids is None:
        return points.order_by("pk")
    supplied = Q(clients__isnull=True) | Q(clients__in=client_ids)
    return points.filter(pk__in=points.filter(supplied).values("pk")).order_by("pk")


def access_client_ids(*, user: User | AnonymousUser) -> frozenset[int] | None:
    """The clients this user serves; None for an agency-wide role (every client). One query."""
    if not user.is_authenticated:
        return frozenset()
    if getattr(user, "is_superuser", False):
        return None
    rows = list(
        StaffProfile.objects.filter(user_id=user.pk).values_list("role", "user__teams__clients")
    )
    if not rows:
        return frozenset()
    if Role(rows[0][0]) in _AGENCY_WIDE_ROLES:
        return None
    return frozenset(client for _role, client in rows if client is not None)


def access_debtor_by_id(
    *, user: User | AnonymousUser, debtor_id: int, for_write: bool = False
) -> DebtorAccess:
    """A debtor the user sees (one of their accounts is visible), or NotFoundError. Two queries."""
    client_ids = access_client_ids(user=user)
    links = list(
        AccountDebtor.objects.filter(debtor_id=debtor_id)
        .select_related("debtor")
        .annotate(client_id=F("account__client_id"))
    )
    owed = {link.account_id: link.client_id for link in links}
    visible = frozenset(
        pk for pk, client in owed.items() if client_ids is None or client in client_ids
    )
    if not visible:
        raise NotFoundError(f"debtor {debtor_id} not found")
    if for_write:
        access_write_require(user=user)
    debtor = links[0].debtor
    hidden = frozenset(pk for pk in owed if pk not in visible)
    scope = RecordScope(
        hidden_accounts=hidden, partial_debtors=frozenset({debtor.pk}) if hidden else frozenset()
    )
    return DebtorAccess(debtor=debtor, account_ids=visible, client_ids=client_ids, scope=scope)


def access_debtor_accounts_check(*, access: DebtorAccess, account_ids: Iterable[int]) -> None:
    """NotFoundError unless every account is this debtor's and visible to the user."""
    missing = sorted(set(account_ids) - access.account_ids)
    if missing:
        raise NotFoundError(f"accounts {missing} not found for debtor {access.debtor.pk}")


def access_contact_point_check(*, access: DebtorAccess, channel: str, contact_point: str) -> None:
    """NotFoundError when the point is on file only as another client's (the user may not use it).

    A point not on file at all is left to the service and the gate, which refuse what they do not
    know (fail closed); this check only keeps one client from using, or probing for, another's.
    """
    if access.client_ids is None:
        return
    point = contact_point.strip()
    if channel == "email":
        on_file = access.debtor.emails.filter(address__iexact=point).exists()
        usable = access.emails().filter(address__iexact=point).exists()
    elif point.startswith("address:"):
        address_id = _int_or_zero(point.removeprefix("address:"))
        on_file = access.debtor.addresses.filter(pk=address_id).exists()
        usable = access.addresses().filter(pk=address_id).exists()
    else:
        on_file = access.debtor.phones.filter(e164=point).exists()
        usable = access.phones().filter(e164=point).exists()
    if on_file and not usable:
        raise NotFoundError(f"contact point not found for debtor {access.debtor.pk}")


def _int_or_zero(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 19 else 0


def access_record_scope(*, user: User | AnonymousUser, debtor_ids: Iterable[int]) -> RecordScope:
    """The scope of a response about several debtors (a search): what to leave out of each."""
    client_ids = access_client_ids(user=user)
    if client_ids is None:
        return RecordScope()
    hidden = frozenset(
        Account.objects.filter(debtors__in=list(set(debtor_ids)))
        .exclude(client_id__in=client_ids)
        .values_list("pk", flat=True)
        .distinct()
    )
    partial = frozenset(
        Account.objects.filter(pk__in=hidden, debtors__in=list(set(debtor_ids)))
        .values_list("debtors", flat=True)
        .distinct()
    )
    return RecordScope(hidden_accounts=hidden, partial_debtors=partial)


def access_partial_debtors(*, user: User | AnonymousUser) -> QuerySet[Debtor]:
    """Debtors this user sees who also owe a client the user does not serve."""
    client_ids = access_client_ids(user=user)
    if client_ids is None:
        return Debtor.objects.none()
    return Debtor.objects.filter(accounts__client_id__in=client_ids).filter(
        pk__in=Account.objects.exclude(client_id__in=client_ids).values("debtors")
    )


def access_can_write(*, user: User | AnonymousUser) -> bool:
    role = staff_role_get(user=user)
    if role is None:
        return False
    return role != Role.CLIENT_VIEWER


# Rights over compliance holds (docs/adr/0013-hold-rights.md). Kinds are named as strings because
# portfolio sits below compliance; tests/compliance/services/test_hold_rights.py proves every
# ``compliance.Hold.Kind`` is named here, so a new kind cannot arrive without a decision.
# Legal holds: the law or the debtor's own word stops contact; only a compliance officer lifts them.
LEGAL_HOLD_KINDS = frozenset(
    {"cease", "dispute", "attorney", "bankruptcy", "deceased", "medium_opt_out"}
)
# Legal holds whose release also needs a second compliance officer's approval (maker-checker).
HOLD_KINDS_RELEASED_BY_TWO = frozenset({"attorney", "bankruptcy", "deceased"})
# Treatment pauses the agency chose (not the law): who may end each one.
_TREATMENT_PAUSE_RELEASERS = {
    "hardship": frozenset({Role.SUPERVISOR, Role.COMPLIANCE_OFFICER}),
    "complaint": frozenset({Role.COMPLIANCE_OFFICER}),
}


def access_can_place_hold(*, user: User | AnonymousUser) -> bool:
    """Any collector may stop contact (it protects the debtor); a client viewer only reads."""
    return access_can_write(user=user)


def access_can_release_hold(*, user: User | AnonymousUser, kind: str) -> bool:
    """May this user end a hold of this kind (or, for a two-person kind, ask for its release)?"""
    role = staff_role_get(user=user)
    if role is None:
        return False
    if kind in LEGAL_HOLD_KINDS:
        return role == Role.COMPLIANCE_OFFICER
    if kind in _TREATMENT_PAUSE_RELEASERS:
        return role in _TREATMENT_PAUSE_RELEASERS[kind]
    # A kind nobody decided on: nobody may lift it (fail closed).
    return False


def access_can_approve_hold_release(*, user: User | AnonymousUser, kind: str) -> bool:
    """The checker's right; that the checker is not the maker is the service's to prove."""
    role = staff_role_get(user=user)
    if role is None:
        return False
    if kind not in HOLD_KINDS_RELEASED_BY_TWO:
        return False
    return role == Role.COMPLIANCE_OFFICER
