"""The definitions' reads: who may, which segments a user sees, how counts are kept for a large
portfolio."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from solvent.core.domain.errors import NotFoundError, PermissionDeniedError
from solvent.strategy.selectors import definitions as selectors
from solvent.strategy.services.definitions import segment_save
from tests.strategy.definitions_world import DAY, NOON, StrategyWorld, world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def world() -> StrategyWorld:
    return world_build()


@pytest.mark.parametrize(
    ("who", "reads", "writes"),
    [
        ("manager", True, True),
        ("admin", True, True),
        ("supervisor", True, False),
        ("agent", False, False),
        ("viewer", False, False),
        ("no_role", False, False),
    ],
)
def test_strategy_managers_and_admins_write_and_supervisors_read(
    world: StrategyWorld, who: str, reads: bool, writes: bool
) -> None:
    user = world.users[who]
    for write, allowed in ((False, reads), (True, writes)):
        if allowed:
            assert selectors.strategy_role_require(user=user, write=write) == user.pk
        else:
            with pytest.raises(PermissionDeniedError):
                selectors.strategy_role_require(user=user, write=write)


def test_a_segment_kept_to_a_client_counts_that_clients_accounts_only(world: StrategyWorld) -> None:
    segment = segment_save(
        key="acme-early",
        name="Acme early",
        conditions=[{"field": "days_past_due", "op": "le", "value": 30}],
        priority=1,
        strategy_key="early",
        client_code="acme",
        actor_id=None,
    )
    admin = world.users["admin"]
    features = selectors.features_for(user=admin, day=DAY)
    counts = selectors.segment_counts(features=features, segments=[segment])
    assert counts == {"acme-early": 3}  # not globex's 4 early accounts
    with pytest.raises(NotFoundError):
        selectors.segment_get(user=world.users["globex_manager"], key="acme-early")


def test_a_large_portfolios_features_are_read_once_for_a_few_minutes_per_set_of_clients(
    world: StrategyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Any] = []
    real = selectors.features_frame  # type: ignore[attr-defined]

    def counted(**arguments: Any) -> Any:
        reads.append(arguments["client_ids"])
        return real(**arguments)

    monkeypatch.setattr(selectors, "features_frame", counted)
    monkeypatch.setattr(selectors, "FRAME_CACHE_MIN_ROWS", 1)
    monkeypatch.setattr(selectors, "_frames", type(selectors._frames)())
    manager, admin = world.users["manager"], world.users["admin"]
    first = selectors.features_for(user=manager, day=DAY)
    assert selectors.features_for(user=manager, day=DAY) is first
    assert selectors.features_for(user=admin, day=DAY).height == 10  # another set of clients
    assert reads == [[world.acme.pk], None]
    later = selectors._seconds() + selectors.FRAME_CACHE_SECONDS + 1
    monkeypatch.setattr(selectors, "_seconds", lambda: later)
    selectors.features_for(user=manager, day=DAY)
    assert len(reads) == 3


def test_a_small_portfolio_is_read_afresh_so_a_count_is_never_stale(
    world: StrategyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "_frames", type(selectors._frames)())
    manager = world.users["manager"]
    assert selectors.features_for(user=manager, day=DAY).height == 6
    world.accounts["acme"][0].delete()
    assert selectors.features_for(user=manager, day=DAY).height == 5
