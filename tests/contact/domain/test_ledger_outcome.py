"""The ledger outcome of each disposition: only a real conversation is recorded as one."""

from __future__ import annotations

from solvent.compliance.models import ContactAttempt
from solvent.contact.domain.model import Disposition, ledger_outcome_for


def test_every_disposition_maps_to_an_outcome_the_ledger_knows() -> None:
    outcomes = set(ContactAttempt.Outcome.values)
    assert {ledger_outcome_for(d) for d in Disposition} <= outcomes


def test_a_number_not_in_service_is_not_a_conversation() -> None:
    assert ledger_outcome_for(Disposition.NOT_IN_SERVICE) == "not_in_service"


def test_a_promise_to_pay_is_a_right_party_conversation() -> None:
    assert ledger_outcome_for(Disposition.PROMISE_TO_PAY) == "right_party_conversation"
