"""Reads of the settlements feature, tenant-scoped: an account is reached through
``solvent.portfolio.access`` first, a settlement only through an account the user sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from solvent.core.domain.errors import NotFoundError
from solvent.payments.domain.settlement import (
    floor_for,
    settlement_amount_for_percent,
    settlement_stage,
)
from solvent.payments.models import ClientTerms, Settlement
from solvent.payments.selectors import account_payments
from solvent.portfolio.access import access_account_by_id, access_account_queryset
from solvent.portfolio.models import Account

# A settlement that still binds the account: only one at a time.
LIVE_STATUSES = (
    Settlement.Status.PENDING_APPROVAL,
    Settlement.Status.OFFERED,
    Settlement.Status.ACCEPTED,
)


def client_terms_get(*, client_id: int) -> ClientTerms:
    """The client's terms, or the defaults when none were recorded (not saved)."""
    terms = ClientTerms.objects.filter(client_id=client_id).first()
    return terms if terms is not None else ClientTerms(client_id=client_id)


@dataclass(frozen=True, slots=True)
class Authority:
    """What an agent may offer on this account today without a second person."""

    stage: str
    floor_percent: Decimal | None
    floor_amount: Decimal | None  # the lowest amount within authority (rounded up to the cent)
    expiry_days: int
    grace_days: int


def settlement_authority(*, account: Account, today: date) -> Authority:
    terms = client_terms_get(client_id=account.client_id)
    stage = settlement_stage(account.days_past_due(today))
    floor = floor_for(terms.settlement_floors, stage)
    floor_amount = None
    if floor is not None and account.balance > 0:
        floor_amount = settlement_amount_for_percent(floor, account.balance)
    return Authority(
        stage=stage,
        floor_percent=floor,
        floor_amount=floor_amount,
        expiry_days=terms.settlement_expiry_days,
        grace_days=terms.promise_grace_days,
    )


def settlement_list(*, account: Account) -> QuerySet[Settlement]:
    """The account's settlements, newest first (the account is one the caller was given access to)."""
    return (
        Settlement.objects.filter(account=account)
        .select_related("requested_by", "decided_by", "debtor")
        .order_by("-requested_at", "-pk")
    )


def settlement_visible_list(*, user: User | AnonymousUser) -> QuerySet[Settlement]:
    """Settlements on every account this user sees, newest first."""
    return Settlement.objects.filter(
        account__in=access_account_queryset(user=user).values("pk")
    ).order_by("-requested_at", "-pk")


def settlement_live(*, account: Account) -> Settlement | None:
    return settlement_list(account=account).filter(status__in=LIVE_STATUSES).first()


def settlement_get(*, account: Account, settlement_id: int) -> Settlement:
    """A settlement of this account; NotFoundError otherwise (an id of another account too)."""
    settlement = settlement_list(account=account).filter(pk=settlement_id).first()
    if settlement is None:
        raise NotFoundError(f"settlement {settlement_id} not found")
    return settlement


def access_settlement_by_id(
    *, user: User | AnonymousUser, settlement_id: int, for_write: bool = False
) -> Settlement:
    """A settlement on an account the user sees; "missing" and "not yours" answer alike (404)."""
    row = Settlement.objects.filter(pk=settlement_id).values_list("account_id", flat=True).first()
    if row is None:
        raise NotFoundError(f"settlement {settlement_id} not found")
    try:
        account = access_account_by_id(user=user, account_id=row, for_write=for_write)
    except NotFoundError:
        raise NotFoundError(f"settlement {settlement_id} not found") from None
    return settlement_get(account=account, settlement_id=settlement_id)


def settlement_pending_list(*, user: User | AnonymousUser) -> QuerySet[Settlement]:
    """Offers waiting for a second person, on the accounts this user sees, oldest first."""
    return (
        Settlement.objects.filter(
            status=Settlement.Status.PENDING_APPROVAL,
            account__in=access_account_queryset(user=user).values("pk"),
        )
        .select_related("account", "account__client", "debtor", "requested_by")
        .order_by("requested_at", "pk")
    )


def settlement_paid_total(*, account_id: int, first_day: date, last_day: date) -> Decimal:
    """What the account's counted payments (pending or cleared, as the ledger's
    ``account_payments`` reads them) made between the two days (inclusive) add up to."""
    return sum(
        (
            payment.amount
            for payment in account_payments(account_id=account_id)
            if first_day <= payment.paid_on <= last_day
        ),
        start=Decimal(0),
    )
