"""Reads of the portfolio. Account reads are tenant-scoped through `portfolio.access`."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Replace

from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.access import (
    DebtorAccess,
    access_account_by_id,
    access_account_queryset,
    access_client_ids,
    access_client_queryset,
)
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Client,
    Debtor,
    Email,
    Phone,
    Placement,
)


def client_list(*, user: User | AnonymousUser) -> QuerySet[Client]:
    return access_client_queryset(user=user).order_by("name")


def account_list(
    *, user: User | AnonymousUser, query: str = "", client_code: str = ""
) -> QuerySet[Account]:
    """Search as people type (issue 11): every word of a name, in any order, belongs to one debtor
    (first, middle or last name); part of an e-mail address (the domain, the local part); a phone
    number in any format (seven digits or more, national or international); the account number or
    part of it, with or without its dashes and spaces. Newest placements first.

    A phone number or e-mail address only another client's file supplied finds nothing (ADR 0022).
    """
    accounts = access_account_queryset(user=user).select_related("client")
    if client_code:
        accounts = accounts.filter(client__code=client_code)
    query = query.strip()
    if query:
        debtors = _debtors_matching(user=user, query=query)
        condition = Q(pk__in=AccountDebtor.objects.filter(debtor__in=debtors).values("account_id"))
        compact = "".join(ch for ch in query if ch.isalnum())
        if compact:
            accounts = accounts.annotate(_compact_number=_compact("account_number"))
            condition |= Q(_compact_number__icontains=compact)
        else:
            condition |= Q(account_number__icontains=query)
        accounts = accounts.filter(condition)
    return accounts.prefetch_related(
        Prefetch("account_debtors", queryset=AccountDebtor.objects.select_related("debtor"))
    ).order_by("-id")


_NAME_SEPARATORS = re.compile(r"[\s,;]+")
_NUMBER_PUNCTUATION = ("-", " ", "/", ".")


def _compact(field: str) -> Combinable:
    """The column without the dashes, spaces, slashes and dots people leave out when they type."""
    expression: Combinable = F(field)
    for mark in _NUMBER_PUNCTUATION:
        expression = Replace(expression, Value(mark), Value(""))
    return expression


def _debtors_matching(*, user: User | AnonymousUser, query: str) -> QuerySet[Debtor]:
    """The debtors a query names: by name, by part of an e-mail address, by phone number."""
    words = [word for word in _NAME_SEPARATORS.split(query) if word]
    by_name = Q()
    for word in words:
        by_name &= (
            Q(first_name__icontains=word)
            | Q(middle_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    condition = by_name
    client_ids = access_client_ids(user=user)
    supplied = Q()
    if client_ids is not None:
        supplied = Q(clients__isnull=True) | Q(clients__in=client_ids)
    if len(words) == 1 and len(query) >= 3:
        emails = Email.objects.filter(supplied, address__icontains=query.lstrip("@"))
        condition |= Q(pk__in=emails.values("debtor_id"))
    # National (07700 900123), international (+44 7700..., 0044 7700...) and local (225-0777)
    # forms: the digits without the leading zeros of a trunk or international prefix are a
    # substring of the E.164 number.
    digits = "".join(ch for ch in query if ch.isdigit()).lstrip("0")
    if len(digits) >= 7 and not any(ch.isalpha() for ch in query):
        phones = Phone.objects.filter(supplied, e164__contains=digits)
        condition |= Q(pk__in=phones.values("debtor_id"))
    return Debtor.objects.filter(condition)


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
