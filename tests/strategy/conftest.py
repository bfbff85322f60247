"""A generated portfolio with the default strategies installed: what the plan tests work on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from solvent.contact.default_templates import default_templates_install
from solvent.portfolio.generate import write_placement_csv
from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.models import Account, Client, Team
from solvent.strategy.services.definitions import strategy_defaults_install

# A Wednesday; the generator's delinquencies spread the accounts over every stage.
PLAN_DAY = date(2026, 12, 2)
BEFORE_PLAN_DAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def portfolio(db, tmp_path: Path) -> Callable[..., Client]:
    """``portfolio(code, rows, seed)``: a client with a generated placement and a team."""

    def make(code: str = "acme", rows: int = 60, seed: int = 11, spread: bool = True) -> Client:
        client, _ = Client.objects.get_or_create(code=code, defaults={"name": code.title()})
        team, _ = Team.objects.get_or_create(name=f"team-{code}")
        team.clients.add(client)
        path = tmp_path / f"{code}.csv"
        write_placement_csv(
            path, rows=rows, seed=seed, as_of=date(2026, 11, 1), account_prefix=code.upper()
        )
        placement_import(client=client, path=path, placed_on=date(2026, 11, 1))
        if spread:
            # An agency's placements are mostly late; spread them over every stage instead.
            for account in Account.objects.filter(client=client).only("pk"):
                days = 1 + (account.pk * 37) % 170
                Account.objects.filter(pk=account.pk).update(
                    delinquency_date=PLAN_DAY - timedelta(days=days)
                )
        default_templates_install()
        strategy_defaults_install()
        return client

    return make
