"""What a payment (or its return) does to the account's promises and plans, on the ledger's own
transaction: kept on the last grace day and broken the day after, partly kept, a payment before
the promise does not count, a return reopens a kept promise, instalments filled in order, the
account's status following, a broken one in the work queue at once, the results file's payment
rows posted to the ledger; and the pure rules' invariants (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.arrangements.domain.status import Payment as Counted
from solvent.arrangements.domain.status import PromiseStatus, account_status_follow, promise_status
from solvent.audit.models import AuditEntry
from solvent.payments.models import ClientTerms, Payment
from solvent.payments.services.consequences import payment_consequences
from solvent.payments.services.ledger import payment_return
from solvent.portfolio.models import Account
from solvent.strategy.services.results import plan_results_post
from tests.arrangements.factories import debt_create
from tests.payments.arrangements_world import (
    D,
    clock_fixture,  # noqa: F401 (the clock fixture)
    open_items,
    pay,
    plan_make,
    promise_make,
    status_of,
)

MADE = date(2026, 12, 2)
DUE = date(2026, 12, 10)
LAST_GRACE_DAY = date(2026, 12, 13)  # due date + the default 3 days


# --- the pure rules -------------------------------------------------------------------------

_RANK = {
    PromiseStatus.PENDING: 0,
    PromiseStatus.BROKEN: 0,
    PromiseStatus.PARTLY_KEPT: 1,
    PromiseStatus.KEPT: 2,
}
_payments = st.lists(
    st.builds(
        Counted,
        paid_on=st.dates(date(2026, 12, 1), date(2026, 12, 31)),
        amount=st.decimals("0.01", "80.00", places=2),
    ),
    max_size=6,
)


@given(_payments, st.integers(0, 5), st.dates(date(2026, 12, 1), date(2027, 1, 10)))
def test_a_payment_more_never_makes_a_promise_worse_and_order_does_not_matter(
    payments: list[Counted], grace: int, today: date
) -> None:
    def judged(some: list[Counted]) -> PromiseStatus:
        return promise_status(
            amount=D("100.00"), due_on=DUE, payments=some, today=today, grace_days=grace
        )

    assert judged(payments) == judged(list(reversed(payments)))
    for index in range(len(payments)):
        fewer = payments[:index] + payments[index + 1 :]
        assert _RANK[judged(fewer)] <= _RANK[judged(payments)]
    if today <= DUE + timedelta(days=grace):
        assert judged(payments) in (PromiseStatus.PENDING, PromiseStatus.KEPT)


@given(st.sampled_from([s.value for s in Account.Status]), st.booleans(), st.booleans())
def test_the_account_status_follows_only_its_arrangements(
    current: str, pending_promise: bool, active_plan: bool
) -> None:
    status = account_status_follow(
        current, pending_promise=pending_promise, active_plan=active_plan
    )
    if current not in ("active", "promise", "plan"):
        assert status == current
    else:
        assert status == ("plan" if active_plan else "promise" if pending_promise else "active")


# --- on the database -------------------------------------------------------------------------


@pytest.fixture
def debt(db):
    return debt_create(principal="1000.00")


def test_a_promise_paid_on_the_last_grace_day_is_kept(clock, debt) -> None:
    account, debtor = debt
    promise = promise_make(account, debtor, "100.00", DUE)
    assert status_of(account) == "promise"
    clock.to(LAST_GRACE_DAY)
    payment_consequences(account_id=account.pk, today=LAST_GRACE_DAY)
    assert status_of(promise) == "pending"
    pay(account, "100.00", LAST_GRACE_DAY)
    assert status_of(promise) == "kept"
    assert status_of(account) == "active"
    assert open_items(account) == []
    entry = AuditEntry.objects.filter(action="arrangements.promise_status_changed").get()
    assert entry.data["from"] == "pending" and entry.data["status"] == "kept"


def test_a_promise_unpaid_the_day_after_its_grace_is_broken_and_queued_that_day(
    clock, debt
) -> None:
    account, debtor = debt
    promise = promise_make(account, debtor, "100.00", DUE)
    clock.to(LAST_GRACE_DAY)
    done = payment_consequences(account_id=account.pk, today=LAST_GRACE_DAY)
    assert status_of(promise) == "pending" and done.promises == {}
    day_after = clock.to(date(2026, 12, 14))
    done = payment_consequences(account_id=account.pk, today=day_after)
    assert done.promises == {promise.pk: ("pending", "broken")}
    assert status_of(promise) == "broken" and status_of(account) == "active"
    assert open_items(account) == [("broken_promise", f"promise:{promise.pk}")]
    # A payment after the deadline is no rescue: still broken, no second item.
    pay(account, "100.00", day_after)
    assert status_of(promise) == "broken"
    assert len(open_items(account)) == 1


def test_the_clients_grace_days_decide(clock, debt) -> None:
    account, debtor = debt
    ClientTerms.objects.create(client=account.client, promise_grace_days=0)
    promise = promise_make(account, debtor, "100.00", DUE)
    day_after = clock.to(date(2026, 12, 11))
    payment_consequences(account_id=account.pk, today=day_after)
    assert status_of(promise) == "broken"


def test_part_of_the_amount_by_the_deadline_is_partly_kept(clock, debt) -> None:
    account, debtor = debt
    promise = promise_make(account, debtor, "100.00", DUE)
    clock.to(DUE)
    pay(account, "60.00", DUE)
    assert status_of(promise) == "pending"  # the rest may still come
    later = clock.to(date(2026, 12, 14))
    payment_consequences(account_id=account.pk, today=later)
    assert status_of(promise) == "partly_kept"
    assert status_of(account) == "active"
    assert open_items(account) == []  # only a broken promise is queued


def test_a_payment_made_before_the_promise_does_not_count(clock, debt) -> None:
    account, debtor = debt
    clock.to(date(2026, 12, 1))
    pay(account, "100.00", date(2026, 12, 1))
    clock.to(MADE)
    promise = promise_make(account, debtor, "100.00", DUE)
    later = clock.to(date(2026, 12, 14))
    payment_consequences(account_id=account.pk, today=later)
    assert status_of(promise) == "broken"


def test_a_return_reopens_a_kept_promise_pending_before_its_deadline(clock, debt) -> None:
    account, debtor = debt
    promise = promise_make(account, debtor, "100.00", DUE)
    payment = pay(account, "100.00", MADE)
    assert (status_of(promise), status_of(account)) == ("kept", "active")
    clock.to(date(2026, 12, 5))
    payment_return(payment_id=payment.pk, reason="NSF")
    assert (status_of(promise), status_of(account)) == ("pending", "promise")
    assert open_items(account) == []


def test_a_return_after_the_deadline_breaks_the_kept_promise_and_queues_it(clock, debt) -> None:
    account, debtor = debt
    promise = promise_make(account, debtor, "100.00", DUE)
    payment = pay(account, "100.00", MADE)
    clock.to(date(2026, 12, 20))
    payment_return(payment_id=payment.pk, reason="chargeback")
    assert (status_of(promise), status_of(account)) == ("broken", "active")
    assert open_items(account) == [("broken_promise", f"promise:{promise.pk}")]


def test_a_payment_posted_late_but_made_in_time_keeps_a_broken_promise(clock, debt) -> None:
    account, debtor = debt
    promise = promise_make(account, debtor, "100.00", DUE)
    later = clock.to(date(2026, 12, 15))
    payment_consequences(account_id=account.pk, today=later)
    assert status_of(promise) == "broken"
    pay(account, "100.00", DUE, source="file", reference="late-file")
    assert status_of(promise) == "kept"


def test_plan_instalments_fill_in_order_then_the_plan_completes(clock, debt) -> None:
    account, debtor = debt
    account.principal = D("300.00")
    account.save(update_fields=["principal"])
    plan = plan_make(account, debtor, date(2026, 12, 7), "100")
    assert status_of(account) == "plan"
    pay(account, "150.00", MADE)  # all of the first, half of the second
    statuses = list(plan.instalments.order_by("number").values_list("status", flat=True))
    assert statuses == ["paid", "pending", "pending"]
    clock.to(date(2026, 12, 14))
    pay(account, "50.00", date(2026, 12, 14))
    statuses = list(plan.instalments.order_by("number").values_list("status", flat=True))
    assert statuses == ["paid", "paid", "pending"]
    assert status_of(plan) == "active"
    pay(account, "100.00", date(2026, 12, 14))
    assert status_of(plan) == "completed"
    assert status_of(account) == "paid"


def test_a_missed_instalment_breaks_the_plan_and_queues_it_once(clock, debt) -> None:
    account, debtor = debt
    plan = plan_make(account, debtor, date(2026, 12, 7), "150")
    pay(account, "150.00", MADE)
    day = clock.to(date(2026, 12, 18))  # instalment 2 due 14th, grace to the 17th
    done = payment_consequences(account_id=account.pk, today=day)
    second = plan.instalments.get(number=2)
    assert done.instalments_missed == [second.pk]
    assert done.plans == {plan.pk: ("active", "broken")}
    assert status_of(account) == "active"
    assert open_items(account) == [("broken_promise", f"instalment:{second.pk}")]
    # Later instalments of a broken plan are no news: no more items.
    later = clock.to(date(2026, 12, 30))
    payment_consequences(account_id=account.pk, today=later)
    assert len(open_items(account)) == 1


def test_a_return_reopens_a_completed_plan(clock, debt) -> None:
    account, debtor = debt
    account.principal = D("200.00")
    account.save(update_fields=["principal"])
    plan = plan_make(account, debtor, date(2026, 12, 7), "100")
    payment = pay(account, "200.00", MADE)
    assert (status_of(plan), status_of(account)) == ("completed", "paid")
    payment_return(payment_id=payment.pk, reason="NSF")
    assert (status_of(plan), status_of(account)) == ("active", "plan")


def test_running_the_consequences_again_changes_nothing(clock, debt) -> None:
    account, debtor = debt
    promise_make(account, debtor, "100.00", DUE)
    day = clock.to(date(2026, 12, 14))
    first = payment_consequences(account_id=account.pk, today=day)
    entries = AuditEntry.objects.count()
    again = payment_consequences(account_id=account.pk, today=day)
    assert first.promises and again.promises == {} and again.work_items == 0
    assert AuditEntry.objects.count() == entries


def test_a_results_payment_row_posts_to_the_ledger_once_and_keeps_the_promise(clock, debt) -> None:
    account, debtor = debt
    promise = promise_make(account, debtor, "100.00", DUE)
    row = {
        "account_number": account.account_number,
        "client": account.client.code,
        "channel": "payment",
        "payment_amount": "100.00",
        "payment_date": MADE.isoformat(),
    }
    first = plan_results_post(rows=[row])
    again = plan_results_post(rows=[row])
    assert (first.payments, first.rejected, again.payments, again.duplicates) == (1, [], 0, 1)
    payment = Payment.objects.get()
    assert payment.source == "results" and payment.idempotency_key.startswith("results:")
    account.refresh_from_db()
    assert account.principal == D("900.00")
    assert status_of(promise) == "kept"


def test_a_results_payment_row_the_ledger_refuses_is_reported(clock, debt) -> None:
    account, _debtor = debt
    Account.objects.filter(pk=account.pk).update(status="closed")
    row = {
        "account_number": account.account_number,
        "client": account.client.code,
        "channel": "payment",
        "payment_amount": "10.00",
    }
    summary = plan_results_post(rows=[row])
    assert summary.payments == 0 and [(e.row, e.field) for e in summary.rejected] == [
        (1, "account_id")
    ]
    assert not Payment.objects.exists()
