"""Reads of the portfolio. Account reads are tenant-scoped through `portfolio.access`."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet

from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.access import (
    DebtorAccess,
    access_account_by_id,
    access_account_queryset,
    access_client_ids,
    access_client_queryset,
)
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Placement


def client_list(*, user: User | AnonymousUser) -> QuerySet[Client]:
    return access_client_queryset(user=user).order_by("name")


def account_list(
    *, user: User | AnonymousUser, query: str = "", client_code: str = ""
) -> QuerySet[Account]:
    """Search by account number, debtor name, phone or email; newest placements first."""
    accounts = access_account_queryset(user=user).select_related("client")
    if client_code:
        accounts = accounts.filter(client__code=client_code)
    query = query.strip()
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        condition = Q(account_number__icontains=query) | Q(debtors__last_name__icontains=query)
        condition |= Q(debtors__first_name__icontains=query)
        # A number or address only another client's file supplied finds nothing (ADR 0022).
        client_ids = access_client_ids(user=user)
        email = Q(debtors__emails__address__iexact=query)
        phone = Q(debtors__phones__e164__endswith=digits[-10:])
        if client_ids is not None:
            email &= Q(debtors__emails__clients__isnull=True) | Q(
                debtors__emails__clients__in=client_ids
            )
            phone &= Q(debtors__phones__clients__isnull=True) | Q(
                debtors__phones__clients__in=client_ids
            )
        condition |= email
        if len(digits) >= 7:
            condition |= phone
        accounts = accounts.filter(condition).distinct()
    return accounts.prefetch_related(
        Prefetch("account_debtors", queryset=AccountDebtor.objects.select_related("debtor"))
    ).order_by("-id")


def account_get(*, user: User | AnonymousUser, account_id: int) -> Account:
    return access_account_by_id(user=user, account_id=account_id)


def debtor_list(*, user: User | AnonymousUser) -> QuerySet[Debtor]:
    visible_accounts = access_account_queryset(user=user)
    return (
        Debtor.objects.filter(accounts__in=visible_accounts).distinct().order_by("last_name", "id")
    )


def debtor_presented(*, access: DebtorAccess) -> dict[str, object]:
    """The debtor as this user may see them: the contact points their clients supplied or the
    agency learned, and only their accounts (ADR 0022)."""
    debtor = access.debtor
    return {
        **{name: getattr(debtor, name) for name in _DEBTOR_FIELDS},
        "account_ids": sorted(access.account_ids),
        "phones": list(access.phones()),
        "emails": list(access.emails()),
        "addresses": list(access.addresses()),
    }


_DEBTOR_FIELDS = (
    "id",
    "first_name",
    "middle_name",
    "last_name",
    "date_of_birth_masked",
    "national_id_masked",
    "language",
    "is_deceased",
    "in_bankruptcy",
    "attorney_represented",
    "cease_communication",
)


def debtor_accounts_visible(*, access: DebtorAccess) -> QuerySet[Account]:
    return Account.objects.filter(pk__in=access.account_ids).select_related("client")


def placement_list(*, user: User | AnonymousUser) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(client__in=access_client_queryset(user=user))
        .select_related("client")
        .order_by("-id")
    )


def placement_get(*, user: User | AnonymousUser, placement_id: int) -> Placement:
    placement = placement_list(user=user).filter(pk=placement_id).first()
    if placement is None:
        raise NotFoundError(f"placement {placement_id} not found")
    return placement
