"""Payments posted at the same moment on PostgreSQL allocate as if one after the other.

Real transactions on separate connections (one per thread), released together by a barrier. The
ledger locks the account row before it reads the components (docs/adr/0030-payments-ledger.md), so
the sum of the allocations equals the sum of the payments and each component equals what was
placed less what was allocated to it; the balance check of a payment taken now sees the payments
posted a moment before; one idempotency key posts once even across accounts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from solvent.arrangements.domain.errors import FieldError
from solvent.core import clock
from solvent.core.domain.errors import ValidationError
from solvent.payments.models import Payment, PaymentAllocation
from solvent.payments.services.ledger import payment_post
from solvent.portfolio.models import Account
from tests.arrangements.factories import ClientFactory, debt_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8
D = Decimal
PLACED = {"fees": D("20.00"), "interest": D("30.00"), "principal": D("100.00")}


def _account() -> Account:
    account, _ = debt_create(client=ClientFactory(), principal="100.00")
    Account.objects.filter(pk=account.pk).update(fees=PLACED["fees"], interest=PLACED["interest"])
    return account


def _together(work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run ``work(i)`` in WORKERS threads released at once; what each returned or raised."""
    barrier = threading.Barrier(WORKERS)
    results: list[object] = [None] * WORKERS
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except (FieldError, ValidationError) as refused:
            results[index] = refused
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a posting never returned"
    return results, errors


def _allocated(account: Account, component: str) -> Decimal:
    total = PaymentAllocation.objects.filter(account=account, component=component).aggregate(
        total=Sum("amount")
    )["total"]
    return total or D(0)


def test_payments_posted_at_once_allocate_as_one_after_the_other() -> None:
    account = _account()
    # 8 x 17.37 + 28, and 8 x 1.00 more: 174.96, 24.96 above the balance of 150.
    amounts = [D("17.37") + index for index in range(WORKERS)]

    def post_two(index: int) -> object:
        for part in (amounts[index], D("1.00")):
            payment_post(
                account_id=account.pk,
                amount=part,
                paid_on=clock.today(),
                method="ach",
                source="file",
            )
        return None

    _results, errors = _together(post_two)
    assert not errors, errors
    paid = sum(amounts, D(0)) + WORKERS
    assert Payment.objects.filter(account=account).count() == 2 * WORKERS
    allocations = PaymentAllocation.objects.filter(account=account).aggregate(total=Sum("amount"))
    assert allocations["total"] == paid
    account.refresh_from_db()
    for component, placed in PLACED.items():
        assert getattr(account, component) == placed - _allocated(account, component)
        assert getattr(account, component) == 0
    assert _allocated(account, "overpayment") == paid - sum(PLACED.values(), D(0)) == D("24.96")
    assert account.status == Account.Status.PAID


def test_the_balance_check_sees_the_payments_posted_a_moment_before() -> None:
    account = _account()

    def take(_index: int) -> object:
        return payment_post(
            account_id=account.pk,
            amount="25.00",
            paid_on=clock.today(),
            method="card",
            source="api",
        )

    results, errors = _together(take)
    assert not errors, errors
    refused = [result for result in results if isinstance(result, FieldError)]
    assert len(refused) == WORKERS - 6  # 6 x 25 is the whole balance of 150
    assert {error.field for error in refused} == {"amount"}
    account.refresh_from_db()
    assert (account.balance, account.status) == (D("0.00"), Account.Status.PAID)
    assert _allocated(account, "overpayment") == 0


def test_one_key_posts_once_even_for_two_accounts_at_once() -> None:
    first = _account()
    second, _ = debt_create(client=first.client, principal="100.00")
    accounts = [first, second]

    def post(index: int) -> object:
        return payment_post(
            account_id=accounts[index % 2].pk,
            amount="5.00",
            paid_on=clock.today(),
            method="card",
            source="api",
            idempotency_key="same-key",
        )

    results, errors = _together(post)
    assert not errors, errors
    payment = Payment.objects.get()
    reused = [r for r in results if isinstance(r, ValidationError)]
    returned = [r for r in results if isinstance(r, Payment)]
    assert all(error.code == "idempotency_key_reused" for error in reused)
    assert all(p.pk == payment.pk for p in returned)
    assert len(returned) == WORKERS // 2
    assert len(reused) == WORKERS // 2
