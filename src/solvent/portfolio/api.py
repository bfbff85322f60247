"""Portfolio endpoints: tenant-scoped reads of clients, debtors and accounts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from solvent.core.schemas import LimitOffsetPage, RowId
from solvent.portfolio import selectors
from solvent.portfolio.access import access_debtor_by_id
from solvent.portfolio.models import Account, Client
from solvent.portfolio.schemas import AccountOut, ClientOut, DebtorOut

router = Router(tags=["portfolio"])


@router.get("/clients", response=list[ClientOut])
def clients(request: HttpRequest) -> list[Client]:
    return list(selectors.client_list(user=request.user))


@router.get("/accounts", response=list[AccountOut])
@paginate(LimitOffsetPage)
def accounts(request: HttpRequest, q: str = "", client: str = "") -> QuerySet[Account]:
    return selectors.account_list(user=request.user, query=q, client_code=client)


@router.get("/accounts/{account_id}", response=AccountOut)
def account(request: HttpRequest, account_id: RowId) -> Account:
    return selectors.account_get(user=request.user, account_id=account_id)


@router.get("/debtors/{debtor_id}", response=DebtorOut)
def debtor(request: HttpRequest, debtor_id: RowId) -> dict[str, object]:
    """A debtor as this user may see them: of a debtor who also owes another client, only this
    user's accounts and the contact points their clients supplied (or the agency learned)."""
    access = access_debtor_by_id(user=request.user, debtor_id=debtor_id)
    return selectors.debtor_presented(access=access)
