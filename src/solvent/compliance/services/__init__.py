"""Compliance writes: the contact gate, and the facts it decides on (consents, holds, notices).

``gate`` is the chokepoint every contact passes (``contact_attempts_authorize_many``; a single
``contact_attempt_authorize`` is a batch of one), with its reads in ``gate_reads``; ``ledger``
records what happened to each attempt and the contacts the consumer started; ``consents``, ``holds``
and ``notices`` record what the debtor said and what was sent. Callers import from this package:
``from solvent.compliance.services import consent_revoke``.
"""

from solvent.compliance.engine_input import ProposalFacts
from solvent.compliance.services.consents import (
    consent_grant,
    consent_revoke,
    time_preference_set,
    time_preference_withdraw,
)
from solvent.compliance.services.flag_holds import holds_from_flags
from solvent.compliance.services.gate import (
    Authorization,
    AuthorizationRequest,
    Reason,
    contact_attempt_authorize,
    contact_attempts_authorize_many,
)
from solvent.compliance.services.gate_reads import debtor_ledger_lock
from solvent.compliance.services.holds import (
    hold_place,
    hold_release,
    hold_release_approve,
    hold_release_reject,
    hold_release_request,
)
from solvent.compliance.services.ledger import (
    contact_attempt_cancel,
    contact_attempt_record_outcome,
    contact_attempts_record_outcome_many,
    contact_inbound_record,
)
from solvent.compliance.services.notices import notice_record

__all__ = [
    "Authorization",
    "AuthorizationRequest",
    "ProposalFacts",
    "Reason",
    "consent_grant",
    "consent_revoke",
    "contact_attempt_authorize",
    "contact_attempt_cancel",
    "contact_attempt_record_outcome",
    "contact_attempts_authorize_many",
    "contact_attempts_record_outcome_many",
    "contact_inbound_record",
    "debtor_ledger_lock",
    "hold_place",
    "hold_release",
    "hold_release_approve",
    "hold_release_reject",
    "hold_release_request",
    "holds_from_flags",
    "notice_record",
    "time_preference_set",
    "time_preference_withdraw",
]
