"""Which holds stop every collection contact with the person or the debt (pure).

An account under one is not offered to agents nor planned (the gate would refuse any contact
anyway); a hardship pause, a complaint or a medium opt-out narrows contact but leaves the account
workable (a letter, another channel). The desk's queue, the teams' work queues, the wallboard and
the strategy's features all read this one set.
"""

from __future__ import annotations

CONTACT_STOPPING_HOLD_KINDS = frozenset({"cease", "dispute", "attorney", "bankruptcy", "deceased"})
