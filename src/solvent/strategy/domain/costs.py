"""What an attempt costs, by channel, in minor units: the expected cost of a plan and the cost to
collect of an experiment's arm (docs/strategy.md says where the figures come from).

A call is an agent's time (about 4 minutes of a fully loaded agent hour at about 22.50) plus the
line; a text and an e-mail are the provider's price; a letter is print, postage and handling.
They are defaults an operation replaces with its own.
"""

from __future__ import annotations

COST_PER_ATTEMPT_MINOR: dict[str, int] = {"call": 150, "sms": 2, "email": 1, "letter": 90}
