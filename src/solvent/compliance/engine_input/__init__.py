"""From the database to the engine: a debtor's facts, ledger and proposed contact as value objects.

``values`` maps one database row to one engine value (a contact point, a debt, a hold, a consent, a
ledger row); ``debtor_facts`` reads a debtor's rows and builds the situation the gate decides on. The
engine (``compliance.domain``) knows nothing of Django; only this package reads the rows for it.
"""

from solvent.compliance.engine_input.debtor_facts import (
    LEDGER_WINDOW,
    DebtorFacts,
    DebtorRows,
    ProposalFacts,
    Situation,
    debtor_accounts,
    debtor_facts_build,
    debtor_facts_read,
    situation_build,
    situation_for,
)
from solvent.compliance.engine_input.values import (
    FLAG_SINCE,
    PHONE_CHANNELS,
    UNKNOWN_POINT_PREFIX,
    chat_point,
    consent_values,
    debt_values,
    email_point,
    history_events,
    history_outcome,
    hold_values,
    latest_notices,
    normalise_contact_point,
    notice_dates,
    phone_point,
    preference_values,
    purpose_parse,
    time_range_value,
    unknown_point,
)

__all__ = [
    "FLAG_SINCE",
    "LEDGER_WINDOW",
    "PHONE_CHANNELS",
    "UNKNOWN_POINT_PREFIX",
    "DebtorFacts",
    "DebtorRows",
    "ProposalFacts",
    "Situation",
    "chat_point",
    "consent_values",
    "debt_values",
    "debtor_accounts",
    "debtor_facts_build",
    "debtor_facts_read",
    "email_point",
    "history_events",
    "history_outcome",
    "hold_values",
    "latest_notices",
    "normalise_contact_point",
    "notice_dates",
    "phone_point",
    "preference_values",
    "purpose_parse",
    "situation_build",
    "situation_for",
    "time_range_value",
    "unknown_point",
]
