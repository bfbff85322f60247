"""Many outbound attempts' outcomes at once: a dialer vendor's or a provider's results file.

Only plain outcomes (nobody answered, busy, a voicemail, a message sent, a number not in service):
an outcome that changes what may happen next (a right-party conversation, a cease, a dispute, a
wrong number) goes through ``services.interaction_record`` one at a time, with its holds and marks.
One transaction: the interactions in one insert, their ledger outcomes in one update
(``contact_attempts_record_outcome_many``), one audit entry listing them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from solvent.audit.services import audit_record
from solvent.contact.domain.model import Channel, Direction, Disposition, ledger_outcome_for
from solvent.contact.models import Interaction
from solvent.core.domain.errors import ValidationError

# Outcomes that change nothing but the ledger row's outcome.
PLAIN_DISPOSITIONS = frozenset(
    {
        Disposition.NO_ANSWER,
        Disposition.BUSY,
        Disposition.ANSWERING_MACHINE,
        Disposition.VOICEMAIL_LEFT,
        Disposition.MESSAGE_SENT,
        Disposition.NOT_IN_SERVICE,
    }
)


@dataclass(frozen=True)
class AttemptOutcome:
    """One authorised outbound attempt and what became of it."""

    debtor_id: int
    channel: str
    contact_point: str
    disposition: str
    account_ids: tuple[int, ...]
    occurred_at: datetime
    attempt_id: int
    decision_log_id: int | None = None
    summary: str = ""


def interactions_record_plain(
    *, outcomes: Sequence[AttemptOutcome], actor_id: int | None = None
) -> list[Interaction]:
    """Record plain outcomes of authorised attempts (see the module docstring)."""
    from solvent.compliance.services import contact_attempts_record_outcome_many

    if not outcomes:
        return []
    for outcome in outcomes:
        if Disposition(outcome.disposition) not in PLAIN_DISPOSITIONS:
            raise ValidationError(
                f"{outcome.disposition} changes what may happen next: record it on its own",
                code="interaction_invalid",
            )
        Channel(outcome.channel)
    with transaction.atomic():
        interactions = Interaction.objects.bulk_create(
            [
                Interaction(
                    debtor_id=outcome.debtor_id,
                    channel=outcome.channel,
                    direction=Direction.OUTBOUND,
                    contact_point=outcome.contact_point,
                    account_ids=list(outcome.account_ids),
                    occurred_at=outcome.occurred_at,
                    agent_id=actor_id,
                    disposition=outcome.disposition,
                    summary=outcome.summary[:255],
                    compliance_attempt_id=outcome.attempt_id,
                    decision_log_id=outcome.decision_log_id,
                )
                for outcome in outcomes
            ],
            batch_size=1000,
        )
        contact_attempts_record_outcome_many(
            outcomes=[
                (o.attempt_id, ledger_outcome_for(Disposition(o.disposition)), o.occurred_at)
                for o in outcomes
            ]
        )
        audit_record(
            action="interaction.record_many",
            object_type="contact.Interaction",
            data={"count": len(interactions), "ids": [i.pk for i in interactions][:1000]},
            actor_id=actor_id,
        )
    return interactions
