"""The wallboard's SQL agrees with a plain-Python count of the same ledger, for any ledger.

Hypothesis draws a day of ledger rows over three clients (two teams: one serving clients 0 and 1,
one serving client 2): each row about one or two accounts of different clients, on any channel,
either direction, any status and outcome, today or yesterday. The oracle counts them by the
glossary's definitions, row by row; the board must give the same figures per client, per team and
in total (a row about two clients of one team counts once for the team and once in the total).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvent.compliance.models import ContactAttempt
from solvent.core.models import Role
from solvent.desk.domain.wallboard import (
    MESSAGE_CHANNELS,
    REACHED_OUTCOMES,
    RIGHT_PARTY_OUTCOMES,
    SENT_OUTCOMES,
    Figures,
)
from solvent.desk.wallboard import wallboard_get
from solvent.desk.wallboard_scope import wallboard_scope
from solvent.portfolio.models import Client, Team
from tests.desk.test_wallboard_figures import NOW, _account, _attempt, _user

pytestmark = pytest.mark.django_db

TEAMS = {"front": (0, 1), "back": (2,)}
OUTCOMES = [value for value, _label in ContactAttempt.Outcome.choices] + [""]

rows = st.lists(
    st.fixed_dictionaries(
        {
            "clients": st.sets(st.integers(0, 2), min_size=1, max_size=2),
            "channel": st.sampled_from(["call", "sms", "email", "letter", "voicemail"]),
            "direction": st.sampled_from(["outbound", "inbound"]),
            "status": st.sampled_from(["reserved", "completed", "cancelled"]),
            "outcome": st.sampled_from(OUTCOMES),
            "yesterday": st.booleans(),
        }
    ),
    max_size=12,
)


def _oracle(drawn: list[dict[str, Any]], clients: set[int]) -> dict[str, int]:
    """The figures of the rows about any of ``clients``, counted one row at a time."""
    counted = [
        row
        for row in drawn
        if row["clients"] & clients
        and not row["yesterday"]
        and row["status"] != "cancelled"
        and row["direction"] == "outbound"
    ]
    calls = [row for row in counted if row["channel"] == "call"]
    figures = {
        "attempts": len(counted),
        "call_attempts": len(calls),
        "contacts": sum(row["outcome"] in REACHED_OUTCOMES for row in calls),
        "right_party_contacts": sum(row["outcome"] in RIGHT_PARTY_OUTCOMES for row in calls),
    }
    for channel in MESSAGE_CHANNELS:
        on_channel = [row for row in counted if row["channel"] == channel]
        figures[f"sent_{channel}"] = sum(row["outcome"] in SENT_OUTCOMES for row in on_channel)
        figures[f"delivered_{channel}"] = sum(row["outcome"] == "delivered" for row in on_channel)
    return figures


def _shown(row: Figures) -> dict[str, int]:
    figures = {
        "attempts": row.attempts,
        "call_attempts": row.call_attempts,
        "contacts": row.contacts,
        "right_party_contacts": row.right_party_contacts,
    }
    for channel, sent, delivered in row.messages:
        figures[f"sent_{channel}"] = sent
        figures[f"delivered_{channel}"] = delivered
    return figures


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> User:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    return _user("oracle-admin", Role.ADMIN, None)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=rows)
def test_the_board_counts_what_the_oracle_counts(admin: User, drawn: list[dict[str, Any]]) -> None:
    with transaction.atomic():
        clients = [Client.objects.create(code=f"c{i}", name=f"Client {i}") for i in range(3)]
        for name, members in TEAMS.items():
            team = Team.objects.create(name=name)
            team.clients.add(*(clients[i] for i in members))
        accounts = [_account(client, f"{client.code}-1") for client in clients]
        for row in drawn:
            first, *others = sorted(row["clients"])
            attempt = _attempt(
                accounts[first],
                at=NOW - timedelta(days=1 if row["yesterday"] else 0, hours=1),
                channel=row["channel"],
                outcome=row["outcome"],
                status=row["status"],
                direction=row["direction"],
            )
            attempt.accounts.add(*(accounts[i] for i in others))
        board = wallboard_get(scope=wallboard_scope(user=admin))
        by_label = {row.label: row for row in (*board.clients, *board.teams)}
        for index in range(3):
            assert _shown(by_label[f"Client {index}"]) == _oracle(drawn, {index}), index
        for name, members in TEAMS.items():
            assert _shown(by_label[name]) == _oracle(drawn, set(members)), name
        assert _shown(board.total) == _oracle(drawn, {0, 1, 2})
        transaction.set_rollback(True)
