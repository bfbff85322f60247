"""The arrangements' layers: the domain is pure, and the panel's queries do not grow with history.

pyproject's import-linter contract for pure domain code does not name ``solvent.arrangements.domain``
yet (pyproject.toml is not this feature's file): this test holds the rule until it does.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.arrangements import services
from solvent.arrangements.domain.statement import LineInput
from solvent.core.models import Role
from tests.arrangements.factories import debt_create, staff_create

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "solvent" / "arrangements" / "domain"
ALLOWED_SOLVENT = ("solvent.arrangements.domain", "solvent.core.domain")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_domain_imports_no_django_and_nothing_but_domain_code() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 5
    for path in files:
        for name in _imports(path):
            assert not name.startswith(("django", "ninja")), (path.name, name)
            if name.startswith("solvent"):
                assert name.startswith(ALLOWED_SOLVENT), (path.name, name)


def test_the_scanner_catches_an_offender(tmp_path: Path) -> None:
    offender = tmp_path / "bad.py"
    offender.write_text("from django.db import models\nimport solvent.portfolio.models\n")
    assert _imports(offender) == {"django.db", "solvent.portfolio.models"}


@pytest.mark.django_db
def test_the_panel_issues_the_same_queries_for_one_promise_or_twenty(monkeypatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: datetime(2026, 12, 2, 10, tzinfo=UTC))
    account, debtor = debt_create(principal="5000.00")
    agent = staff_create("agent", Role.AGENT, clients=(account.client,))
    http = HttpClient()
    http.force_login(agent)
    url = f"/accounts/{account.pk}/arrangements/"

    def promises(count: int) -> None:
        for _ in range(count):
            services.promise_create(
                account_id=account.pk,
                debtor_id=debtor.pk,
                amount="10",
                due_on=date(2026, 12, 9),
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get(url).status_code == 200
        return len(captured)

    def plans(count: int) -> None:
        statement = services.income_expenditure_record(
            debtor_id=debtor.pk,
            account_id=account.pk,
            lines=[LineInput("earnings.wages", Decimal("800"))],
        )
        for _ in range(count):
            services.plan_propose(
                account_id=account.pk,
                debtor_id=debtor.pk,
                income_expenditure_id=statement.pk,
                frequency="monthly",
                first_due_on=date(2026, 12, 20),
            )

    promises(1)
    plans(1)
    one = queries()
    promises(19)
    plans(4)
    assert queries() == one
