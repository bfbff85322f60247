"""The documented priority of a planned action: the amount we expect it to bring in.

    priority = p_reach * p_pay * min(balance, BALANCE_CAP_MINOR) / 100 + boost

- ``p_reach``: the chance this attempt reaches the debtor at the planned moment (``timing``).
- ``p_pay``: the chance a reached debtor pays or promises; by default by stage of default
  (``P_PAY_BY_STAGE``: the older the debt, the less likely), until a score model replaces it.
- the balance, in currency units, is capped so that a few very large balances do not take every
  call of the day; over the cap the expected value is the same.
- ``boost``: currency units added for work that should not wait (a broken promise to follow up,
  a callback the debtor asked for); ``BOOST_BROKEN_PROMISE`` and ``BOOST_CALLBACK`` are the defaults.

The unit is expected currency units collected. Equal priorities are broken by the caller, by
account id, so a plan is the same every time it is run.
"""

from __future__ import annotations

import polars as pl

# 10,000 currency units: above it, a larger balance does not raise an account's priority.
BALANCE_CAP_MINOR = 1_000_000
P_PAY_BY_STAGE: dict[str, float] = {
    "current": 0.50,
    "1-30": 0.40,
    "31-60": 0.30,
    "61-90": 0.22,
    "91-120": 0.15,
    "121-180": 0.10,
    "180+": 0.05,
}
BOOST_BROKEN_PROMISE = 50.0
BOOST_CALLBACK = 200.0


def _probability(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} {value} is not a probability")


def priority(balance_minor: int, p_reach: float, p_pay: float, boost: float = 0.0) -> float:
    """Expected currency units collected by this action, plus ``boost`` (see the module docstring).

    A negative balance (a credit) counts as 0.
    """
    _probability("p_reach", p_reach)
    _probability("p_pay", p_pay)
    capped = min(max(balance_minor, 0), BALANCE_CAP_MINOR)
    return p_reach * p_pay * capped / 100 + boost


def priority_expr(
    balance_minor: pl.Expr, p_reach: pl.Expr, p_pay: pl.Expr, boost: pl.Expr | None = None
) -> pl.Expr:
    """``priority`` over columns (the plan ranks a million accounts this way), named "priority"."""
    capped = balance_minor.clip(0, BALANCE_CAP_MINOR).cast(pl.Float64)
    value = p_reach * p_pay * capped / 100
    if boost is not None:
        value = value + boost.fill_null(0.0)
    return value.alias("priority")
