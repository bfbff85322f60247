"""The daily plan end to end on a generated portfolio: stored once, dry runs store nothing, every
row says why, and the CSV loop (plan out, results back, next day) round-trips."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from solvent.compliance.models import ContactAttempt
from solvent.contact.models import OutboxMessage
from solvent.strategy.models import ActionResult, PathPosition, PlanItem, PlanRun, WorkItem
from solvent.strategy.planner import REASONS
from solvent.strategy.services import plan_results_import, plan_run
from solvent.strategy.services.plan import PLAN_CSV_COLUMNS
from solvent.strategy.services.results import RESULT_COLUMNS
from tests.strategy.conftest import BEFORE_PLAN_DAY, PLAN_DAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_day() -> Iterator[None]:
    with time_machine.travel(BEFORE_PLAN_DAY, tick=False):
        yield


def _counts() -> tuple[int, int, int, int, int]:
    return (
        PlanRun.objects.count(),
        PlanItem.objects.count(),
        OutboxMessage.objects.count(),
        WorkItem.objects.count(),
        PathPosition.objects.count(),
    )


def test_the_default_strategies_plan_every_open_account_with_a_reason(portfolio) -> None:
    portfolio(rows=80)
    summary = plan_run(day=PLAN_DAY)
    figures = summary.figures["acme"]
    items = list(PlanItem.objects.all())
    assert len(items) == figures["accounts"] == 80
    assert all(item.reason in REASONS for item in items)
    planned = [item for item in items if item.status == "planned"]
    assert planned, figures
    assert {item.channel for item in planned} >= {"sms", "call"}
    for item in planned:
        assert item.planned_at is not None and item.contact_point
        assert item.time_zone
    # Messages wait in the outbox for their moment; calls wait for agents in the work queue.
    messages = OutboxMessage.objects.filter(pk__in=[i.outbox_message_id for i in planned])
    assert messages.count() == sum(1 for i in planned if i.channel in ("sms", "email", "letter"))
    for item in planned:
        if item.outbox_message_id:
            assert messages.get(pk=item.outbox_message_id).next_attempt_at == item.planned_at
    calls = [i for i in planned if i.channel == "call"]
    assert WorkItem.objects.filter(kind="planned_call").count() == len(calls)
    assert figures["calls_planned"] <= figures["calls_capacity"]
    # A step is done today when planned, or passed over when the debtor lacks its channel.
    passed_over = [item for item in items if item.detail.startswith(f"step {item.step_key} passed")]
    moved = PathPosition.objects.filter(last_action_on=PLAN_DAY).count()
    assert moved == len(planned) + len(passed_over)


def test_running_the_plan_twice_for_a_day_changes_nothing(portfolio) -> None:
    portfolio(rows=40)
    first = plan_run(day=PLAN_DAY)
    before = _counts()
    second = plan_run(day=PLAN_DAY)
    assert first.planned == ["acme"] and second.already_planned == ["acme"]
    assert _counts() == before


def test_a_dry_run_stores_nothing_and_writes_every_row_with_its_reason(portfolio, tmp_path) -> None:
    portfolio(rows=40)
    before = _counts()
    path = tmp_path / "plan.csv"
    summary = plan_run(day=PLAN_DAY, dry_run=True, csv_path=path)
    assert _counts() == before
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == PLAN_CSV_COLUMNS
    assert len(rows) == summary.figures["acme"]["accounts"] == 40
    for row in rows:
        assert row["reason"] in REASONS
        if row["status"] == "planned":
            assert row["planned_utc"].endswith("Z") and row["planned_local"] and row["channel"]


def test_the_capacity_of_the_day_is_never_exceeded(portfolio) -> None:
    from solvent.portfolio.models import Team
    from solvent.strategy.models import TeamCapacity

    portfolio(rows=80)
    team = Team.objects.get(name="team-acme")
    TeamCapacity.objects.create(
        team=team,
        agents=1,
        start_hour=9,
        end_hour=11,
        calls_per_hour=1,
        time_zone="America/New_York",
    )
    plan_run(day=PLAN_DAY)
    calls = PlanItem.objects.filter(status="planned", channel="call")
    assert calls.count() <= 2
    exhausted = PlanItem.objects.filter(reason="capacity_exhausted")
    assert exhausted.exists()
    assert all("staffed calls" in item.detail for item in exhausted)


def _results(plan: Path, out: Path, outcome_for: dict[str, str]) -> int:
    with plan.open(newline="") as handle:
        planned = [row for row in csv.DictReader(handle) if row["status"] == "planned"]
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        for row in planned:
            writer.writerow(
                {
                    "account_number": row["account_number"],
                    "client": row["client"],
                    "step": row["step"],
                    "channel": row["channel"],
                    "contact_point": row["contact_point"],
                    "occurred_utc": row["planned_utc"],
                    "outcome": outcome_for[row["channel"]],
                    "right_party": "false",
                    "complaint": "false",
                    "stop": "false",
                }
            )
    return len(planned)


def test_the_csv_loop_round_trips_plan_out_results_back_next_day(portfolio, tmp_path) -> None:
    portfolio(rows=40)
    plan = tmp_path / "plan.csv"
    plan_run(day=PLAN_DAY, dry_run=True, csv_path=plan)
    results = tmp_path / "results.csv"
    outcomes = {
        "call": "no_answer",
        "sms": "delivered",
        "email": "delivered",
        "letter": "delivered",
    }
    posted = _results(plan, results, outcomes)
    assert posted > 0
    # The morning after the planned day everywhere (9 p.m. in Hawaii is 07:00 UTC).
    with time_machine.travel(BEFORE_PLAN_DAY + timedelta(hours=44), tick=False):
        summary = plan_results_import(path=results)
        assert summary.accepted == posted, summary.rejected
        assert summary.refused == 0
        assert ActionResult.objects.count() == posted
        assert ContactAttempt.objects.filter(status="completed").count() == posted
        again = plan_results_import(path=results)
        assert again.duplicates == posted and again.accepted == 0
        # The next day plans from where the results left each account.
        next_plan = tmp_path / "next.csv"
        plan_run(day=PLAN_DAY + timedelta(days=1), dry_run=True, csv_path=next_plan)
    with plan.open(newline="") as first, next_plan.open(newline="") as second:
        before = {r["account_number"]: r for r in csv.DictReader(first)}
        after = {r["account_number"]: r for r in csv.DictReader(second)}
    moved = [
        n for n, r in before.items() if r["status"] == "planned" and after[n]["step"] != r["step"]
    ]
    assert moved, "no account moved along its path after its results came back"


def test_results_with_bad_rows_report_row_field_and_reason_and_post_the_good_ones(
    portfolio, tmp_path
) -> None:
    portfolio(rows=10)
    from solvent.portfolio.models import Account

    number = Account.objects.order_by("pk").first().account_number
    path = tmp_path / "results.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        base = {"account_number": number, "client": "acme", "channel": "payment"}
        writer.writerow(base | {"payment_amount": "12.50", "payment_date": "2026-12-01"})
        writer.writerow(base | {"payment_amount": "abc"})
        writer.writerow(base | {"account_number": "NOPE", "payment_amount": "1"})
        writer.writerow(base | {"channel": "fax"})
    summary = plan_results_import(path=path)
    assert summary.accepted == 1 and summary.payments == 1
    assert [(e.row, e.field) for e in summary.rejected] == [
        (3, "payment_amount"),
        (4, "account_number"),
        (5, "channel"),
    ]
    assert "not an amount" in summary.rejected[0].reason


def test_what_if_plans_a_changed_strategy_beside_todays_and_stores_nothing(portfolio) -> None:
    from solvent.strategy.domain.defaults import BASELINE
    from solvent.strategy.services.plan import plan_what_if

    portfolio(rows=40)
    before = _counts()
    compared = plan_what_if(day=PLAN_DAY, segment_key="late", definition=BASELINE)
    assert _counts() == before
    table = {name: (current, changed) for name, current, changed in compared.rows()}
    current_calls, changed_calls = table["calls needed"]
    # Calling every late account every day needs more calls than the late path's letters.
    assert changed_calls > current_calls
    assert table["accounts"][0] == table["accounts"][1] == 40


def test_the_stored_plan_of_a_day_is_what_the_plan_page_shows(portfolio) -> None:
    from solvent.strategy.selectors.plan import plan_stored

    client = portfolio(rows=30)
    assert plan_stored(day=PLAN_DAY, client_ids=[client.pk]) is None
    summary = plan_run(day=PLAN_DAY)
    stored = plan_stored(day=PLAN_DAY, client_ids=[client.pk], rows=5)
    assert stored is not None
    figures, rows, count = stored
    assert figures["planned"] == summary.figures["acme"]["planned"]
    assert figures["by_channel"] == summary.figures["acme"]["by_channel"]
    assert count == 30 and len(rows) == 5
    assert rows[0].status == "planned" and rows[0].planned_local
    assert plan_stored(day=PLAN_DAY, client_ids=[]) is None


def test_each_strategy_is_reported_against_its_objective(portfolio) -> None:
    from django.contrib.auth.models import User

    from solvent.strategy.models import Strategy
    from solvent.strategy.selectors.experiments import OBJECTIVE_HEADLINES, strategy_report

    portfolio(rows=30)
    plan_run(day=PLAN_DAY)
    admin = User.objects.create_superuser("boss", "boss@example.org", "pw-not-used-123")
    for strategy in Strategy.objects.filter(key__in=["early", "middle", "late"]):
        report = strategy_report(
            user=admin, strategy_id=strategy.pk, objective=strategy.objective, today=PLAN_DAY
        )
        assert report.headline == OBJECTIVE_HEADLINES[strategy.objective]
        assert report.figures.accounts == PathPosition.objects.filter(strategy=strategy).count()
        if strategy.objective == "recovery":
            assert report.denominator > 0  # the balance of the accounts on it


def test_a_step_whose_channel_the_debtor_lacks_is_passed_over_not_waited_on(portfolio) -> None:
    from solvent.portfolio.models import Email

    portfolio(rows=60)
    Email.objects.all().delete()  # nobody can be e-mailed
    plan_run(day=PLAN_DAY)
    passed = PlanItem.objects.filter(reason="no_contact_point", channel="email")
    assert passed.exists()
    for item in passed:
        position = PathPosition.objects.get(account_id=item.account_id)
        assert item.step_key in position.done, item.detail
        assert item.detail.startswith(f"step {item.step_key} passed over")


def test_why_not_says_a_paid_account_is_no_longer_worked_and_a_stored_day_what_was_stored(
    portfolio,
) -> None:
    from solvent.portfolio.models import Account
    from solvent.strategy.selectors.plan import account_why_not

    portfolio(rows=10)
    paid, other = Account.objects.select_related("client").order_by("pk")[:2]
    Account.objects.filter(pk=paid.pk).update(status="paid")
    paid.refresh_from_db()
    why = account_why_not(account=paid, day=PLAN_DAY)
    assert (why.reason, why.stored) == ("closed", False)
    assert "paid" in why.detail
    plan_run(day=PLAN_DAY)
    stored = account_why_not(account=other, day=PLAN_DAY)
    item = PlanItem.objects.get(account=other, plan_date=PLAN_DAY)
    assert stored.stored and (stored.reason, stored.step) == (item.reason, item.step_key)
