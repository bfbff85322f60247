"""One-time form keys: each form the page shows carries a fresh key; a key is spent when its form
is sent, so a second submission (a double tap, a reload, the back button) is recognised and
refused instead of acting twice.

Pure: the keys live in the caller's store (the browser session) as two lists, ``issued`` and
``spent``, each kept to the last ``KEEP`` keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

KEEP = 40


class KeyState(StrEnum):
    FRESH = "fresh"  # issued and not yet sent: act
    SPENT = "spent"  # sent before: a double submission
    UNKNOWN = "unknown"  # never issued here (an old page, another session)


@dataclass(frozen=True, slots=True)
class Keys:
    issued: tuple[str, ...] = ()
    spent: tuple[str, ...] = ()


def key_issue(keys: Keys, key: str) -> Keys:
    return Keys((*keys.issued, key)[-KEEP:], keys.spent)


def key_spend(keys: Keys, key: str) -> tuple[KeyState, Keys]:
    """What the key was, and the store after spending it."""
    if key and key in keys.spent:
        return KeyState.SPENT, keys
    if key and key in keys.issued:
        issued = tuple(k for k in keys.issued if k != key)
        return KeyState.FRESH, Keys(issued, (*keys.spent, key)[-KEEP:])
    return KeyState.UNKNOWN, keys
