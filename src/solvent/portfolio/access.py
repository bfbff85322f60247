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
