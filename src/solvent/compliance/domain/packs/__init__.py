"""The rule packs shipped with Solvent and their selection by jurisdiction and date.

``ALL_PACKS`` lists every pack version. ``select_packs`` keeps those that apply to any of the
debtor's possible jurisdictions and are in force on the day; when two versions of one pack are in
force the later one wins. ``dormant_rules`` then names, per selected pack, the rules whose own
dates exclude the day. A caller may pass its own pack tuple (a compliance officer's draft).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from solvent.compliance.domain.packs.australia import AUSTRALIA_PACK
from solvent.compliance.domain.packs.canada_on import ONTARIO_PACK
from solvent.compliance.domain.packs.canada_other import BRITISH_COLUMBIA_PACK, QUEBEC_PACK
from solvent.compliance.domain.packs.chat import CHAT_PACK
from solvent.compliance.domain.packs.core import CORE_PACK
from solvent.compliance.domain.packs.dialer import DIALER_GB_PACK, DIALER_US_PACK
from solvent.compliance.domain.packs.tcpa import TCPA_PACK
from solvent.compliance.domain.packs.uk_fca import UK_PACK
from solvent.compliance.domain.packs.us_federal import US_FEDERAL_PACK
from solvent.compliance.domain.packs.us_states import US_STATE_PACKS
from solvent.compliance.domain.rules import RulePack

ALL_PACKS: tuple[RulePack, ...] = (
    CORE_PACK,
    CHAT_PACK,
    US_FEDERAL_PACK,
    TCPA_PACK,
    *US_STATE_PACKS,
    ONTARIO_PACK,
    QUEBEC_PACK,
    BRITISH_COLUMBIA_PACK,
    UK_PACK,
    AUSTRALIA_PACK,
    DIALER_US_PACK,
    DIALER_GB_PACK,
)


@lru_cache(maxsize=4096)
def select_packs(
    packs: tuple[RulePack, ...], jurisdictions: tuple[str, ...], day: date
) -> tuple[RulePack, ...]:
    chosen: dict[str, RulePack] = {}
    for pack in packs:
        if not pack.in_force_on(day) or not pack.applies_to(jurisdictions):
            continue
        current = chosen.get(pack.pack_id)
        if current is None or pack.effective_from > current.effective_from:
            chosen[pack.pack_id] = pack
    return tuple(chosen.values())


@lru_cache(maxsize=8192)
def dormant_rules(packs: tuple[RulePack, ...], day: date) -> tuple[frozenset[str], ...]:
    """Per selected pack, the rule ids not yet (or no longer) in force on ``day``.

    A pack is in force as a whole, but its rules may start later: the FDCPA's hours rule applies
    since 1978, Regulation F's 7-in-7 presumption only since 2021-11-30 (one pack, two dates).
    """
    return tuple(pack.dormant_on(day) if pack.rule_dates else frozenset() for pack in packs)


__all__ = ["ALL_PACKS", "dormant_rules", "select_packs"]
