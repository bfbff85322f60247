"""The KPI selectors on the database: tenant scoping (a client viewer sees only their client), the
narrowing to one client, and each report's figures over a small agency's month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solvent.analytics import selectors
from solvent.analytics.domain.reports import Ratio
from solvent.core.domain.errors import NotFoundError
from tests.analytics.kpi_world import END, NOW, START, World, at, interaction, world_build

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    return world_build()


def _kpis(user, group_by="", client_code=""):
    return selectors.kpi_table(
        user=user, period_start=START, period_end=END, group_by=group_by, client_code=client_code
    )


def _parts(ratio: Ratio) -> tuple[Decimal, Decimal]:
    return ratio.numerator, ratio.denominator


def test_an_agency_wide_user_sees_every_clients_figures(world):
    table = _kpis(world.admin, "client")
    rows = {row.group: row.values for row in table.rows}
    assert set(rows) == {"acme", "beta"}
    assert _parts(rows["acme"]["rpc_rate"]) == (D(2), D(3))
    assert _parts(rows["beta"]["rpc_rate"]) == (D(0), D(1))
    assert _parts(table.total.values["contact_rate"]) == (D(2), D(4))
    assert _parts(table.total.values["promise_rate"]) == (D(1), D(2))
    assert _parts(table.total.values["kept_rate"]) == (D(1), D(1))
    assert _parts(table.total.values["compliance_block_rate"]) == (D(2), D(3))


def test_a_client_viewer_sees_only_their_clients_figures(world):
    table = _kpis(world.viewer, "client")
    assert [row.group for row in table.rows] == ["acme"]
    total = table.total.values
    assert _parts(total["rpc_rate"]) == (D(2), D(3))
    assert _parts(total["liquidation_rate"]) == (D("100.00"), D("2000.00"))
    assert _parts(total["rpc_per_hour"]) == (D(2), D(2))
    assert _parts(total["occupancy"]) == (D("0.5"), D(2))
    assert _parts(total["compliance_block_rate"]) == (D(1), D(2))


def test_a_client_viewer_cannot_name_another_client_and_a_missing_one_is_the_same_answer(world):
    with pytest.raises(NotFoundError):
        _kpis(world.viewer, client_code="beta")
    with pytest.raises(NotFoundError):
        _kpis(world.viewer, client_code="nobody")
    with pytest.raises(NotFoundError):
        selectors.roll_rate_matrices(
            user=world.viewer, months_from=START, as_of=END, client_code="beta"
        )


def test_client_code_narrows_to_one_client_and_its_view_of_shared_interactions(world):
    total = _kpis(world.admin, client_code="beta").total.values
    # The promise call named both clients' debts: within beta it counts on beta's account.
    assert _parts(total["rpc_rate"]) == (D(1), D(2))
    assert _parts(total["liquidation_rate"]) == (D("250.00"), D("1000.00"))


def test_a_user_without_a_role_sees_nothing(world):
    nobody = User.objects.create_user(username="nobody")
    total = _kpis(nobody).total.values
    assert total["contact_rate"].denominator == 0
    assert total["penetration"].denominator == 0


def test_the_kpis_are_read_in_a_fixed_number_of_queries(world):
    _kpis(world.admin)  # the user's role is read once per user object
    with CaptureQueriesContext(connection) as first:
        _kpis(world.admin, "agent")
    debtor = world.a2.debtors.get()
    for day in range(1, 20):
        interaction(debtor, [world.a2], "busy", at(day), world.bob)
    with CaptureQueriesContext(connection) as second:
        table = _kpis(world.admin, "agent")
    assert len(first) == len(second) <= 20
    assert {row.group for row in table.rows} == {"ann", "bob"}


def test_the_promise_funnel(world):
    funnel = selectors.promise_funnel(user=world.admin, period_start=START, period_end=END)
    assert [(s.key, s.count, s.amount) for s in funnel.steps] == [
        ("attempts", 4, None),
        ("rpc", 2, None),
        ("promise", 1, D("100.00")),
        ("kept", 1, D("100.00")),
    ]


def test_agent_productivity(world):
    rows = {
        r.agent: r
        for r in selectors.agent_productivity(user=world.admin, period_start=START, period_end=END)
    }
    ann = rows["ann"]
    assert (ann.logged_in_hours, ann.attempts, ann.rpc, ann.promises) == (D(2), 3, 2, 1)
    assert (ann.promised, ann.collected, ann.qa_average) == (D("100.00"), D("100.00"), 80.0)
    assert ann.rpc_per_hour.value == 1.0
    assert ann.occupancy.value == 0.25
    assert ann.promise_rate.value == 0.5
    assert (rows["bob"].attempts, rows["bob"].collected) == (1, D("0.00"))
    viewer_rows = selectors.agent_productivity(
        user=world.viewer, period_start=START, period_end=END
    )
    assert [r.agent for r in viewer_rows] == ["ann"]


def test_compliance_blocks_by_rule_with_citations(world):
    blocks = selectors.compliance_blocks(user=world.admin, period_start=START, period_end=END)
    assert [(b.rule_id, b.citation, b.refused, b.proposed) for b in blocks] == [
        ("call_cap_7_in_7", "12 CFR 1006.14(b)(2)(i)", 1, 3),
        ("time_of_day", "15 U.S.C. 1692c(a)(1)", 1, 3),
    ]
    mine = selectors.compliance_blocks(user=world.viewer, period_start=START, period_end=END)
    assert [(b.rule_id, b.proposed) for b in mine] == [("call_cap_7_in_7", 2)]


def test_channel_effectiveness(world):
    (calls,) = selectors.channel_effectiveness(user=world.admin, period_start=START, period_end=END)
    assert (calls.channel, calls.attempts, calls.contacts, calls.rpc, calls.promises) == (
        "call",
        4,
        2,
        2,
        1,
    )
    assert calls.collected_after == D("100.00")
    assert calls.contact_rate.value == 0.5


def test_roll_rate_matrices_and_liquidation_curves(world):
    matrices = selectors.roll_rate_matrices(
        user=world.admin, months_from=date(2026, 10, 1), as_of=date(2026, 11, 30)
    )
    assert [(m.month, m.counts) for m in matrices] == [
        ("2026-10", {("current", "1-30"): 2}),
        ("2026-11", {("1-30", "31-60"): 3}),
    ]
    mine = selectors.roll_rate_matrices(
        user=world.viewer, months_from=date(2026, 11, 1), as_of=date(2026, 11, 30)
    )
    assert mine[0].counts == {("1-30", "31-60"): 2}
    curves = selectors.liquidation_curves(
        user=world.viewer, cohorts_from=date(2026, 9, 1), as_of=date(2026, 11, 30)
    )
    assert [(c.cohort, c.accounts, c.placed) for c in curves] == [("2026-09", 2, D("2000.00"))]
    assert curves[0].points[-1][1] == D("100.00")


def test_an_interaction_about_a_shared_debtor_as_a_person_is_not_shown_across_clients(world):
    shared = world.a1.debtors.get()
    interaction(shared, [], "right_party_contact", at(20), world.bob)
    interaction(world.a2.debtors.get(), [], "right_party_contact", at(21), world.ann)
    # The agency sees both (on the debtors' lowest accounts).
    assert _kpis(world.admin).total.values["promise_rate"].denominator == 4
    # Acme's viewer sees the one about acme's own debtor, not the shared debtor's (bob is beta's).
    assert _kpis(world.viewer).total.values["promise_rate"].denominator == 3
    agents = selectors.agent_productivity(user=world.viewer, period_start=START, period_end=END)
    assert [row.agent for row in agents] == ["ann"]
    # Narrowed to beta, the shared debtor is still shared: not shown either.
    assert _kpis(world.admin, client_code="beta").total.values["promise_rate"].denominator == 1
