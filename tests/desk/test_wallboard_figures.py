"""The wallboard's figures against a hand-counted day, tenant scoping and the agents' states.

The world (``floor``): clients Acme (team "acme floor") and Globex (team "globex floor"). Acme's
accounts A1-A3 are active, A4 is paid, A5 is under a dispute and A6 under a hardship pause; Globex has G1 and G2, both active. The ledger rows of the
day, and what each must count as for Acme (the comments beside each row in ``floor``):

| row | account | what | counts as |
| --- | --- | --- | --- |
| 1 | A1 | call by ann, right party | attempt, call, contact, right-party contact |
| 2 | A1 | call by ann, no answer | attempt, call |
| 3 | A2 | call by ann, wrong number | attempt, call, contact (a person, not the right one) |
| 4 | A2 | call by ann, reserved 5 minutes ago | attempt, call; ann is on a call |
| 5 | A1 | SMS, delivered | attempt, SMS sent and delivered |
| 6 | A2 | e-mail, sent | attempt, e-mail sent, not delivered |
| 7 | A1 | call yesterday, right party | nothing today |
| 8 | A3 | call cancelled (never made) | nothing; A3 is still in the queue |
| 9 | A1 | inbound call, right party | not an attempt (the consumer called) |
| 10 | G1 | call by bob, right party | Globex's only |

Decisions: one refused today about A3 by two rules (one block, counted under each rule), one
refused yesterday about A1 (nothing), one refused today about G1 (Globex's only).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solvent.compliance.models import ContactAttempt, DecisionLog, Hold
from solvent.contact.models import Interaction
from solvent.core.domain.errors import NotFoundError
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.desk.domain.wallboard import AgentState, Ratio, agent_state, chart_data
from solvent.desk.wallboard import wallboard_get
from solvent.desk.wallboard_agents import agent_get, agent_interaction_list
from solvent.desk.wallboard_ledger import day_bounds, promise_model
from solvent.desk.wallboard_scope import wallboard_scope
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Phone, Team

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
YESTERDAY = NOW - timedelta(days=1)


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


def _user(name: str, role: Role | None, team: Team | None) -> User:
    user = User.objects.create_user(username=name)
    if role is not None:
        staff_role_set(user=user, role=role)
    if team is not None:
        team.members.add(user)
    return user


def _account(client: Client, number: str, status: str = Account.Status.ACTIVE) -> Account:
    debtor = Debtor.objects.create(first_name="Pat", last_name=number)
    account = Account.objects.create(
        client=client, account_number=number, currency="USD", principal="100.00", status=status
    )
    AccountDebtor.objects.create(account=account, debtor=debtor)
    return account


def _decision(
    account: Account,
    *,
    at: datetime,
    by: User | None = None,
    rules: tuple[str, ...] = (),
    channel: str = "call",
) -> DecisionLog:
    return DecisionLog.objects.create(
        debtor=account.debtors.get(),
        channel=channel,
        contact_point="+16142250101",
        account_ids=[account.pk],
        purpose="collection",
        proposed_at=at,
        allowed=not rules,
        blocking_rule_ids=list(rules),
        decision={},
        inputs={},
        asked_by=by,
        decided_at=at,
    )


def _attempt(
    account: Account,
    *,
    at: datetime,
    by: User | None = None,
    channel: str = "call",
    outcome: str = "",
    status: str = ContactAttempt.Status.COMPLETED,
    direction: str = ContactAttempt.Direction.OUTBOUND,
    autodialled: bool = False,
) -> ContactAttempt:
    decision = None
    if direction == ContactAttempt.Direction.OUTBOUND:
        decision = _decision(account, at=at, by=by, channel=channel)
    attempt = ContactAttempt.objects.create(
        debtor=account.debtors.get(),
        direction=direction,
        channel=channel,
        contact_point="+16142250101",
        at=at,
        status=status,
        outcome=outcome,
        outcome_at=at if outcome else None,
        decision_log=decision,
        autodialled=autodialled,
    )
    attempt.accounts.add(account)
    if by is not None and status == ContactAttempt.Status.COMPLETED:
        Interaction.objects.create(
            debtor=account.debtors.get(),
            channel=channel,
            direction=direction,
            contact_point="+16142250101",
            account_ids=[account.pk],
            occurred_at=at,
            agent=by,
            disposition="no_answer",
            compliance_attempt_id=attempt.pk,
        )
    return attempt


@pytest.fixture
def floor() -> dict[str, object]:
    return floor_build()


def floor_build() -> dict[str, object]:
    """The world of the module docstring (also the page tests')."""
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    acme_team = Team.objects.create(name="acme floor")
    acme_team.clients.add(acme)
    globex_team = Team.objects.create(name="globex floor")
    globex_team.clients.add(globex)
    supervisor = _user("sue", Role.SUPERVISOR, acme_team)
    admin = _user("ada", Role.ADMIN, None)
    ann = _user("ann", Role.AGENT, acme_team)
    bob = _user("bob", Role.AGENT, globex_team)
    a1, a2, a3 = (_account(acme, number) for number in ("A1", "A2", "A3"))
    Phone.objects.create(
        debtor=a1.debtors.get(), e164="+16142250101", time_zones=["America/New_York"]
    )
    _account(acme, "A4", Account.Status.PAID)
    disputed = _account(acme, "A5")  # active, untouched, but a dispute stops all contact
    hold = Hold.objects.create(
        debtor=disputed.debtors.get(), kind="dispute", source="letter", placed_at=YESTERDAY
    )
    hold.accounts.add(disputed)
    hardship = _account(acme, "A6")  # a hardship pause narrows contact: still in the queue
    Hold.objects.create(
        debtor=hardship.debtors.get(), kind="hardship", source="letter", placed_at=YESTERDAY
    )
    g1 = _account(globex, "G1")
    _account(globex, "G2")
    rpc, reached = "right_party_conversation", "wrong_number"
    _attempt(a1, at=NOW - timedelta(hours=3), by=ann, outcome=rpc)  # 1
    _attempt(a1, at=NOW - timedelta(hours=2), by=ann, outcome="no_answer")  # 2
    _attempt(a2, at=NOW - timedelta(hours=1), by=ann, outcome=reached)  # 3
    _attempt(a2, at=NOW - timedelta(minutes=5), by=ann, status=ContactAttempt.Status.RESERVED)  # 4
    _attempt(a1, at=NOW - timedelta(hours=4), channel="sms", outcome="delivered")  # 5
    _attempt(a2, at=NOW - timedelta(hours=4), channel="email", outcome="sent")  # 6
    _attempt(a1, at=YESTERDAY, by=ann, outcome=rpc)  # 7
    _attempt(a3, at=NOW - timedelta(hours=1), status=ContactAttempt.Status.CANCELLED)  # 8
    _attempt(
        a1, at=NOW - timedelta(hours=5), outcome=rpc, direction=ContactAttempt.Direction.INBOUND
    )  # 9
    _attempt(g1, at=NOW - timedelta(hours=2), by=bob, outcome=rpc)  # 10
    _decision(a3, at=NOW - timedelta(hours=1), by=ann, rules=("regf.call_cap", "us.call_hours"))
    _decision(a1, at=YESTERDAY, by=ann, rules=("regf.call_cap",))
    _decision(g1, at=NOW - timedelta(hours=1), by=bob, rules=("regf.call_cap",))
    return {
        "supervisor": supervisor,
        "admin": admin,
        "ann": ann,
        "bob": bob,
        "acme_team": acme_team,
        "globex_team": globex_team,
        "accounts": {"A1": a1, "A2": a2, "A3": a3, "G1": g1},
    }


def test_a_supervisor_sees_their_clients_day_counted_by_the_glossary(floor) -> None:
    board = wallboard_get(scope=wallboard_scope(user=floor["supervisor"]))
    assert [row.label for row in board.clients] == ["Acme Bank"]
    assert [row.label for row in board.teams] == ["acme floor"]
    for row in (board.clients[0], board.teams[0], board.total):
        assert row.attempts == 6  # rows 1-6; not yesterday's, the cancelled, the inbound
        assert row.call_attempts == 4
        assert row.contacts == 2  # right party and wrong number: a person was reached
        assert row.right_party_contacts == 1
        assert row.contact_rate == Ratio(2, 4)
        assert row.right_party_contact_rate == Ratio(1, 4)
        assert row.messages == [("sms", 1, 1), ("email", 1, 0), ("letter", 0, 0)]
        # One refused contact, refused by two rules: one block, listed under each rule.
        assert row.refused == 1
        assert row.blocks == {"regf.call_cap": 1, "us.call_hours": 1}
        # Of 8 contacts proposed to the gate today (rows 1-6 and 8, and the refused one).
        assert row.block_rate == Ratio(1, 8)
        # A3 (its only attempt was cancelled) and A6; not A5 (disputed) nor A4 (paid).
        assert row.queue == 2
        assert row.promises == 0 and row.promise_amounts == {}
    assert board.live is True


def test_an_admin_sees_every_client_and_the_total_counts_each_once(floor) -> None:
    board = wallboard_get(scope=wallboard_scope(user=floor["admin"]))
    by_label = {row.label: row for row in board.clients}
    assert set(by_label) == {"Acme Bank", "Globex Telecom"}
    globex = by_label["Globex Telecom"]
    assert (globex.attempts, globex.contacts, globex.right_party_contacts) == (1, 1, 1)
    assert globex.refused == 1 and globex.blocks == {"regf.call_cap": 1}
    assert globex.queue == 1  # G2
    assert (board.total.attempts, board.total.call_attempts) == (7, 5)
    assert board.total.refused == 2
    assert board.total.blocks == {"regf.call_cap": 2, "us.call_hours": 1}
    assert board.total.block_rate == Ratio(2, 10)
    assert board.blocks_by_rule == [("regf.call_cap", [1, 1], 2), ("us.call_hours", [1, 0], 1)]
    assert board.total.queue == 3
    assert {row.label for row in board.teams} == {"acme floor", "globex floor"}


def test_filters_narrow_the_board_and_refuse_what_the_user_does_not_see(floor) -> None:
    admin, supervisor = floor["admin"], floor["supervisor"]
    globex_only = wallboard_get(scope=wallboard_scope(user=admin, client_code="globex"))
    assert [row.label for row in globex_only.clients] == ["Globex Telecom"]
    assert [row.label for row in globex_only.teams] == ["globex floor"]  # not acme's
    assert globex_only.total.attempts == 1
    by_team = wallboard_get(scope=wallboard_scope(user=admin, team_id=floor["acme_team"].pk))
    assert [row.label for row in by_team.teams] == ["acme floor"]
    assert by_team.total.attempts == 6
    with pytest.raises(NotFoundError):
        wallboard_scope(user=supervisor, client_code="globex")
    with pytest.raises(NotFoundError):
        wallboard_scope(user=supervisor, team_id=floor["globex_team"].pk)


def test_a_past_day_counts_that_day_and_shows_no_live_state(floor) -> None:
    scope = wallboard_scope(user=floor["supervisor"], day=YESTERDAY.date())
    board = wallboard_get(scope=scope)
    assert board.live is False
    assert (board.total.attempts, board.total.right_party_contacts) == (1, 1)
    assert board.total.refused == 1
    assert board.total.queue is None  # the queue is a live figure
    assert all(agent.state is None for agent in board.agents)


def test_agents_of_the_board_with_their_state_and_figures(floor) -> None:
    board = wallboard_get(scope=wallboard_scope(user=floor["supervisor"]))
    assert [agent.username for agent in board.agents] == ["ann"]  # bob serves Globex only
    ann = board.agents[0]
    assert ann.state is AgentState.ON_CALL  # row 4 is reserved and has no outcome
    assert (ann.figures.attempts, ann.figures.contacts, ann.figures.right_party_contacts) == (
        4,
        2,
        1,
    )


def test_agent_drill_down_lists_the_days_interactions_with_links_to_visible_accounts(
    floor,
) -> None:
    scope = wallboard_scope(user=floor["supervisor"])
    ann = agent_get(scope=scope, agent_id=floor["ann"].pk)
    assert ann.username == "ann"
    rows = agent_interaction_list(scope=scope, agent_id=floor["ann"].pk)
    assert len(rows) == 3  # rows 1-3: the reservation has no interaction yet, yesterday's is out
    assert [number for row in rows for _pk, number in row.accounts] == ["A2", "A1", "A1"]
    # In the debtor's local time where the phone's zone is known (A1's), else left blank.
    assert [row.debtor_local_time for row in rows] == [
        "",
        "10:00 EDT, New York",
        "09:00 EDT, New York",
    ]
    with pytest.raises(NotFoundError):
        agent_get(scope=scope, agent_id=floor["bob"].pk)


@pytest.mark.parametrize(
    ("on_call", "interaction_ago", "activity_ago", "expected"),
    [
        (True, None, None, AgentState.ON_CALL),
        (False, timedelta(minutes=1), timedelta(minutes=1), AgentState.WRAP_UP),
        (False, timedelta(minutes=2), timedelta(minutes=2), AgentState.WRAP_UP),
        (False, timedelta(minutes=3), timedelta(minutes=3), AgentState.IDLE),
        (False, None, timedelta(minutes=30), AgentState.IDLE),
        (False, timedelta(minutes=31), timedelta(minutes=31), AgentState.OFFLINE),
        (False, None, None, AgentState.OFFLINE),
    ],
)
def test_agent_state_rules(on_call, interaction_ago, activity_ago, expected) -> None:
    state = agent_state(
        now=NOW,
        on_call=on_call,
        last_interaction_at=NOW - interaction_ago if interaction_ago else None,
        last_activity_at=NOW - activity_ago if activity_ago else None,
    )
    assert state is expected


def test_the_day_is_the_agencys_day(settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    start, end = day_bounds(NOW.date())
    assert start == datetime(2026, 6, 9, 4, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=24)


def test_ratio_shows_numerator_and_denominator() -> None:
    assert str(Ratio(1, 4)) == "1 / 4 (25.0%)"
    assert Ratio(0, 0).percent == "n/a"


def test_chart_data_follows_the_client_rows(floor) -> None:
    board = wallboard_get(scope=wallboard_scope(user=floor["admin"]))
    data = chart_data(board)
    assert data["labels"] == ["Acme Bank", "Globex Telecom"]
    attempts = next(series for series in data["series"] if series["label"] == "Attempts")
    assert attempts["values"] == [6, 1]


def _more_of_everything() -> None:
    """Three more clients, teams, agents and a day of rows each: the query count must not grow."""
    for index in range(3):
        client = Client.objects.create(code=f"extra{index}", name=f"Extra {index}")
        team = Team.objects.create(name=f"extra floor {index}")
        team.clients.add(client)
        agent = _user(f"extra-agent-{index}", Role.AGENT, team)
        for number in range(4):
            account = _account(client, f"X{index}-{number}")
            _attempt(account, at=NOW - timedelta(hours=1), by=agent, outcome="no_answer")
            _decision(account, at=NOW - timedelta(hours=1), by=agent, rules=("regf.call_cap",))


def test_the_board_costs_the_same_number_of_queries_whatever_its_size(floor) -> None:
    admin = floor["admin"]
    with CaptureQueriesContext(connection) as small:
        wallboard_get(scope=wallboard_scope(user=admin))
    _more_of_everything()
    admin = User.objects.get(pk=admin.pk)  # a fresh object, as each request has: no cached role
    with CaptureQueriesContext(connection) as large:
        board = wallboard_get(scope=wallboard_scope(user=admin))
    assert len(board.clients) == 5 and len(board.agents) == 5
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 25


@pytest.mark.skipif(promise_model() is None, reason="the arrangements app is not installed yet")
def test_promises_of_the_day_and_their_amount(floor) -> None:
    model = promise_model()
    assert model is not None
    a1, g1 = floor["accounts"]["A1"], floor["accounts"]["G1"]
    ann = floor["ann"]
    rows = [
        (a1, "50.00", ann, NOW - timedelta(hours=1), "pending"),
        (a1, "25.50", ann, NOW - timedelta(hours=1), "kept"),
        (a1, "99.00", ann, YESTERDAY, "pending"),  # yesterday's
        (a1, "12.00", ann, NOW - timedelta(hours=1), "cancelled"),  # withdrawn
        (g1, "10.00", floor["bob"], NOW, "pending"),  # Globex's
    ]
    for account, amount, by, at, status in rows:
        model._default_manager.create(
            account=account,
            debtor=account.debtors.get(),
            amount=Decimal(amount),
            currency="USD",
            due_on=NOW.date(),
            created_by=by,
            created_at=at,
            status=status,
        )
    board = wallboard_get(scope=wallboard_scope(user=floor["supervisor"]))
    assert board.total.promises == 2  # not yesterday's, not Globex's
    assert board.total.promise_amounts == {"USD": Decimal("75.50")}
    assert board.agents[0].figures.promises == 2


def test_the_board_counts_the_agencys_day_not_utcs(floor, settings) -> None:
    late = datetime(2026, 6, 9, 3, 30, tzinfo=UTC)  # 23:30 on 8 June in New York
    _attempt(floor["accounts"]["A3"], at=late, by=floor["ann"], outcome="no_answer")
    in_utc = wallboard_get(scope=wallboard_scope(user=floor["supervisor"]))
    assert in_utc.total.attempts == 7 and in_utc.total.queue == 1  # A3 was touched today
    settings.TIME_ZONE = "America/New_York"
    in_new_york = wallboard_get(scope=wallboard_scope(user=floor["supervisor"]))
    assert in_new_york.day == NOW.date()
    assert in_new_york.total.attempts == 6 and in_new_york.total.queue == 2  # yesterday's there
