"""Who the strategy benchmark's debtors are: the product's debtor model, re-exported.

The traits, personas and zone tables moved to ``solvent.training.domain.debtor_model`` so the
practice floor's simulated debtors draw from the same model (src/ cannot import bench/); this module
keeps the benchmark's imports (``strategy_world``, ``strategy_behaviour``, tests/bench) unchanged.
"""

from __future__ import annotations

from solvent.training.domain.debtor_model import (
    CALL_ANSWER,
    READ,
    SELF_SERVICE_FACTOR,
    WEEKEND_CALL_FACTOR,
    ZONE_OF_AREA_CODE,
    ZONE_OF_CITY,
    Ability,
    Persona,
    Traits,
    traits_draw,
    zones_of_row,
)

__all__ = [
    "CALL_ANSWER",
    "READ",
    "SELF_SERVICE_FACTOR",
    "WEEKEND_CALL_FACTOR",
    "ZONE_OF_AREA_CODE",
    "ZONE_OF_CITY",
    "Ability",
    "Persona",
    "Traits",
    "traits_draw",
    "zones_of_row",
]
