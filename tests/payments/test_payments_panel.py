"""The account screen's payments panel: the balance and payments, a payment taken on the call
(posted once however often the form is sent), the 5-second refresh, returns for a supervisor."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from solvent.core.models import Role
from solvent.payments.models import Payment
from solvent.payments.services.ledger import payment_post
from solvent.portfolio.models import Account, Client
from tests.arrangements.factories import ClientFactory, debt_create, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
D = Decimal


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def account() -> Account:
    account, _ = debt_create(client=ClientFactory(), principal="200.00")
    return account


def _as(role: Role, account: Account) -> HttpClient:
    http = HttpClient()
    http.force_login(staff_create(role.value, role, clients=(account.client,)))
    return http


def _base(account: Account) -> str:
    return f"/accounts/{account.pk}/payments/"


def test_the_account_screen_loads_the_panel_lazily(account) -> None:
    page = _as(Role.AGENT, account).get(f"/accounts/{account.pk}/")
    assert page.status_code == 200
    assert f'hx-get="{_base(account)}"' in page.content.decode()


def test_an_agent_takes_a_payment_once_however_often_the_form_is_sent(account) -> None:
    http = _as(Role.AGENT, account)
    panel = http.get(_base(account)).content.decode()
    assert 'data-testid="payment-form"' in panel
    assert "No payment yet." in panel
    key = re.search(r'name="idempotency_key" value="(\w+)"', panel).group(1)
    form = {"amount": "50.00", "paid_on": "2026-12-02", "method": "card", "idempotency_key": key}
    first = http.post(f"{_base(account)}take/", form).content.decode()
    assert "Payment of 50.00 GBP recorded." in first
    again = http.post(f"{_base(account)}take/", form).content.decode()
    assert "already recorded" in again
    payment = Payment.objects.get()
    assert (payment.source, payment.amount) == ("agent", D("50.00"))
    assert 'data-testid="payments-balance-total">150.00 GBP' in again
    assert "Principal 50.00" in again


def test_a_refusal_is_shown_beside_its_field_and_posts_nothing(account) -> None:
    http = _as(Role.AGENT, account)
    form = {"amount": "250.00", "paid_on": "2026-12-02", "method": "card", "idempotency_key": "k"}
    answer = http.post(f"{_base(account)}take/", form).content.decode()
    assert 'id="payment-amount-error">250.00 GBP is more than the balance' in answer
    assert 'aria-invalid="true"' in answer
    assert Payment.objects.count() == 0


def test_the_panel_refreshes_only_when_a_payment_arrives(account) -> None:
    http = _as(Role.CLIENT_VIEWER, account)
    panel = http.get(_base(account)).content.decode()
    assert 'data-testid="payment-form"' not in panel
    seen = re.search(r"live/\?seen=(\w+)", panel).group(1)
    assert http.get(f"{_base(account)}live/?seen={seen}").status_code == 204
    payment_post(
        account_id=account.pk, amount="20", paid_on=NOW.date(), method="card", source="portal"
    )
    changed = http.get(f"{_base(account)}live/?seen={seen}")
    assert changed.status_code == 200
    assert "20.00 GBP" in changed.content.decode()
    assert 'hx-trigger="every 5s"' in changed.content.decode()


def test_a_supervisor_returns_a_payment_an_agent_may_not(account) -> None:
    payment = payment_post(
        account_id=account.pk, amount="20", paid_on=NOW.date(), method="ach", source="file"
    )
    path = f"{_base(account)}{payment.pk}/return/"
    assert _as(Role.AGENT, account).post(path, {"reason": "NSF"}).status_code == 403
    supervisor = _as(Role.SUPERVISOR, account)
    assert "Returned or posted in error" in supervisor.get(_base(account)).content.decode()
    answer = supervisor.post(path, {"reason": "NSF"}).content.decode()
    assert "balance restored" in answer
    assert 'data-status="returned"' in answer
    again = supervisor.post(path, {"reason": "NSF"}).content.decode()
    assert "already returned" in again
    account.refresh_from_db()
    assert account.balance == D("200.00")


def test_another_clients_account_or_payment_is_not_found(account) -> None:
    other = Client.objects.create(code="globex", name="Globex", currency="GBP")
    foreign, _ = debt_create(client=other, principal="10.00")
    payment = payment_post(
        account_id=foreign.pk, amount="1", paid_on=NOW.date(), method="ach", source="file"
    )
    supervisor = _as(Role.SUPERVISOR, account)
    assert supervisor.get(_base(foreign)).status_code == 404
    # A payment of another account, named under the user's own account: not found either.
    answer = supervisor.post(f"{_base(account)}{payment.pk}/return/", {"reason": "x"})
    assert answer.status_code == 404


def test_a_refusal_of_the_account_is_shown_above_the_form(account) -> None:
    Account.objects.filter(pk=account.pk).update(status=Account.Status.CLOSED)
    form = {"amount": "5.00", "paid_on": "2026-12-02", "method": "card", "idempotency_key": "k"}
    answer = _as(Role.AGENT, account).post(f"{_base(account)}take/", form).content.decode()
    assert 'data-testid="payments-error">account_id: account' in answer
    assert "is closed: nothing is posted to it" in answer
    assert Payment.objects.count() == 0
