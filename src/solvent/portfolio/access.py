"""The one access path to accounts. Every read of accounts for a person starts here.

Written one condition per line so a reviewer can check each rule against the role matrix in
docs/adr/0001-foundation.md.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from solvent.core.domain.errors import NotFoundError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.portfolio.models import Account, Client

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


def access_account_get(*, user: User | AnonymousUser, account_id: int) -> Account:
    """One account, or NotFoundError — also when it exists but belongs to another tenant."""
    account = access_account_queryset(user=user).filter(pk=account_id).first()
    if account is None:
        raise NotFoundError(f"account {account_id} not found")
    return account


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
