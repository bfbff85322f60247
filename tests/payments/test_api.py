"""The ledger's API: idempotent posting (201, then 200 with the same payment, 409 for another
payment under the same key), tenant scoping (another client's account or payment is a 404), roles
for returns, reversals and files, and the file report."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from solvent.core.models import Role
from solvent.core.services import api_token_create
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
def world() -> dict[str, Any]:
    harbor = ClientFactory()
    other = Client.objects.create(code="globex", name="Globex", currency="GBP")
    own, _ = debt_create(client=harbor, principal="300.00")
    foreign, _ = debt_create(client=other, principal="300.00")
    tokens = {
        role: api_token_create(user=staff_create(role.value, role, clients=(harbor,)), name="t")
        for role in (Role.AGENT, Role.SUPERVISOR, Role.CLIENT_VIEWER)
    }
    tokens[Role.ADMIN] = api_token_create(user=staff_create("admin", Role.ADMIN), name="t")
    return {"own": own, "foreign": foreign, "tokens": tokens}


def _call(method: str, path: str, token: str, **extra: Any):
    http = HttpClient()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", **extra.pop("headers", {})}
    if "json" in extra:
        return getattr(http, method)(
            path, data=extra.pop("json"), content_type="application/json", **headers
        )
    return getattr(http, method)(path, data=extra.pop("data", None), **headers)


def _body(account: Account, **changes: Any) -> dict[str, Any]:
    return {
        "account_id": account.pk,
        "amount": "40.00",
        "paid_on": "2026-12-02",
        "method": "card",
        "reference": "call-1",
        **changes,
    }


def test_a_payment_posts_once_per_idempotency_key(world) -> None:
    token = world["tokens"][Role.AGENT]
    key = {"HTTP_IDEMPOTENCY_KEY": "abc-1"}
    first = _call("post", "/api/payments", token, json=_body(world["own"]), headers=key)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["amount"], body["status"], body["source"]) == ("40.00", "cleared", "api")
    assert body["allocations"] == [{"component": "principal", "amount": "40.00", "reverses": None}]
    again = _call("post", "/api/payments", token, json=_body(world["own"]), headers=key)
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    other = _call(
        "post", "/api/payments", token, json=_body(world["own"], amount="41.00"), headers=key
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_the_key_is_required_and_bad_amounts_name_the_field(world) -> None:
    token = world["tokens"][Role.AGENT]
    missing = _call("post", "/api/payments", token, json=_body(world["own"]))
    assert missing.status_code == 400
    assert missing.json()["code"] == "idempotency_key_required"
    above = _call(
        "post",
        "/api/payments",
        token,
        json=_body(world["own"], amount="300.01", idempotency_key="k2"),
    )
    assert above.status_code == 400
    assert above.json()["code"] == "invalid_amount"
    assert "more than the balance" in above.json()["detail"]
    assert Payment.objects.count() == 0


def test_another_clients_account_and_payment_are_not_found(world) -> None:
    token = world["tokens"][Role.SUPERVISOR]
    foreign = world["foreign"]
    posted = _call("post", "/api/payments", token, json=_body(foreign, idempotency_key="k3"))
    assert posted.status_code == 404
    payment = payment_post(
        account_id=foreign.pk, amount="5", paid_on=NOW.date(), method="card", source="api"
    )
    assert _call("get", f"/api/payments?account_id={foreign.pk}", token).status_code == 404
    assert _call("get", "/api/payments", token).json() == []
    refused = _call("post", f"/api/payments/{payment.pk}/return", token, json={"reason": "NSF"})
    assert refused.status_code == 404
    payment.refresh_from_db()
    assert payment.status == "cleared"


def test_a_client_viewer_reads_but_does_not_post(world) -> None:
    token = world["tokens"][Role.CLIENT_VIEWER]
    refused = _call("post", "/api/payments", token, json=_body(world["own"], idempotency_key="x"))
    assert refused.status_code == 403
    payment_post(
        account_id=world["own"].pk, amount="5", paid_on=NOW.date(), method="cash", source="agent"
    )
    listed = _call("get", f"/api/payments?account_id={world['own'].pk}", token)
    assert [row["amount"] for row in listed.json()] == ["5.00"]


def test_a_supervisor_returns_and_reverses_an_agent_may_not(world) -> None:
    own = world["own"]
    payments = [
        payment_post(account_id=own.pk, amount=a, paid_on=NOW.date(), method="ach", source="api")
        for a in ("10.00", "20.00")
    ]
    path = f"/api/payments/{payments[0].pk}/return"
    agent = _call("post", path, world["tokens"][Role.AGENT], json={"reason": "NSF"})
    assert agent.status_code == 403
    supervisor = world["tokens"][Role.SUPERVISOR]
    returned = _call("post", path, supervisor, json={"reason": "NSF"})
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert [row["amount"] for row in returned.json()["allocations"]] == ["10.00", "-10.00"]
    twice = _call("post", path, supervisor, json={"reason": "NSF"})
    assert (twice.status_code, twice.json()["code"]) == (400, "payment_already_returned")
    reversed_ = _call(
        "post",
        f"/api/payments/{payments[1].pk}/reverse",
        supervisor,
        json={"reason": "wrong account"},
    )
    assert reversed_.json()["status"] == "reversed"
    own.refresh_from_db()
    assert own.balance == D("300.00")


def test_a_payment_file_answers_its_report(world) -> None:
    own = world["own"]
    content = (
        "account_number,amount,paid_on,method,reference\n"
        f"{own.account_number},12.00,2026-12-01,ach,F-1\n"
        f"{own.account_number},x,2026-12-01,ach,F-2\n"
    ).encode()

    def upload(token: str, dry_run: bool = False):
        data = {
            "file": SimpleUploadedFile("p.csv", content, content_type="text/csv"),
            "client": "harbor",
            "dry_run": "true" if dry_run else "false",
        }
        return _call("post", "/api/payments/files", token, data=data)

    assert upload(world["tokens"][Role.SUPERVISOR]).status_code == 403
    admin = world["tokens"][Role.ADMIN]
    dry = upload(admin, dry_run=True).json()
    assert (dry["dry_run"], dry["posted"], dry["rejected"]) == (True, 1, 1)
    assert Payment.objects.count() == 0
    report = upload(admin).json()
    assert (report["posted"], report["posted_total"], report["rejected"]) == (1, "12.00", 1)
    assert report["errors"] == [
        {"row": 3, "field": "amount", "value": "x", "reason": "'x' is not an amount"}
    ]
    assert report["errors_csv"].startswith("row,field,value,reason")
    assert upload(admin).json()["duplicates"] == 1


def test_the_list_costs_the_same_queries_for_one_payment_or_many(world) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    own = world["own"]
    token = world["tokens"][Role.AGENT]
    path = f"/api/payments?account_id={own.pk}"

    def post(amount: str) -> None:
        payment_post(
            account_id=own.pk, amount=amount, paid_on=NOW.date(), method="cash", source="agent"
        )

    post("1.00")
    _call("get", path, token)  # warm: the token's and the role's first look-ups
    with CaptureQueriesContext(connection) as one:
        assert len(_call("get", path, token).json()) == 1
    for _ in range(5):
        post("1.00")
    with CaptureQueriesContext(connection) as six:
        assert len(_call("get", path, token).json()) == 6
    assert len(six.captured_queries) == len(one.captured_queries)
