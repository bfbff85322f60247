"""Reads of the portfolio. Account reads are tenant-scoped through `portfolio.access`."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, Q, QuerySet

from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.access import (
    access_account_get,
    access_account_queryset,
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
        condition |= Q(debtors__emails__address__iexact=query)
        if len(digits) >= 7:
            condition |= Q(debtors__phones__e164__endswith=digits[-10:])
        accounts = accounts.filter(condition).distinct()
    return accounts.prefetch_related(
        Prefetch("account_debtors", queryset=AccountDebtor.objects.select_related("debtor"))
    ).order_by("-id")


def account_get(*, user: User | AnonymousUser, account_id: int) -> Account:
    return access_account_get(user=user, account_id=account_id)


def debtor_list(*, user: User | AnonymousUser) -> QuerySet[Debtor]:
    visible_accounts = access_account_queryset(user=user)
    return (
        Debtor.objects.filter(accounts__in=visible_accounts).distinct().order_by("last_name", "id")
    )


def debtor_get(*, user: User | AnonymousUser, debtor_id: int) -> Debtor:
    """A debtor is visible when at least one of their accounts is."""
    debtor = (
        debtor_list(user=user)
        .filter(pk=debtor_id)
        .prefetch_related("phones", "emails", "addresses")
        .first()
    )
    if debtor is None:
        raise NotFoundError(f"debtor {debtor_id} not found")
    return debtor


def debtor_accounts_visible(*, user: User | AnonymousUser, debtor: Debtor) -> QuerySet[Account]:
    return access_account_queryset(user=user).filter(debtors=debtor).select_related("client")


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
