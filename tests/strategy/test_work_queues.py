"""The teams' work queues on the database: each source makes its item once and closes it when
resolved, the plan's items are added once, the order, the tenancy, and "next account" taking from
the queues before the general queue.

The clock is Tuesday 9 June 2026 at noon in New York (16:00 UTC) unless a test moves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from solvent.arrangements.models import Promise
from solvent.arrangements.services import vulnerability_flag_end, vulnerability_flag_record
from solvent.audit.models import AuditEntry
from solvent.compliance.models import Hold
from solvent.compliance.services import hold_place, hold_release
from solvent.compliance.services.flag_holds import holds_from_flags
from solvent.contact.services import interaction_record
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.core.models import Role
from solvent.desk.models import Callback
from solvent.desk.services_queue import queue_next_claim, queue_refresh
from solvent.portfolio.models import Account, Client, Debtor, Team
from solvent.strategy.models import WorkItem
from solvent.strategy.selectors.work_queues import work_queue_list, work_queue_summary
from solvent.strategy.services.work_queues import (
    work_item_done,
    work_items_add,
    work_items_refresh,
)
from solvent.strategy.tasks import work_queues_refresh_task
from solvent.strategy.work_rules import CLAIM_DURATION, SKIP_WINDOW, WorkItemRequest, WorkKind
from tests.arrangements.factories import staff_create
from tests.compliance.services.compliance_fixtures import NOON
from tests.contact.factories import make_client, make_debtor

pytestmark = pytest.mark.django_db


@dataclass
class Floor:
    acme: Client
    globex: Client
    agent: User
    colleague: User
    outsider: User  # serves globex only
    officer: User

    def account(self, client: Client | None = None, balance: str = "1000.00") -> Account:
        _debtor, account = make_debtor(client=client or self.acme)
        Account.objects.filter(pk=account.pk).update(principal=Decimal(balance), interest=0)
        account.refresh_from_db()
        return account


@pytest.fixture
def floor(monkeypatch: pytest.MonkeyPatch) -> Floor:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    acme, globex = make_client("acme"), make_client("globex")
    agent = staff_create("agent", Role.AGENT, clients=(acme,))
    colleague = staff_create("colleague", Role.AGENT)
    Team.objects.get(name="team-agent").members.add(colleague)
    outsider = staff_create("outsider", Role.AGENT, clients=(globex,))
    officer = staff_create("officer", Role.COMPLIANCE_OFFICER)
    return Floor(acme, globex, agent, colleague, outsider, officer)


def debtor_of(account: Account) -> Debtor:
    return account.debtors.get()


def broken_promise(account: Account, amount: str, *, days_ago: int = 1) -> Promise:
    return Promise.objects.create(
        account=account,
        debtor=debtor_of(account),
        amount=Decimal(amount),
        currency="USD",
        due_on=date(2026, 6, 1),
        status=Promise.Status.BROKEN,
        created_at=NOON - timedelta(days=20),
        status_changed_at=NOON - timedelta(days=days_ago),
    )


def dispute(account: Account, *, days_ago: int) -> Hold:
    return hold_place(
        debtor_id=debtor_of(account).pk,
        kind="dispute",
        source="letter",
        account_ids=[account.pk],
        at=NOON - timedelta(days=days_ago),
    )


def items(**filters: object) -> list[tuple[int, str, str]]:
    return sorted(
        WorkItem.objects.filter(**filters).values_list("account_id", "kind", "status"),
    )


def agent_outcome(account: Account, agent: User) -> None:
    debtor = debtor_of(account)
    interaction_record(
        debtor_id=debtor.pk,
        channel="call",
        direction="inbound",
        contact_point=debtor.phones.get().e164,
        disposition="right_party_contact",
        account_ids=[account.pk],
        agent_id=agent.pk,
        occurred_at=NOON,
    )


# --- each source makes its item once and closes it when resolved ------------------------------


def test_a_broken_promise_makes_one_item_however_often_the_refresh_runs(floor: Floor) -> None:
    account = floor.account()
    promise = broken_promise(account, "250.00")
    first = work_items_refresh(now=NOON)
    second = work_items_refresh(now=NOON)
    assert (first.created, second.created, second.changed) == (1, 0, 0)
    item = WorkItem.objects.get()
    assert (item.kind, item.source_key, item.client_id) == (
        "broken_promise",
        f"promise:{promise.pk}",
        floor.acme.pk,
    )
    assert "250.00 USD" in item.reason
    assert AuditEntry.objects.filter(action="work_items.refresh").count() == 1
    # Its cause gone (a correction: the payment was found, the promise kept): done.
    Promise.objects.filter(pk=promise.pk).update(status=Promise.Status.KEPT)
    assert work_items_refresh(now=NOON).done == 1
    assert items() == [(account.pk, "broken_promise", "done")]
    # Done is final: the same promise never makes a second item.
    Promise.objects.filter(pk=promise.pk).update(status=Promise.Status.BROKEN)
    assert work_items_refresh(now=NOON).created == 0


def test_a_dispute_hold_makes_an_item_on_the_account_it_names_and_its_release_closes_it(
    floor: Floor,
) -> None:
    disputed, other_debt = floor.account(), floor.account()
    hold = dispute(disputed, days_ago=3)
    work_items_refresh(now=NOON)
    assert items() == [(disputed.pk, "dispute", "open")]
    assert WorkItem.objects.get().due_at == hold.placed_at
    assert other_debt.pk not in {row[0] for row in items()}
    hold_release(hold_id=hold.pk, reason="verification sent", actor_id=floor.officer.pk)
    assert work_items_refresh(now=NOON).done == 1
    assert items() == [(disputed.pk, "dispute", "done")]


def test_a_person_wide_hold_makes_an_item_on_each_active_account_of_the_debtor(
    floor: Floor,
) -> None:
    first = floor.account()
    debtor = debtor_of(first)
    second = floor.account()
    second.account_debtors.update(debtor=debtor)
    paid = floor.account()
    paid.account_debtors.update(debtor=debtor)
    Account.objects.filter(pk=paid.pk).update(status=Account.Status.PAID)
    hold_place(debtor_id=debtor.pk, kind="hardship", source="inbound_call", account_ids=[])
    work_items_refresh(now=NOON)
    assert items() == sorted([(first.pk, "hardship", "open"), (second.pk, "hardship", "open")])


def test_a_vulnerability_flag_makes_one_hardship_item_not_two_and_ending_it_closes_it(
    floor: Floor,
) -> None:
    account = floor.account()
    flag = vulnerability_flag_record(
        debtor_id=debtor_of(account).pk,
        account_id=account.pk,
        kind="illness",
        treatment="pause",  # the pause is a hardship hold: one case, one item
        consent_given=True,
        hold_account_ids=[account.pk],
        actor_id=floor.agent.pk,
    )
    work_items_refresh(now=NOON)
    assert items() == [(account.pk, "hardship", "open")]
    assert WorkItem.objects.get().source_key == f"vulnerability:{flag.pk}"
    supervisor = staff_create("supervisor", Role.SUPERVISOR, clients=(floor.acme,))
    vulnerability_flag_end(flag_id=flag.pk, reason="recovered", actor_id=supervisor.pk)
    work_items_refresh(now=NOON)
    assert items() == [(account.pk, "hardship", "done")]


def test_a_legal_flag_in_the_clients_file_puts_the_account_up_for_review(floor: Floor) -> None:
    account = floor.account()
    Debtor.objects.filter(pk=debtor_of(account).pk).update(in_bankruptcy=True)
    holds_from_flags(debtor_ids=[debtor_of(account).pk])
    # A cease hold a person placed at the desk is not the file's: no review.
    desk_ceased = floor.account()
    hold_place(debtor_id=debtor_of(desk_ceased).pk, kind="cease", source="desk")
    work_items_refresh(now=NOON)
    assert items() == [(account.pk, "review", "open")]
    assert "bankruptcy" in WorkItem.objects.get().reason


def test_an_account_that_leaves_collection_has_its_items_cancelled(floor: Floor) -> None:
    account = floor.account()
    broken_promise(account, "100.00")
    work_items_refresh(now=NOON)
    Account.objects.filter(pk=account.pk).update(status=Account.Status.RECALLED)
    assert work_items_refresh(now=NOON).cancelled == 1
    assert items() == [(account.pk, "broken_promise", "cancelled")]


def test_an_agents_outcome_on_the_account_finishes_contact_work_but_not_a_case(
    floor: Floor,
) -> None:
    promised, disputed = floor.account(), floor.account()
    broken_promise(promised, "100.00")
    dispute(disputed, days_ago=1)
    work_items_refresh(now=NOON)
    agent_outcome(promised, floor.agent)
    agent_outcome(disputed, floor.agent)
    work_items_refresh(now=NOON)
    assert items() == sorted(
        [(promised.pk, "broken_promise", "done"), (disputed.pk, "dispute", "open")]
    )


def test_the_command_and_the_task_run_the_refresh(
    floor: Floor, capsys: pytest.CaptureFixture[str]
) -> None:
    broken_promise(floor.account(), "100.00")
    call_command("work_queues_refresh")
    assert "1 created" in capsys.readouterr().out
    broken_promise(floor.account(), "200.00")
    assert work_queues_refresh_task.call() == 1
    assert WorkItem.objects.count() == 2


# --- the plan's items -----------------------------------------------------------------------


def request(account: Account, key: str, kind: WorkKind = WorkKind.PLANNED_CALL) -> WorkItemRequest:
    return WorkItemRequest(
        account_id=account.pk, kind=kind, source_key=key, due_at=NOON, reason="day 7 call"
    )


def test_the_plans_items_are_added_once_and_todays_plan_replaces_yesterdays_unworked_call(
    floor: Floor,
) -> None:
    account, other = floor.account(), floor.account()
    batch = [request(account, f"plan:2026-06-08:{account.pk}"), request(other, "plan:x:2")]
    assert work_items_add(items=batch) == 2
    assert work_items_add(items=batch) == 0
    assert WorkItem.objects.get(account=account).client_id == floor.acme.pk
    review = request(account, f"plan:2026-06-09:review:{account.pk}", WorkKind.REVIEW)
    assert work_items_add(items=[request(account, f"plan:2026-06-09:{account.pk}"), review]) == 2
    assert sorted(WorkItem.objects.filter(account=account).values_list("source_key", "status")) == [
        (f"plan:2026-06-08:{account.pk}", "cancelled"),
        (f"plan:2026-06-09:{account.pk}", "open"),
        (f"plan:2026-06-09:review:{account.pk}", "open"),
    ]
    assert WorkItem.objects.get(account=other).status == "open"
    with pytest.raises(NotFoundError):
        work_items_add(items=[WorkItemRequest(0, WorkKind.REVIEW, "plan:0", NOON)])


# --- the order and the tenancy --------------------------------------------------------------


def test_the_queue_lists_the_kinds_in_order_and_counts_each(floor: Floor) -> None:
    small, big = floor.account(), floor.account()
    broken_promise(small, "50.00")
    broken_promise(big, "900.00")
    old_dispute, new_dispute, urgent = floor.account(), floor.account(), floor.account()
    dispute(old_dispute, days_ago=10)
    dispute(new_dispute, days_ago=2)
    dispute(urgent, days_ago=27)
    planned = floor.account()
    work_items_add(items=[request(planned, "plan:2026-06-09:1")])
    work_items_refresh(now=NOON)
    order = [item.account_id for item in work_queue_list(user=floor.agent, kind=None, now=NOON)]
    assert order == [urgent.pk, big.pk, small.pk, old_dispute.pk, new_dispute.pk, planned.pk]
    counts = {q.kind: q.count for q in work_queue_summary(user=floor.agent, now=NOON)}
    assert counts == {
        "broken_promise": 2,
        "dispute": 3,
        "hardship": 0,
        "review": 0,
        "legal_review": 0,
        "planned_call": 1,
    }
    disputes = work_queue_list(user=floor.agent, kind="dispute", now=NOON)
    assert [item.account_id for item in disputes] == [urgent.pk, old_dispute.pk, new_dispute.pk]


def test_a_dispute_moves_up_when_its_verification_clock_runs_short(floor: Floor) -> None:
    disputed, promised = floor.account(), floor.account()
    dispute(disputed, days_ago=20)
    broken_promise(promised, "10.00")
    work_items_refresh(now=NOON)
    assert work_queue_list(user=floor.agent, kind=None, now=NOON)[0].account_id == promised.pk
    later = NOON + timedelta(days=6)
    assert work_items_refresh(now=later).reordered == 1
    assert work_queue_list(user=floor.agent, kind=None, now=later)[0].account_id == disputed.pk


def test_a_user_sees_and_is_given_only_the_items_of_their_teams_clients(floor: Floor) -> None:
    acme_account, globex_account = floor.account(), floor.account(floor.globex)
    broken_promise(acme_account, "100.00")
    broken_promise(globex_account, "99999.00")
    work_items_refresh(now=NOON)
    assert [i.account_id for i in work_queue_list(user=floor.agent, kind=None, now=NOON)] == [
        acme_account.pk
    ]
    assert [i.account_id for i in work_queue_list(user=floor.outsider, kind=None, now=NOON)] == [
        globex_account.pk
    ]
    nobody = User.objects.create_user(username="nobody")
    assert work_queue_list(user=nobody, kind=None, now=NOON) == []
    queue_refresh()
    claim = queue_next_claim(user=floor.agent)
    assert claim is not None and claim.account_id == acme_account.pk
    with pytest.raises(NotFoundError):
        item = WorkItem.objects.get(account=globex_account)
        work_item_done(user=floor.agent, account_id=globex_account.pk, item_id=item.pk)


def test_contact_work_under_a_hold_that_stops_contact_waits_but_a_dispute_is_still_worked(
    floor: Floor,
) -> None:
    account = floor.account()
    broken_promise(account, "100.00")
    dispute(account, days_ago=1)
    work_items_refresh(now=NOON)
    assert [i.kind for i in work_queue_list(user=floor.agent, kind=None, now=NOON)] == ["dispute"]


# --- "next account" -------------------------------------------------------------------------


def test_next_account_takes_callbacks_then_work_items_then_the_general_queue(
    floor: Floor,
) -> None:
    untouched, promised, called_back = (
        floor.account(balance="5000.00"),
        floor.account(),
        floor.account(),
    )
    broken_promise(promised, "100.00")
    Callback.objects.create(
        account=called_back,
        debtor=debtor_of(called_back),
        phone="+15185550000",
        due_at=NOON - timedelta(minutes=5),
        agent=floor.agent,
    )
    work_items_refresh(now=NOON)
    queue_refresh()
    claims = [queue_next_claim(user=floor.agent) for _ in range(3)]
    assert [
        (c.account_id, c.callback_id is not None, c.work_item_id is not None) for c in claims if c
    ] == [
        (called_back.pk, True, False),
        (promised.pk, False, True),
        (untouched.pk, False, False),
    ]
    audit = AuditEntry.objects.filter(action="queue.claim", object_id=str(promised.pk)).get()
    assert audit.data["work_item_id"] == claims[1].work_item_id  # type: ignore[union-attr]


def test_a_claimed_item_and_its_account_are_nobody_elses_until_the_claim_ends(
    floor: Floor, monkeypatch: pytest.MonkeyPatch
) -> None:
    promised = floor.account()
    broken_promise(promised, "100.00")
    work_items_refresh(now=NOON)
    queue_refresh()
    mine = queue_next_claim(user=floor.agent)
    assert mine is not None and mine.account_id == promised.pk
    item = WorkItem.objects.get()
    assert (item.claimed_by_id, item.claimed_until) == (floor.agent.pk, NOON + CLAIM_DURATION)
    theirs = queue_next_claim(user=floor.colleague)
    assert theirs is None or theirs.account_id != promised.pk
    later = NOON + CLAIM_DURATION + timedelta(seconds=1)
    monkeypatch.setattr("solvent.core.clock.now", lambda: later)
    again = queue_next_claim(user=floor.colleague)
    assert again is not None and again.work_item_id == item.pk


def test_moving_on_after_an_outcome_finishes_the_item_and_without_one_passes_it_on(
    floor: Floor, monkeypatch: pytest.MonkeyPatch
) -> None:
    called, skipped = floor.account(), floor.account()
    broken_promise(called, "900.00")
    broken_promise(skipped, "100.00")
    work_items_refresh(now=NOON)
    queue_refresh()
    first = queue_next_claim(user=floor.agent)
    assert first is not None and first.account_id == called.pk
    agent_outcome(called, floor.agent)
    second = queue_next_claim(user=floor.agent)
    assert WorkItem.objects.get(account=called).status == "done"
    assert second is not None and second.account_id == skipped.pk
    # No outcome: the item goes back, to a colleague at once, to this agent not for a while.
    later = NOON + timedelta(minutes=1)
    monkeypatch.setattr("solvent.core.clock.now", lambda: later)
    third = queue_next_claim(user=floor.agent)
    assert third is None or third.work_item_id is None
    assert WorkItem.objects.get(account=skipped).status == "open"
    colleague = queue_next_claim(user=floor.colleague)
    assert colleague is not None and colleague.account_id == skipped.pk
    monkeypatch.setattr("solvent.core.clock.now", lambda: later + SKIP_WINDOW + CLAIM_DURATION)
    assert queue_next_claim(user=floor.agent).work_item_id is not None  # type: ignore[union-attr]


def test_done_closes_an_item_once_and_only_for_a_user_who_writes(floor: Floor) -> None:
    account = floor.account()
    dispute(account, days_ago=1)
    work_items_refresh(now=NOON)
    item = WorkItem.objects.get()
    viewer = staff_create("viewer", Role.CLIENT_VIEWER, clients=(floor.acme,))
    with pytest.raises(Exception, match="reads only"):
        work_item_done(user=viewer, account_id=account.pk, item_id=item.pk)
    done = work_item_done(user=floor.agent, account_id=account.pk, item_id=item.pk)
    assert (done.status, done.done_at) == ("done", NOON)
    assert AuditEntry.objects.filter(action="work_item.done", object_id=str(item.pk)).exists()
    with pytest.raises(ValidationError, match="already done"):
        work_item_done(user=floor.agent, account_id=account.pk, item_id=item.pk)
    # The dispute hold is still open: its item is not made again.
    assert work_items_refresh(now=NOON).created == 0
