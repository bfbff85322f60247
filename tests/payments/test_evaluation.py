"""The daily run of promises and plans: what fell due is judged, a broken one is in the work queue
the same day (claimable at once), a second run changes nothing, the command and the task."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from solvent.audit.models import AuditEntry
from solvent.contact.default_templates import default_templates_install
from solvent.core.models import Role
from solvent.payments.models import Settlement
from solvent.payments.services.evaluation import accounts_due, arrangements_evaluate_day
from solvent.payments.services.ledger import payment_return
from solvent.payments.tasks import arrangements_evaluate_task
from solvent.strategy.features import features_frame
from solvent.strategy.models import WorkItem
from solvent.strategy.selectors.plan import account_why_not
from solvent.strategy.selectors.work_queues import work_items_claimable
from solvent.strategy.services.definitions import strategy_defaults_install
from tests.arrangements.factories import ClientFactory, debt_create, staff_create
from tests.payments.arrangements_world import (
    clock_fixture,  # noqa: F401 (the clock fixture)
    open_items,
    pay,
    plan_make,
    promise_make,
    status_of,
)

DUE = date(2026, 12, 10)
DAY_AFTER_GRACE = date(2026, 12, 14)


@pytest.fixture
def world(clock, db):
    """Three debts of one client: a promise kept, a promise broken, a plan whose second
    instalment is missed; and a promise not yet due."""
    client = ClientFactory()
    kept, kept_debtor = debt_create(client=client)
    broken, broken_debtor = debt_create(client=client)
    planned, planned_debtor = debt_create(client=client)
    later, later_debtor = debt_create(client=client)
    promises = {
        "kept": promise_make(kept, kept_debtor, "100.00", DUE),
        "broken": promise_make(broken, broken_debtor, "80.00", DUE),
        "later": promise_make(later, later_debtor, "50.00", date(2026, 12, 20)),
    }
    plan = plan_make(planned, planned_debtor, date(2026, 12, 3), "150")
    clock.to(date(2026, 12, 3))
    pay(planned, "150.00", date(2026, 12, 3))
    clock.to(DUE)
    pay(kept, "100.00", DUE)
    return {"accounts": (kept, broken, planned, later), "promises": promises, "plan": plan}


def test_only_accounts_with_something_past_due_are_judged(world) -> None:
    kept, broken, planned, later = world["accounts"]
    assert accounts_due(today=DAY_AFTER_GRACE) == sorted([broken.pk, planned.pk])
    assert later.pk not in accounts_due(today=DAY_AFTER_GRACE) and kept.pk


def test_a_broken_promise_and_a_missed_instalment_are_in_the_queue_the_same_day(
    clock, world
) -> None:
    kept, broken, planned, _later = world["accounts"]
    clock.to(DAY_AFTER_GRACE)
    figures = arrangements_evaluate_day(today=DAY_AFTER_GRACE)
    # Instalment 2 (due the 10th) is past its grace on the 14th.
    assert figures.promises == {"broken": 1}
    assert figures.plans == {"broken": 1} and figures.instalments_missed == 1
    assert figures.work_items == 2
    assert status_of(world["promises"]["broken"]) == "broken"
    assert status_of(world["promises"]["kept"]) == "kept"
    assert status_of(world["promises"]["later"]) == "pending"
    assert status_of(world["plan"]) == "broken"
    assert [kind for kind, _key in open_items(broken)] == ["broken_promise"]
    assert [kind for kind, _key in open_items(planned)] == ["broken_promise"]
    assert open_items(kept) == []
    # An agent of the client's team is offered both now.
    agent = staff_create("agent", Role.AGENT, clients=(broken.client,))
    now = datetime(2026, 12, 14, 12, tzinfo=UTC)
    claimable = work_items_claimable(user=agent, now=now)
    assert {item.account_id for item in claimable} == {broken.pk, planned.pk}


def test_a_second_run_of_the_day_changes_nothing(clock, world) -> None:
    clock.to(DAY_AFTER_GRACE)
    first = arrangements_evaluate_day(today=DAY_AFTER_GRACE)
    entries, items = AuditEntry.objects.count(), WorkItem.objects.count()
    second = arrangements_evaluate_day(today=DAY_AFTER_GRACE)
    assert first.changed > 0 and second.changed == 0
    assert second.promises == {} and second.plans == {} and second.work_items == 0
    assert (AuditEntry.objects.count(), WorkItem.objects.count()) == (entries, items)


def test_the_command_says_what_it_did(clock, world) -> None:
    clock.to(DAY_AFTER_GRACE)
    out = StringIO()
    call_command("arrangements_evaluate", "--day", DAY_AFTER_GRACE.isoformat(), stdout=out)
    text = out.getvalue()
    assert "promises and plans of 2026-12-14: 2 account(s) judged" in text
    assert "promises: 1 broken" in text and "1 instalment(s) missed" in text


def test_the_task_runs_the_day(clock, world) -> None:
    clock.to(DAY_AFTER_GRACE)
    figures = arrangements_evaluate_task.call(DAY_AFTER_GRACE.isoformat())
    assert figures["promises"] == {"broken": 1} and figures["work_items"] == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_daily_run_and_returns_at_once_leave_what_the_ledger_says() -> None:
    """PostgreSQL: returns and daily runs on one account in threads at once (real transactions).
    Both lock the account first, so none deadlocks, and the promise ends as a fresh judgement
    of the payments left says (the day after its grace, with every payment returned: broken)."""
    workers = 6
    with time_machine.travel(datetime(2026, 12, 2, 12, tzinfo=UTC), tick=False) as traveller:
        account, debtor = debt_create(client=ClientFactory())
        promise = promise_make(account, debtor, "60.00", DUE)
        payments = [pay(account, "20.00", date(2026, 12, 2)) for _ in range(workers // 2)]
        assert status_of(promise) == "kept"
        traveller.move_to(datetime(2026, 12, 14, 12, tzinfo=UTC))
        barrier = threading.Barrier(workers)
        errors: list[BaseException] = []

        def run(index: int) -> None:
            try:
                barrier.wait(timeout=30)
                if index % 2:
                    payment_return(payment_id=payments[index // 2].pk, reason="NSF")
                else:
                    arrangements_evaluate_day(today=DAY_AFTER_GRACE)
            except BaseException as error:  # reported below, not lost in the thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a run never returned"
        assert errors == []
        assert status_of(promise) == "broken" and status_of(account) == "active"
        assert open_items(account) == [("broken_promise", f"promise:{promise.pk}")]
        again = arrangements_evaluate_day(today=DAY_AFTER_GRACE)
        assert again.changed == 0


def test_the_path_pauses_on_a_promise_and_moves_on_its_outcome(clock, db) -> None:
    """The plan's answer for an account: paused while the promise is pending, back on its path
    (with the broken promise counted) once the daily run breaks it, out of the strategy once
    paid."""
    default_templates_install()
    strategy_defaults_install()
    account, debtor = debt_create(client=ClientFactory(), principal="100.00")
    account.delinquency_date = date(2026, 10, 1)  # 62 days past due: a middle-stage segment
    account.save(update_fields=["delinquency_date"])
    promise_make(account, debtor, "40.00", DUE)
    assert account_why_not(account=account, day=date(2026, 12, 3)).reason == "promise_active"
    clock.to(DAY_AFTER_GRACE)
    arrangements_evaluate_day(today=DAY_AFTER_GRACE)
    account.refresh_from_db()
    moved = account_why_not(account=account, day=DAY_AFTER_GRACE)
    assert moved.reason not in ("promise_active", "closed")
    assert (
        features_frame(day=DAY_AFTER_GRACE, account_ids=[account.pk]).row(0, named=True)[
            "broken_promises"
        ]
        == 1
    )
    pay(account, "100.00", DAY_AFTER_GRACE)
    account.refresh_from_db()
    assert account.status == "paid"
    assert account_why_not(account=account, day=DAY_AFTER_GRACE).reason == "closed"


def test_the_daily_run_expires_the_settlements_time_has_overtaken(clock, db) -> None:
    account, debtor = debt_create(client=ClientFactory(), principal="100.00")
    offer = Settlement.objects.create(
        account=account,
        debtor=debtor,
        amount="80.00",
        currency=account.currency,
        balance_at_offer="100.00",
        percent="80.00",
        stage="middle",
        floor_percent="85.00",
        status=Settlement.Status.OFFERED,
        due_on=date(2026, 12, 20),
        expires_on=date(2026, 12, 9),
        requested_at=datetime(2026, 12, 2, 12, tzinfo=UTC),
    )
    clock.to(date(2026, 12, 10))
    figures = arrangements_evaluate_day(today=date(2026, 12, 10))
    assert figures.settlements_expired == 1 and status_of(offer) == "expired"
    assert arrangements_evaluate_day(today=date(2026, 12, 10)).settlements_expired == 0
