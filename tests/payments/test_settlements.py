"""Settlements on the database: offered or waiting for approval, maker-checker, acceptance, the
payments that settle the account and the return that reopens it, expiry, the letter."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from solvent.audit.models import AuditEntry
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.core.models import Role
from solvent.payments.domain.settlement import SettlementError
from solvent.payments.models import ClientTerms, Payment, Settlement
from solvent.payments.services.settlement_approvals import (
    settlement_approve,
    settlement_decline,
)
from solvent.payments.services.settlements import (
    settlement_accept,
    settlement_after_payment,
    settlement_cancel,
    settlement_offer,
    settlements_expire,
)
from solvent.payments.settlement_letter import settlement_letter_pdf
from solvent.portfolio.models import Account
from tests.arrangements.factories import debt_create, staff_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
D = Decimal


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def world():
    """A 1,000.00 debt 60 days past due (middle stage: floor 85 %), an agent, two supervisors."""
    account, debtor = debt_create(principal="800.00")
    Account.objects.filter(pk=account.pk).update(
        interest=D("150.00"),
        fees=D("50.00"),
        delinquency_date=TODAY - timedelta(days=60),
        account_number="HB-10004521",
    )
    account.refresh_from_db()
    ClientTerms.objects.create(client=account.client, promise_grace_days=3)
    clients = (account.client,)
    return {
        "account": account,
        "debtor": debtor,
        "agent": staff_create("agent", Role.AGENT, clients=clients),
        "supervisor": staff_create("supervisor", Role.SUPERVISOR, clients=clients),
        "second": staff_create("second", Role.SUPERVISOR, clients=clients),
    }


def _offer(world, amount: str, *, by: str = "agent", due_on: date | None = None) -> Settlement:
    return settlement_offer(
        account_id=world["account"].pk,
        debtor_id=world["debtor"].pk,
        amount=amount,
        due_on=due_on or TODAY + timedelta(days=10),
        actor_id=world[by].pk,
    )


def _pay(world, amount: str, *, on: date = TODAY, status: str = "cleared") -> Payment:
    account = world["account"]
    return Payment.objects.create(
        account=account,
        client=account.client,
        amount=D(amount),
        currency=account.currency,
        method=Payment.Method.CARD,
        paid_on=on,
        status=status,
        source=Payment.Source.AGENT,
        posted_at=NOW,
    )


def _actions() -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="payments.Settlement")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_an_offer_at_the_floor_is_offered_at_once_and_audited(world) -> None:
    settlement = _offer(world, "850.00")
    assert settlement.status == Settlement.Status.OFFERED
    assert (settlement.percent, settlement.floor_percent, settlement.stage) == (
        D("85.00"),
        D("85.00"),
        "middle",
    )
    assert settlement.balance_at_offer == D("1000.00")
    assert settlement.expires_on == TODAY + timedelta(days=30)
    entry = AuditEntry.objects.get(action="payments.settlement_offered")
    assert entry.actor_id == world["agent"].pk
    assert entry.data["needs_approval"] is False and entry.data["amount"] == "850.00"


def test_one_cent_below_the_floor_waits_for_approval_with_its_maker(world) -> None:
    settlement = _offer(world, "849.99")
    assert settlement.status == Settlement.Status.PENDING_APPROVAL
    assert settlement.needs_approval and settlement.requested_by == world["agent"]


def test_a_second_live_settlement_is_refused_until_the_first_is_cancelled(world) -> None:
    first = _offer(world, "900.00")
    with pytest.raises(ValidationError) as refused:
        _offer(world, "950.00")
    assert refused.value.code == "settlement_live"
    settlement_cancel(settlement_id=first.pk, reason="typed wrong", actor_id=world["agent"].pk)
    assert _offer(world, "950.00").status == Settlement.Status.OFFERED


def test_an_offer_the_rule_refuses_names_the_field_and_records_nothing(world) -> None:
    with pytest.raises(SettlementError) as refused:
        _offer(world, "1000.00")
    assert refused.value.field == "amount"
    with pytest.raises(SettlementError) as refused:
        _offer(world, "abc")
    assert refused.value.field == "amount"
    assert not Settlement.objects.exists()


def test_a_debtor_who_does_not_owe_the_account_is_not_found(world) -> None:
    _other_account, stranger = debt_create()
    with pytest.raises(NotFoundError):
        settlement_offer(
            account_id=world["account"].pk,
            debtor_id=stranger.pk,
            amount="900",
            due_on=TODAY,
            actor_id=None,
        )


def test_the_maker_cannot_approve_and_an_agent_cannot_approve(world) -> None:
    by_supervisor = _offer(world, "500.00", by="supervisor")
    with pytest.raises(PermissionDeniedError) as refused:
        settlement_approve(settlement_id=by_supervisor.pk, actor_id=world["supervisor"].pk)
    assert refused.value.code == "settlement_self_approval"
    with pytest.raises(PermissionDeniedError) as refused:
        settlement_approve(settlement_id=by_supervisor.pk, actor_id=world["agent"].pk)
    assert refused.value.code == "settlement_approval_forbidden"
    by_supervisor.refresh_from_db()
    assert by_supervisor.status == Settlement.Status.PENDING_APPROVAL
    assert _actions().count("payments.settlement_decision_refused") == 2

    approved = settlement_approve(
        settlement_id=by_supervisor.pk, actor_id=world["second"].pk, note="hardship shown"
    )
    assert approved.status == Settlement.Status.OFFERED
    assert (approved.decided_by, approved.decision_note) == (world["second"], "hardship shown")
    entry = AuditEntry.objects.get(action="payments.settlement_approved")
    assert entry.data["requested_by"] == world["supervisor"].pk


def test_the_database_refuses_a_checker_who_is_the_maker(world) -> None:
    from django.db import IntegrityError, transaction

    settlement = _offer(world, "500.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Settlement.objects.filter(pk=settlement.pk).update(decided_by=world["agent"])


def test_a_decline_needs_a_reason_and_ends_the_offer(world) -> None:
    settlement = _offer(world, "500.00")
    with pytest.raises(SettlementError):
        settlement_decline(settlement_id=settlement.pk, actor_id=world["supervisor"].pk, note=" ")
    declined = settlement_decline(
        settlement_id=settlement.pk, actor_id=world["supervisor"].pk, note="too low for stage"
    )
    assert declined.status == Settlement.Status.DECLINED
    with pytest.raises(ValidationError) as refused:
        settlement_approve(settlement_id=settlement.pk, actor_id=world["second"].pk)
    assert refused.value.code == "settlement_not_pending"
    assert _offer(world, "900.00").status == Settlement.Status.OFFERED


def test_only_an_offered_unexpired_settlement_is_accepted(world) -> None:
    pending = _offer(world, "500.00")
    with pytest.raises(ValidationError) as refused:
        settlement_accept(settlement_id=pending.pk, debtor_id=world["debtor"].pk)
    assert refused.value.code == "settlement_not_offered"
    settlement_cancel(settlement_id=pending.pk, reason="redo", actor_id=world["agent"].pk)

    offered = _offer(world, "900.00", due_on=TODAY + timedelta(days=2))
    _other, stranger = debt_create()
    with pytest.raises(NotFoundError):
        settlement_accept(settlement_id=offered.pk, debtor_id=stranger.pk)
    accepted = settlement_accept(settlement_id=offered.pk, debtor_id=world["debtor"].pk)
    assert (accepted.status, accepted.accepted_at) == (Settlement.Status.ACCEPTED, NOW)
    entry = AuditEntry.objects.get(action="payments.settlement_accepted")
    assert entry.actor_id is None and entry.data["channel"] == "portal"


def test_an_offer_past_its_due_date_cannot_be_accepted(world, monkeypatch) -> None:
    offered = _offer(world, "900.00", due_on=TODAY + timedelta(days=2))
    later = NOW + timedelta(days=3)
    monkeypatch.setattr("solvent.core.clock.now", lambda: later)
    with pytest.raises(ValidationError) as refused:
        settlement_accept(settlement_id=offered.pk, debtor_id=world["debtor"].pk)
    assert refused.value.code == "settlement_expired"


def _accepted(world, amount: str = "900.00") -> Settlement:
    settlement = _offer(world, amount)
    return settlement_accept(
        settlement_id=settlement.pk, debtor_id=world["debtor"].pk, actor_id=world["agent"].pk
    )


def test_payments_reaching_the_amount_settle_the_account_and_a_return_reopens_it(world) -> None:
    settlement = _accepted(world)
    account = world["account"]
    _pay(world, "400.00")
    settlement_after_payment(account_id=account.pk, today=TODAY)
    settlement.refresh_from_db()
    account.refresh_from_db()
    assert (settlement.status, account.status) == ("accepted", "active")

    second = _pay(world, "500.00", on=TODAY + timedelta(days=5), status="pending")
    settlement_after_payment(account_id=account.pk, today=TODAY)
    settlement.refresh_from_db()
    account.refresh_from_db()
    assert (settlement.status, account.status) == ("paid", "settled")
    entry = AuditEntry.objects.get(action="payments.settlement_paid")
    # The ledger did not move the balances here: the whole balance is what the client forgoes.
    assert entry.data["written_off"] == "1000.00"
    assert entry.data["account_status"] == {"from": "active", "to": "settled"}

    Payment.objects.filter(pk=second.pk).update(status=Payment.Status.RETURNED)
    settlement_after_payment(account_id=account.pk, today=TODAY)
    settlement.refresh_from_db()
    account.refresh_from_db()
    assert (settlement.status, account.status) == ("accepted", "active")
    assert _actions()[-1] == "payments.settlement_reopened"


def test_payments_before_acceptance_or_after_the_grace_do_not_count(world) -> None:
    settlement = _accepted(world)
    _pay(world, "600.00", on=TODAY - timedelta(days=1))
    # Due in 10 days, 3 days' grace: the 14th day is too late.
    _pay(world, "600.00", on=TODAY + timedelta(days=14))
    settlement_after_payment(account_id=world["account"].pk, today=TODAY)
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.ACCEPTED
    _pay(world, "300.00", on=TODAY + timedelta(days=13))  # the last day of grace counts
    _pay(world, "600.00", on=TODAY)
    settlement_after_payment(account_id=world["account"].pk, today=TODAY)
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.PAID


def test_an_account_with_no_accepted_settlement_is_left_alone(world) -> None:
    _offer(world, "900.00")
    _pay(world, "950.00")
    assert settlement_after_payment(account_id=world["account"].pk, today=TODAY) is None


def test_expiry_ends_offers_past_their_date_and_accepted_ones_unpaid_after_grace(world) -> None:
    accepted = _accepted(world)
    assert settlements_expire(today=TODAY + timedelta(days=13)) == 0  # still within grace
    assert settlements_expire(today=TODAY + timedelta(days=14)) == 1
    accepted.refresh_from_db()
    assert accepted.status == Settlement.Status.EXPIRED

    pending = _offer(world, "500.00", due_on=TODAY + timedelta(days=1))
    assert settlements_expire(today=TODAY + timedelta(days=1)) == 0
    assert settlements_expire(today=TODAY + timedelta(days=2)) == 1
    pending.refresh_from_db()
    assert pending.status == Settlement.Status.EXPIRED
    assert _actions().count("payments.settlement_expired") == 2


def test_expiry_settles_instead_an_accepted_settlement_paid_in_time(world) -> None:
    accepted = _accepted(world)
    _pay(world, "900.00", on=TODAY + timedelta(days=9))
    assert settlements_expire(today=TODAY + timedelta(days=20)) == 0
    accepted.refresh_from_db()
    assert accepted.status == Settlement.Status.PAID


def test_the_letter_is_a_pdf_with_the_amount_the_date_and_the_disclosure(world) -> None:
    settlement = _offer(world, "850.00")
    pdf = settlement_letter_pdf(settlement, compressed=False)
    assert settlement_letter_pdf(settlement).startswith(b"%PDF")
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "850.00" in text and "1,000.00" in text
    assert (TODAY + timedelta(days=10)).strftime("%B") in text
    assert "settles the account in full" in text
    assert "This communication is from a debt collector." in text
    assert world["account"].account_number not in text  # masked: the last four only
    assert world["account"].account_number[-4:] in text


def _pdf_text(pdf: bytes) -> str:
    """The strings an uncompressed ReportLab PDF shows, in order, one space between them."""
    shown = re.findall(rb"\((.*?)(?<!\\)\) Tj", pdf)
    return " ".join(
        part.decode("latin-1").replace("\\(", "(").replace("\\)", ")") for part in shown
    )


# --- the API -----------------------------------------------------------------------------------


def _api(user):
    from django.test import Client as HttpClient

    from solvent.core.services import api_token_create

    token = api_token_create(user=user, name="test")
    return HttpClient(headers={"Authorization": f"Bearer {token}"})


def _post(http: Any, path: str, body: dict[str, Any]) -> Any:
    import json

    return http.post(path, json.dumps(body), content_type="application/json")


def test_the_api_offers_approves_accepts_lists_and_serves_the_letter(world) -> None:
    account, debtor = world["account"], world["debtor"]
    agent, supervisor = _api(world["agent"]), _api(world["supervisor"])
    body = {
        "account_id": account.pk,
        "debtor_id": debtor.pk,
        "amount": "700.00",
        "due_on": (TODAY + timedelta(days=5)).isoformat(),
    }
    created = _post(agent, "/api/settlements", body)
    assert created.status_code == 201, created.content
    offer = created.json()
    assert (offer["status"], offer["percent"], offer["floor_percent"]) == (
        "pending_approval",
        "70.00",
        "85.00",
    )
    again = _post(agent, "/api/settlements", body)
    assert (again.status_code, again.json()["code"]) == (400, "settlement_live")

    refused = _post(agent, f"/api/settlements/{offer['id']}/approve", {"note": ""})
    assert (refused.status_code, refused.json()["code"]) == (403, "settlement_approval_forbidden")
    approved = _post(supervisor, f"/api/settlements/{offer['id']}/approve", {"note": "ok"})
    assert approved.status_code == 200 and approved.json()["status"] == "offered"
    accepted = _post(agent, f"/api/settlements/{offer['id']}/accept", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"

    listed = agent.get(f"/api/settlements?account_id={account.pk}")
    assert [row["id"] for row in listed.json()["items"]] == [offer["id"]]
    letter = agent.get(f"/api/settlements/{offer['id']}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")


def test_the_api_names_the_field_of_a_refused_offer(world) -> None:
    body = {
        "account_id": world["account"].pk,
        "debtor_id": world["debtor"].pk,
        "amount": "1000.00",
        "due_on": TODAY.isoformat(),
    }
    refused = _post(_api(world["agent"]), "/api/settlements", body)
    assert refused.status_code == 400
    assert refused.json()["code"] == "amount_not_below_balance"
    assert refused.json()["detail"].startswith("amount:")


def test_an_offer_the_account_was_paid_since_cannot_be_accepted(world) -> None:
    offered = _offer(world, "900.00")
    Account.objects.filter(pk=world["account"].pk).update(status=Account.Status.PAID)
    with pytest.raises(ValidationError) as refused:
        settlement_accept(settlement_id=offered.pk, debtor_id=world["debtor"].pk)
    assert refused.value.code == "account_not_open"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_agents_offering_at_once_make_one_live_settlement(world) -> None:
    import threading

    from django.db import connection

    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def offer() -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(_offer(world, "900.00").status)
        except ValidationError as refused:
            outcomes.append(refused.code)
        except BaseException as error:  # reported by the test, not lost in the thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=offer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an offer never returned"
    assert sorted(outcomes) == ["offered", "settlement_live", "settlement_live", "settlement_live"]
    assert Settlement.objects.count() == 1


def test_the_daily_command_expires_and_says_how_many(world) -> None:
    import io

    from django.core.management import call_command

    _offer(world, "900.00", due_on=TODAY + timedelta(days=1))
    out = io.StringIO()
    call_command("settlements_expire", "--day", (TODAY + timedelta(days=2)).isoformat(), stdout=out)
    assert out.getvalue().strip() == "2026-12-04: 1 settlement(s) expired"
    entry = AuditEntry.objects.get(action="payments.settlement_expired")
    assert entry.system == "solvent settlements_expire"


def test_a_letter_waiting_for_approval_is_a_draft_and_a_spanish_debtor_reads_spanish(world) -> None:
    from solvent.portfolio.models import Debtor

    Debtor.objects.filter(pk=world["debtor"].pk).update(language="es")
    settlement = Settlement.objects.get(pk=_offer(world, "500.00").pk)  # below the floor
    text = _pdf_text(settlement_letter_pdf(settlement, compressed=False))
    assert "BORRADOR" in text and "500.00 GBP" in text
    assert "Esta comunicaci" in text and "cobrador de deudas" in text


def test_the_api_lists_only_the_settlements_of_the_users_clients(world) -> None:
    from tests.arrangements.factories import ClientFactory

    mine = _offer(world, "900.00")
    elsewhere, stranger = debt_create(client=ClientFactory(code="globex", name="Globex"))
    settlement_offer(
        account_id=elsewhere.pk, debtor_id=stranger.pk, amount="900", due_on=TODAY, actor_id=None
    )
    http = _api(world["agent"])
    assert [row["id"] for row in http.get("/api/settlements").json()["items"]] == [mine.pk]
    assert http.get(f"/api/settlements?account_id={elsewhere.pk}").status_code == 404


def test_through_the_ledger_the_settlement_pays_writes_off_the_rest_and_a_return_reopens(
    world,
) -> None:
    """The ledger's own services: its consequences call settlement_after_payment."""
    from solvent.payments.services.ledger import payment_post, payment_return

    settlement = _accepted(world, "850.00")
    account = world["account"]
    payment = payment_post(
        account_id=account.pk,
        amount="850.00",
        paid_on=TODAY,
        method=Payment.Method.CARD,
        source=Payment.Source.AGENT,
        debtor_id=world["debtor"].pk,
        settlement_id=settlement.pk,
    )
    settlement.refresh_from_db()
    account.refresh_from_db()
    assert (settlement.status, account.status, account.balance) == ("paid", "settled", D("150.00"))
    entry = AuditEntry.objects.get(action="payments.settlement_paid")
    assert entry.data["written_off"] == "150.00"

    payment_return(payment_id=payment.pk, reason="NSF")
    settlement.refresh_from_db()
    account.refresh_from_db()
    assert settlement.status == "accepted"
    assert account.status != "settled" and account.balance == D("1000.00")
