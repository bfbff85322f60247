"""The metrics of GLOSSARY.md "Metrics", declared once: what each counts, over which population.

``METRICS`` is the registry the KPI table, the pages, the exports and docs/metrics.md follow (a test
holds the page and the registry together). Each metric is a ratio of two sums over the history, so
every figure carries its numerator and denominator, and a group's figures add up to the total.

The words of the contact history that the metrics count (which dispositions are a contact, which
a right-party contact) are decided here and nowhere else.
"""

from __future__ import annotations

from solvent.analytics.domain.reports import MetricDefinition

# Dispositions of a conversation with the right party (the debtor, or whom the law treats as them).
# Stricter than the compliance ledger's reading (contact.domain.ledger_outcome_for counts every
# other disposition as a right-party conversation, the safe side for limits): "deceased" is news
# from someone else, and a text's reply, opt-out or HELP is a message, not a conversation.
RPC_DISPOSITIONS: frozenset[str] = frozenset(
    {
        "right_party_contact",
        "promise_to_pay",
        "refused",
        "dispute",
        "hardship",
        "callback_requested",
        "bankruptcy",
        "attorney",
        "cease_request",
    }
)
# An attempt "reached someone (any party)": a right-party conversation, or a person who is not the
# debtor. An abandoned call is not a contact: a person answered, but nobody spoke with them.
CONTACT_DISPOSITIONS: frozenset[str] = RPC_DISPOSITIONS | {
    "third_party",
    "wrong_number",
    "deceased",
}
PROMISE_DISPOSITION = "promise_to_pay"
# The channel of "calls only, unless a channel is named" (contact and right-party contact rates).
CALL_CHANNEL = "call"
# A payment is credited to the right-party contact on its account that came last before it, within
# these many days (agent productivity: "collected"; channel effectiveness: within 7 days).
COLLECTED_LOOKBACK_DAYS = 30
CHANNEL_PAYMENT_DAYS = 7

_ACCOUNT_GROUPS = ("client", "placement", "segment", "arm", "team")
_EVENT_GROUPS = (*_ACCOUNT_GROUPS, "agent", "channel")

METRICS: tuple[MetricDefinition, ...] = (
    MetricDefinition(
        key="penetration",
        name="Penetration",
        numerator="accounts worked in the period with at least one attempt in it",
        denominator="accounts worked in the period",
        note="Worked: placed before the period ends and not paid, settled, recalled or closed "
        "before it starts. An attempt is an outbound interaction on any channel.",
    ),
    MetricDefinition(
        key="contact_rate",
        name="Contact rate",
        numerator="call attempts that reached any person",
        denominator="call attempts",
        note="Calls only unless a channel is named: broken down by channel, each row is that "
        "channel's attempts. Reached: a right-party conversation, a third party, a wrong number "
        "or news of a death; an abandoned call is not a contact.",
    ),
    MetricDefinition(
        key="rpc_rate",
        name="Right-party contact rate",
        numerator="call attempts that reached the right party",
        denominator="call attempts",
        note="The same population as the contact rate (calls unless a channel is named).",
    ),
    MetricDefinition(
        key="rpc_per_hour",
        name="RPC per hour",
        numerator="right-party contacts (outbound and inbound)",
        denominator="agent logged-in hours (dialer sessions, clipped to the period)",
        unit="per_hour",
        note="By client, hours count to the client of the session's campaign.",
    ),
    MetricDefinition(
        key="promise_rate",
        name="Promise rate",
        numerator="right-party contacts that ended in a promise to pay or a payment plan",
        denominator="right-party contacts (outbound and inbound)",
        note="Ended in a promise: disposition promise_to_pay, or a promise recorded against the "
        "interaction, or a payment plan made on the account the same UTC day.",
    ),
    MetricDefinition(
        key="kept_rate",
        name="Kept rate",
        numerator="promises kept",
        denominator="promises whose due date plus grace ended in the period, before today",
        note="Kept: cleared payments made from the day of the promise to its due date plus the "
        "client's grace days cover its amount (the arrangements' rule). Cancelled promises are "
        "left out.",
    ),
    MetricDefinition(
        key="promise_amount",
        name="Kept amount",
        numerator="amount paid against those promises (at most each promise's amount)",
        denominator="amount promised by the promises of the kept rate",
        unit="amount",
    ),
    MetricDefinition(
        key="liquidation_rate",
        name="Liquidation rate",
        numerator="cleared payments from placement to the end of the period",
        denominator="amount placed, accounts placed before the end of the period",
        note="By placement cohort and months since placement: the liquidation curves.",
    ),
    MetricDefinition(
        key="recovery_rate",
        name="Recovery rate",
        numerator="cleared payments in the period",
        denominator="balance at the start of the period, accounts open then",
        note="Balance at a date: amount placed less cleared payments before it.",
    ),
    MetricDefinition(
        key="cure_rate",
        name="Cure rate",
        numerator="accounts current or paid at the end of the period",
        denominator="accounts delinquent at the start of the period",
        note="An agency's account returns to current only by being paid (bucket at a date: see "
        "the roll rate).",
    ),
    MetricDefinition(
        key="roll_rate",
        name="Roll rate",
        numerator="accounts in a later stage of default at the end of the period",
        denominator="accounts in a stage below 180+ at the start of the period",
        note="All stages together; per stage (i to i+1, by month) in the roll-rate matrices. "
        "Bucket at a date: the exit (paid, settled, recalled, closed) if it came before, else "
        "the stage of its days past due from the delinquency date.",
    ),
    MetricDefinition(
        key="cost_to_collect",
        name="Cost to collect",
        numerator="agent logged-in hours x the cost of an agent hour",
        denominator="cleared payments in the period",
        unit="amount",
        note="Operating cost is not in the data: shown only when SOLVENT_COST_PER_AGENT_HOUR is "
        "set; agent hours are the only cost counted.",
    ),
    MetricDefinition(
        key="occupancy",
        name="Agent occupancy",
        numerator="talk plus wrap-up hours (dialer calls connected in the period)",
        denominator="agent logged-in hours",
    ),
    MetricDefinition(
        key="abandon_rate",
        name="Abandon rate",
        numerator="abandoned calls",
        denominator="calls answered by a person",
        note="Over the period asked for; the dialer's live 30-day and 24-hour windows are its own.",
    ),
    MetricDefinition(
        key="compliance_block_rate",
        name="Compliance block rate",
        numerator="contacts the compliance engine refused",
        denominator="contacts proposed to it (decisions logged)",
        note="By rule in the compliance blocks report.",
    ),
)

METRIC_KEYS: tuple[str, ...] = tuple(metric.key for metric in METRICS)

# The groupings (besides the periods, which every metric has) each metric is broken down by. A
# metric is left out of the rows of any other grouping (its total is still shown): logged-in hours
# have no account, so they have no placement; an account has no channel.
METRIC_GROUPINGS: dict[str, tuple[str, ...]] = {
    "penetration": _ACCOUNT_GROUPS,
    "contact_rate": _EVENT_GROUPS,
    "rpc_rate": _EVENT_GROUPS,
    "rpc_per_hour": ("client", "team", "agent"),
    "promise_rate": _EVENT_GROUPS,
    "kept_rate": (*_ACCOUNT_GROUPS, "agent"),
    "promise_amount": (*_ACCOUNT_GROUPS, "agent"),
    "liquidation_rate": _ACCOUNT_GROUPS,
    "recovery_rate": _ACCOUNT_GROUPS,
    "cure_rate": _ACCOUNT_GROUPS,
    "roll_rate": _ACCOUNT_GROUPS,
    "cost_to_collect": ("client",),
    "occupancy": ("client", "team", "agent"),
    "abandon_rate": (*_ACCOUNT_GROUPS, "channel"),
    "compliance_block_rate": (*_ACCOUNT_GROUPS, "channel"),
}

# Metrics whose numerators and denominators are amounts (minor units in the history) or hours.
AMOUNT_PARTS: frozenset[str] = frozenset(
    {"promise_amount", "liquidation_rate", "recovery_rate", "cost_to_collect"}
)


def metric_get(key: str) -> MetricDefinition:
    for metric in METRICS:
        if metric.key == key:
            return metric
    raise KeyError(key)


def metrics_markdown() -> str:
    """The definitions table of docs/metrics.md (a test fails when the page is stale)."""
    lines = [
        "| key | metric | numerator | denominator | broken down by | choice made |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for metric in METRICS:
        groupings = ", ".join(("month", "week", *METRIC_GROUPINGS[metric.key]))
        lines.append(
            f"| `{metric.key}` | {metric.name} | {metric.numerator} | {metric.denominator} "
            f"| {groupings} | {metric.note} |"
        )
    return "\n".join(lines) + "\n"
