"""`solvent plan`: run (stored, twice is once), a dry run with its CSV, results, why; errors exit
non-zero with a clear message."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from solvent.arrangements.models import Promise
from solvent.arrangements.services import promise_create
from solvent.portfolio.models import AccountDebtor
from solvent.strategy.models import PlanItem
from tests.strategy.conftest import BEFORE_PLAN_DAY, PLAN_DAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def before_the_day() -> Iterator[None]:
    with time_machine.travel(BEFORE_PLAN_DAY, tick=False):
        yield


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_plan_run_stores_once_and_says_so(portfolio) -> None:
    portfolio(rows=20)
    first = _run("run", "--date", PLAN_DAY.isoformat())
    assert "acme: 20 accounts" in first and "(stored)" in first
    count = PlanItem.objects.count()
    second = _run("run", "--date", PLAN_DAY.isoformat())
    assert "acme: planned before, left alone" in second
    assert PlanItem.objects.count() == count == 20


def test_a_dry_run_writes_the_csv_and_stores_nothing(portfolio, tmp_path) -> None:
    portfolio(rows=20)
    path = tmp_path / "plan.csv"
    out = _run("run", "--date", PLAN_DAY.isoformat(), "--dry-run", "--csv", str(path))
    assert "dry run, nothing stored" in out and str(path) in out
    assert path.read_text().count("\n") == 21
    assert not PlanItem.objects.exists()


def test_an_unknown_client_lists_the_known_ones(portfolio) -> None:
    portfolio(rows=5)
    with pytest.raises(CommandError, match=r"unknown client nope.*known: acme"):
        _run("run", "--date", PLAN_DAY.isoformat(), "--client", "nope")


def test_why_explains_an_account(portfolio) -> None:
    portfolio(rows=5)
    link = AccountDebtor.objects.select_related("account").order_by("account_id").first()
    out = _run(
        "why", link.account.account_number, "--client", "acme", "--date", PLAN_DAY.isoformat()
    )
    assert f"account {link.account.account_number} (acme)" in out
    assert "not planned yet" in out
    assert "planned:" in out or "nothing planned:" in out


def test_a_stored_run_first_settles_promises_past_their_day(portfolio) -> None:
    portfolio(rows=5)
    link = AccountDebtor.objects.select_related("account").order_by("account_id").first()
    promise = promise_create(
        account_id=link.account_id,
        debtor_id=link.debtor_id,
        amount=Decimal("10.00"),
        due_on=BEFORE_PLAN_DAY.date(),
    )
    later = BEFORE_PLAN_DAY + timedelta(days=10)
    with time_machine.travel(later, tick=False):
        out = _run("run", "--date", later.date().isoformat())
    assert "1 promise(s) settled" in out
    assert Promise.objects.get(pk=promise.pk).status == "broken"


def test_results_with_nothing_good_exit_non_zero(portfolio, tmp_path) -> None:
    portfolio(rows=5)
    path = tmp_path / "results.csv"
    path.write_text("account_number,client,channel\nNOPE,acme,call\n")
    with pytest.raises(CommandError, match="nothing was posted"):
        _run("results", str(path))
