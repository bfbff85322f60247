"""The ledger's services on the database: posting allocates and moves the components, refusals name
the field, idempotency keys post once, returns and reversals undo exactly, the account's status
follows, and every write is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.status import Payment as CountedPayment
from solvent.arrangements.models import Promise
from solvent.audit.models import AuditEntry
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.core.models import Role
from solvent.payments import selectors
from solvent.payments.models import ClientTerms, Payment, PaymentAllocation
from solvent.payments.services.ledger import (
    payment_clear,
    payment_post,
    payment_record,
    payment_return,
    payment_reverse,
)
from solvent.portfolio.models import Account
from tests.arrangements.factories import debt_create, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
TODAY = date(2026, 12, 2)
D = Decimal


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def account() -> Account:
    account, _debtor = debt_create(principal="500.00")
    Account.objects.filter(pk=account.pk).update(interest=D("30.00"), fees=D("20.00"))
    account.refresh_from_db()
    return account


def _post(account: Account, amount: str, **extra: object) -> Payment:
    fields: dict[str, object] = {
        "account_id": account.pk,
        "amount": amount,
        "paid_on": TODAY,
        "method": "card",
        "source": "agent",
    }
    fields.update(extra)
    return payment_post(**fields)  # type: ignore[arg-type]


def _components(account: Account) -> tuple[Decimal, Decimal, Decimal]:
    account.refresh_from_db()
    return account.fees, account.interest, account.principal


def test_a_payment_allocates_fees_interest_then_principal_and_is_audited(account) -> None:
    payment = _post(account, "60.00", reference="R1")
    rows = dict(payment.allocations.values_list("component", "amount"))
    assert rows == {"fees": D("20.00"), "interest": D("30.00"), "principal": D("10.00")}
    assert _components(account) == (D("0"), D("0"), D("490.00"))
    # The placement's last payment (to the creditor) is the client's fact: the ledger leaves it.
    assert (account.last_payment_date, account.last_payment_amount) == (None, None)
    assert account.status == Account.Status.ACTIVE
    assert payment.debtor_id is not None
    entry = AuditEntry.objects.get(action="payments.payment_posted", object_id=str(payment.pk))
    assert entry.data["allocation"] == {"fees": "20.00", "interest": "30.00", "principal": "10.00"}


def test_the_clients_terms_set_the_order(account) -> None:
    ClientTerms.objects.create(
        client=account.client, allocation_order=["principal", "interest", "fees"]
    )
    _post(account, "510.00")
    assert _components(account) == (D("20.00"), D("20.00"), D("0"))


def test_paying_the_balance_marks_the_account_paid_and_a_return_reopens_it(account) -> None:
    payment = _post(account, "550.00")
    assert _components(account) == (D("0"), D("0"), D("0"))
    assert account.status == Account.Status.PAID
    payment_return(payment_id=payment.pk, reason="NSF")
    assert _components(account) == (D("20.00"), D("30.00"), D("500.00"))
    assert account.status == Account.Status.ACTIVE
    payment.refresh_from_db()
    assert (payment.status, payment.status_reason) == ("returned", "NSF")


def test_a_reopened_account_goes_back_to_its_pending_promise(account) -> None:
    debtor = account.debtors.get()
    Promise.objects.create(
        account=account,
        debtor=debtor,
        amount=D("10"),
        currency="GBP",
        due_on=TODAY,
        created_at=NOW,
    )
    payment = _post(account, "550.00")
    agent = staff_create("sup", Role.SUPERVISOR, clients=(account.client,))
    payment_reverse(payment_id=payment.pk, reason="posted to the wrong account", actor_id=agent.pk)
    account.refresh_from_db()
    assert account.status == Account.Status.PROMISE


def test_a_reversal_undoes_exactly_what_the_payment_allocated(account) -> None:
    first = _post(account, "25.00")
    second = _post(account, "40.00")
    agent = staff_create("sup", Role.SUPERVISOR, clients=(account.client,))
    payment_reverse(payment_id=first.pk, reason="duplicate", actor_id=agent.pk)
    # The first took 20 of fees and 5 of interest; they come back, the second's 25 of interest
    # and 15 of principal stay paid (a reversal never re-allocates the later payments).
    assert _components(account) == (D("20.00"), D("5.00"), D("485.00"))
    negatives = PaymentAllocation.objects.filter(payment=first, reverses__isnull=False)
    assert sorted((row.component, row.amount) for row in negatives) == [
        ("fees", D("-20.00")),
        ("interest", D("-5.00")),
    ]
    assert all(row.reverses.payment_id == first.pk for row in negatives)
    assert second.allocations.count() == 2
    entry = AuditEntry.objects.get(action="payments.payment_reversed")
    assert entry.actor_id == agent.pk


def test_a_second_return_or_reverse_is_refused(account) -> None:
    payment = _post(account, "25.00")
    payment_return(payment_id=payment.pk, reason="chargeback")
    with pytest.raises(ValidationError) as refused:
        payment_return(payment_id=payment.pk, reason="again")
    assert refused.value.code == "payment_already_returned"
    with pytest.raises(ValidationError):
        payment_reverse(payment_id=payment.pk, reason="again", actor_id=1)
    assert _components(account) == (D("20.00"), D("30.00"), D("500.00"))


def test_a_return_needs_a_reason(account) -> None:
    payment = _post(account, "25.00")
    with pytest.raises(FieldError) as refused:
        payment_return(payment_id=payment.pk, reason="  ")
    assert refused.value.field == "reason"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "550.01"}, "amount"),
        ({"paid_on": date(2026, 12, 4)}, "paid_on"),
        ({"currency": "USD"}, "currency"),
        ({"method": "bitcoin"}, "method"),
        ({"source": "rumour"}, "source"),
        ({"status": "returned"}, "status"),
    ],
)
def test_bad_input_is_refused_naming_the_field(account, extra, field) -> None:
    with pytest.raises(FieldError) as refused:
        _post(account, **{"amount": "10.00", **extra})  # type: ignore[arg-type]
    assert refused.value.field == field
    assert Payment.objects.count() == 0
    assert _components(account) == (D("20.00"), D("30.00"), D("500.00"))


def test_tomorrow_somewhere_on_earth_is_not_the_future(account) -> None:
    # 10:00 UTC on 2 December is already the 3rd in Kiribati (UTC+14).
    assert _post(account, "1.00", paid_on=date(2026, 12, 3)).paid_on == date(2026, 12, 3)


def test_a_closed_or_recalled_account_takes_no_payment(account) -> None:
    Account.objects.filter(pk=account.pk).update(status=Account.Status.RECALLED)
    with pytest.raises(FieldError) as refused:
        _post(account, "10.00", source="file")
    assert refused.value.field == "account_id"
    assert refused.value.code == "account_closed"


def test_a_file_or_gateway_posts_above_the_balance_as_an_overpayment(account) -> None:
    outcome = payment_record(
        account_id=account.pk, amount="600.00", paid_on=TODAY, method="ach", source="file"
    )
    assert outcome.overpayment == D("50.00")
    assert _components(account) == (D("0"), D("0"), D("0"))
    assert account.status == Account.Status.PAID
    assert outcome.payment.allocations.get(component="overpayment").amount == D("50.00")


def test_the_same_key_and_fields_post_once(account) -> None:
    first = payment_record(
        account_id=account.pk,
        amount="10.00",
        paid_on=TODAY,
        method="card",
        source="api",
        idempotency_key="k-1",
    )
    again = payment_record(
        account_id=account.pk,
        amount="10.00",
        paid_on=TODAY,
        method="card",
        source="api",
        idempotency_key="k-1",
    )
    assert (first.created, again.created) == (True, False)
    assert again.payment.pk == first.payment.pk
    assert Payment.objects.count() == 1
    assert _components(account) == (D("10.00"), D("30.00"), D("500.00"))


def test_the_same_key_with_other_fields_is_refused(account) -> None:
    _post(account, "10.00", idempotency_key="k-1")
    with pytest.raises(ValidationError) as refused:
        _post(account, "11.00", idempotency_key="k-1")
    assert refused.value.code == "idempotency_key_reused"
    assert "amount" in refused.value.message
    assert Payment.objects.count() == 1


def test_a_pending_payment_allocates_at_once_and_clears(account) -> None:
    payment = _post(account, "20.00", status="pending", method="ach")
    assert _components(account) == (D("0"), D("30.00"), D("500.00"))
    assert selectors.account_payments(account_id=account.pk) == [
        CountedPayment(paid_on=TODAY, amount=D("20.00"))
    ]
    payment_clear(payment_id=payment.pk)
    payment.refresh_from_db()
    assert payment.status == "cleared"
    assert payment_clear(payment_id=payment.pk).status == "cleared"
    payment_return(payment_id=payment.pk, reason="NSF")
    with pytest.raises(ValidationError) as refused:
        payment_clear(payment_id=payment.pk)
    assert refused.value.code == "payment_not_pending"
    assert selectors.account_payments(account_id=account.pk) == []


def test_an_unknown_account_or_payment_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        payment_post(account_id=999999, amount="1", paid_on=TODAY, method="card", source="api")
    with pytest.raises(NotFoundError):
        payment_return(payment_id=999999, reason="x")


def test_consequences_run_in_the_posting_transaction(account, monkeypatch) -> None:
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(
        "solvent.payments.services.ledger.payment_consequences",
        lambda **kwargs: calls.append(kwargs),
    )
    payment = _post(account, "5.00")
    payment_return(payment_id=payment.pk, reason="NSF")
    assert calls == [
        {"account_id": account.pk, "today": TODAY, "actor_id": None},
        {"account_id": account.pk, "today": TODAY, "actor_id": None},
    ]


def test_the_components_equal_placed_less_allocated(account) -> None:
    payments = [_post(account, amount) for amount in ("13.37", "40.00", "100.01")]
    payment_return(payment_id=payments[1].pk, reason="NSF")
    allocated = {
        component: sum(
            PaymentAllocation.objects.filter(account=account, component=component).values_list(
                "amount", flat=True
            ),
            D(0),
        )
        for component in ("fees", "interest", "principal")
    }
    fees, interest, principal = _components(account)
    assert fees == D("20.00") - allocated["fees"]
    assert interest == D("30.00") - allocated["interest"]
    assert principal == D("500.00") - allocated["principal"]
    assert sum(allocated.values(), D(0)) == D("113.38")


def test_the_back_office_refuses_an_order_that_is_not_a_permutation(account) -> None:
    from solvent.payments.admin import ClientTermsForm

    fields = {
        "client": account.client_id,
        "commission_rate": "0.25",
        "remittance_mode": "net",
        "promise_grace_days": 3,
        "reminder_days_before": 2,
        "settlement_floors": '{"early": "95"}',
        "settlement_expiry_days": 30,
    }
    bad = ClientTermsForm(data={**fields, "allocation_order": '["fees", "fees", "principal"]'})
    assert not bad.is_valid()
    assert "not an order of fees, interest and principal" in str(bad.errors["allocation_order"])
    good = ClientTermsForm(data={**fields, "allocation_order": '["Principal", "fees", "interest"]'})
    assert good.is_valid(), good.errors
    assert good.cleaned_data["allocation_order"] == ["principal", "fees", "interest"]


def test_a_moment_is_not_a_day(account) -> None:
    with pytest.raises(FieldError) as refused:
        _post(account, "1.00", paid_on=NOW)
    assert refused.value.field == "paid_on"
