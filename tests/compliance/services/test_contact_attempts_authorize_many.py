"""A batch is decided as its requests one at a time would be, in a query count that does not grow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solvent.audit.models import AuditEntry
from solvent.audit.services import audit_chain_verify
from solvent.compliance import services
from solvent.compliance.models import ContactAttempt, DecisionLog
from solvent.compliance.services import AuthorizationRequest
from solvent.core.domain.errors import DomainError, NotFoundError, ValidationError
from tests.compliance.services.compliance_fixtures import (
    EMAIL,
    MOBILE,
    NOON,
    WORK_PHONE,
    OhioDebtor,
    ohio_debtor_create,
)

pytestmark = pytest.mark.django_db

CAP_7_IN_7 = "regf.call_frequency.7in7"

Verdict = tuple[bool, tuple[str, ...], object]


def _requests(
    first: OhioDebtor, second: OhioDebtor, ceased: OhioDebtor
) -> list[AuthorizationRequest]:
    """A mix: eight calls about one debt (the eighth over Reg F's cap, inside the batch), e-mails,
    a call before 8 a.m. (lawful later), a letter, a call about two debts, and a ceased debtor
    (never), interleaved so that one debtor's requests are not adjacent."""
    requests: list[AuthorizationRequest] = []
    for minute in range(8):
        requests.append(
            AuthorizationRequest(
                debtor_id=first.debtor.pk,
                channel="call",
                contact_point=MOBILE,
                account_ids=[first.card.pk],
                at=NOON + timedelta(minutes=minute),
            )
        )
        if minute == 2:
            requests.append(
                AuthorizationRequest(
                    debtor_id=second.debtor.pk,
                    channel="email",
                    contact_point=EMAIL.upper(),
                    account_ids=[second.card.pk],
                    at=NOON,
                )
            )
        if minute == 4:
            requests.append(
                AuthorizationRequest(
                    debtor_id=ceased.debtor.pk,
                    channel="call",
                    contact_point=MOBILE,
                    account_ids=[ceased.card.pk],
                    at=NOON,
                )
            )
    requests += [
        AuthorizationRequest(
            debtor_id=second.debtor.pk,
            channel="call",
            contact_point=WORK_PHONE,
            account_ids=[second.card.pk, second.loan.pk],
            at=NOON - timedelta(hours=5),  # 07:00 in Columbus
        ),
        AuthorizationRequest(
            debtor_id=second.debtor.pk,
            channel="letter",
            contact_point=f"address:{second.home.pk}",
            account_ids=[second.loan.pk],
            at=NOON,
        ),
        AuthorizationRequest(
            debtor_id=first.debtor.pk,
            channel="call",
            contact_point=MOBILE,
            account_ids=[first.loan.pk],  # another debt: its own cap
            at=NOON + timedelta(minutes=9),
        ),
    ]
    return requests


def _world(suffix: str) -> tuple[OhioDebtor, OhioDebtor, OhioDebtor]:
    first = ohio_debtor_create(f"{suffix}a")
    second = ohio_debtor_create(f"{suffix}b")
    ceased = ohio_debtor_create(f"{suffix}c")
    services.hold_place(debtor_id=ceased.debtor.pk, kind="cease", source="letter", at=NOON)
    return first, second, ceased


def _verdict(answer: services.Authorization) -> Verdict:
    return (
        answer.allowed,
        tuple(rule_id for rule_id, _, _ in answer.blocking),
        answer.earliest_lawful_at,
    )


def _single(request: AuthorizationRequest) -> services.Authorization:
    return services.contact_attempt_authorize(
        debtor_id=request.debtor_id,
        channel=request.channel,
        contact_point=request.contact_point,
        account_ids=request.account_ids,
        at=request.at,
    )


def _authorizations(
    answers: list[services.Authorization | DomainError],
) -> list[services.Authorization]:
    assert all(isinstance(answer, services.Authorization) for answer in answers)
    return [answer for answer in answers if isinstance(answer, services.Authorization)]


def test_batched_gate_agrees_with_the_single_gate() -> None:
    single = [_single(request) for request in _requests(*_world("s"))]
    batch_world = _world("b")
    batched = _authorizations(services.contact_attempts_authorize_many(_requests(*batch_world)))

    assert [_verdict(a) for a in batched] == [_verdict(a) for a in single]
    # Request order: calls 1-3, the e-mail, calls 4-5, the ceased debtor, calls 6-8, the rest.
    card_calls = [batched[index] for index in (0, 1, 2, 4, 5, 7, 8, 9)]
    # The 7th call about the card is allowed, the 8th is refused by the cap inside the batch.
    assert [answer.allowed for answer in card_calls] == [True] * 7 + [False]
    first = batch_world[0]
    reserved = ContactAttempt.objects.filter(debtor=first.debtor, accounts=first.card)
    assert reserved.count() == 7
    eighth = card_calls[-1]
    assert eighth.allowed is False
    assert CAP_7_IN_7 in [rule_id for rule_id, _, _ in eighth.blocking]
    assert batched[-1].allowed is True  # the loan's cap is its own
    early = batched[-3]
    assert early.allowed is False
    assert early.earliest_lawful_at is not None
    ceased_answer = batched[6]
    assert ceased_answer.allowed is False
    assert ceased_answer.earliest_lawful_at is None


def test_batch_writes_logs_attempts_and_one_audit_entry() -> None:
    first, second, ceased = _world("w")
    before = AuditEntry.objects.count()
    batched = _authorizations(
        services.contact_attempts_authorize_many(_requests(first, second, ceased))
    )

    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "compliance.contacts_decided"
    listed = [row[0] for row in entry.data["decisions"]]
    assert listed == [answer.decision_log_id for answer in batched]
    assert audit_chain_verify() is None
    for answer in batched:
        log = DecisionLog.objects.get(pk=answer.decision_log_id)
        assert log.allowed is answer.allowed
        if answer.allowed:
            attempt = ContactAttempt.objects.get(pk=answer.attempt_id)
            assert attempt.decision_log_id == log.pk
            assert attempt.accounts.count() == len(log.account_ids)
        else:
            assert answer.attempt_id is None
    email = DecisionLog.objects.get(pk=batched[3].decision_log_id)
    assert email.contact_point == EMAIL  # normalised like the single gate


def test_a_bad_request_is_answered_with_its_error_and_the_others_are_decided() -> None:
    ohio = ohio_debtor_create("e")
    other = ohio_debtor_create("f")
    good = AuthorizationRequest(
        debtor_id=ohio.debtor.pk,
        channel="email",
        contact_point=EMAIL,
        account_ids=[ohio.card.pk],
        at=NOON,
    )
    answers = services.contact_attempts_authorize_many(
        [
            good,
            AuthorizationRequest(
                debtor_id=ohio.debtor.pk, channel="fax", contact_point="x", account_ids=[]
            ),
            AuthorizationRequest(
                debtor_id=ohio.debtor.pk,
                channel="email",
                contact_point=EMAIL,
                account_ids=[other.card.pk],
            ),
            AuthorizationRequest(
                debtor_id=999_999, channel="email", contact_point=EMAIL, account_ids=[]
            ),
            good,
        ]
    )

    assert isinstance(answers[0], services.Authorization) and answers[0].allowed
    assert isinstance(answers[1], ValidationError)
    assert isinstance(answers[2], NotFoundError)
    assert isinstance(answers[3], NotFoundError)
    assert isinstance(answers[4], services.Authorization) and answers[4].allowed
    assert DecisionLog.objects.count() == 2


def _debtors(count: int, prefix: str) -> list[OhioDebtor]:
    return [ohio_debtor_create(f"{prefix}{index}") for index in range(count)]


def _query_count(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_query_count_does_not_grow_with_the_batch() -> None:
    def requests(debtors: list[OhioDebtor]) -> list[AuthorizationRequest]:
        return [
            AuthorizationRequest(
                debtor_id=ohio.debtor.pk,
                channel="email",
                contact_point=EMAIL,
                account_ids=[ohio.card.pk, ohio.loan.pk],
                at=NOON,
            )
            for ohio in debtors
        ]

    small, large = _debtors(5, "s"), _debtors(50, "l")
    # Warm both: each debtor has a ledger row and an attempt in the window, as in production.
    services.contact_attempts_authorize_many(requests(small))
    services.contact_attempts_authorize_many(requests(large))

    five = _query_count(lambda: services.contact_attempts_authorize_many(requests(small)))
    fifty = _query_count(lambda: services.contact_attempts_authorize_many(requests(large)))

    assert five == fifty
    assert fifty < 30


def test_record_outcome_many_completes_attempts_with_one_audit_entry() -> None:
    ohio = ohio_debtor_create("o")
    answers = _authorizations(
        services.contact_attempts_authorize_many(
            [
                AuthorizationRequest(
                    debtor_id=ohio.debtor.pk,
                    channel="email",
                    contact_point=EMAIL,
                    account_ids=[ohio.card.pk],
                    at=NOON,
                )
            ]
            * 3
        )
    )
    ids = [answer.attempt_id for answer in answers if answer.attempt_id is not None]
    services.contact_attempt_cancel(attempt_id=ids[0], reason="timed out")
    before = AuditEntry.objects.count()

    services.contact_attempts_record_outcome_many(outcomes=[(pk, "sent", NOON) for pk in ids])

    attempts = ContactAttempt.objects.filter(pk__in=ids)
    assert {a.status for a in attempts} == {ContactAttempt.Status.COMPLETED}
    assert {a.outcome for a in attempts} == {"sent"}
    assert AuditEntry.objects.count() == before + 1
    reinstated = [row[3] for row in AuditEntry.objects.latest("id").data["outcomes"]]
    assert reinstated == [True, False, False]
    with pytest.raises(NotFoundError):
        services.contact_attempts_record_outcome_many(outcomes=[(999_999, "sent", NOON)])
