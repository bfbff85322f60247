"""The plan's compliance reads (plain rows, no model instances for the many) give the same answers
as the gate's own reads (``gate_reads_load``) on a portfolio with holds, consents, stated times,
debtor flags, notices, two-zone debtors, wrong numbers and a ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine

from solvent.compliance import selectors_planning
from solvent.compliance.eligibility.frames import batch_input
from solvent.compliance.eligibility.profiles import BatchOptions
from solvent.compliance.engine_input import history_events
from solvent.compliance.models import Consent, ContactAttempt, DebtNotice, Hold, TimePreference
from solvent.compliance.selectors_planning import PlanTarget, contacts_eligibility_for_day
from solvent.compliance.services.gate_reads import gate_reads_load
from solvent.portfolio.models import AccountDebtor, Debtor, Email, Phone
from tests.strategy.conftest import BEFORE_PLAN_DAY, PLAN_DAY

pytestmark = pytest.mark.django_db

CHANNELS = ("call", "sms", "email", "letter")


@pytest.fixture(autouse=True)
def before_the_day() -> Iterator[None]:
    with time_machine.travel(BEFORE_PLAN_DAY, tick=False):
        yield


def _gate_reads(
    debtor_ids: list[int], start: datetime, end: datetime
) -> selectors_planning._PlanningReads:
    """The reference: the gate's reads (model instances), its ledger through history_events."""
    debtors = Debtor.objects.in_bulk(debtor_ids)
    reads = gate_reads_load(debtors, start, end)
    ledger = {pk: list(history_events(attempts)) for pk, attempts in reads.ledger.items()}
    return selectors_planning._PlanningReads(reads.debtors, reads.owed, reads.rows, ledger)


def _variety(links: list[AccountDebtor]) -> None:
    """Holds, consents, stated times, flags, a notice, a second zone, a wrong number, a ledger."""
    at = BEFORE_PLAN_DAY
    debtors = [link.debtor for link in links]
    accounts = [link.account for link in links]
    Hold.objects.create(debtor=debtors[0], kind="cease", source="letter", placed_at=at)
    opt_out = Hold.objects.create(
        debtor=debtors[1],
        kind="medium_opt_out",
        source="inbound_call",
        channels=["sms"],
        placed_at=at - timedelta(days=2),
    )
    opt_out.accounts.add(accounts[1])
    dispute = Hold.objects.create(
        debtor=debtors[2], kind="dispute", source="letter", placed_at=at - timedelta(days=3)
    )
    dispute.accounts.add(accounts[2])
    DebtNotice.objects.create(
        account=accounts[2],
        kind="validation_notice",
        sent_on=PLAN_DAY - timedelta(days=50),
        source="letter",
        recorded_at=at,
    )
    Hold.objects.create(
        debtor=debtors[3],
        kind="hardship",
        source="inbound_call",
        placed_at=at - timedelta(days=1),
        released_at=at + timedelta(days=5),
    )
    email = Email.objects.filter(debtor=debtors[4]).order_by("pk").first()
    if email is not None:
        Consent.objects.create(
            debtor=debtors[4],
            channel="email",
            contact_point=email.address,
            scope=Consent.Scope.ELECTRONIC,
            source="portal",
            given_at=at - timedelta(days=30),
        )
    Consent.objects.create(
        debtor=debtors[5],
        channel="call",
        contact_point="+12125550100",
        scope=Consent.Scope.ADDITIONAL_CALLS,
        source="inbound_call",
        given_at=at - timedelta(days=1),
    )
    TimePreference.objects.create(
        debtor=debtors[6],
        kind="inconvenient",
        days=list(range(7)),
        start=datetime.min.time(),
        end=datetime.min.time().replace(hour=18),
        source="call",
        stated_at=at - timedelta(days=4),
    )
    TimePreference.objects.create(
        debtor=debtors[7], kind="not_at_work", source="call", stated_at=at - timedelta(days=4)
    )
    Debtor.objects.filter(pk=debtors[8].pk).update(attorney_represented=True)
    # A Seattle mobile for a debtor who lives elsewhere: two zones.
    Phone.objects.create(
        debtor=debtors[9], e164="+12065550147", kind="mobile", line_type="mobile", source="client"
    )
    # Seven calls in seven days placed to one debtor (the cap is reached) and received from
    # another (inbound calls do not count toward it).
    for debtor, account, direction in (
        (debtors[40], accounts[40], "outbound"),
        (debtors[41], accounts[41], "inbound"),
    ):
        phone = Phone.objects.filter(debtor=debtor).order_by("pk").first()
        for day in range(7):
            attempt = ContactAttempt.objects.create(
                debtor=debtor,
                direction=direction,
                channel="call",
                contact_point=phone.e164 if phone else "+12125550100",
                at=at - timedelta(hours=2 + 12 * day),
                status="completed",
                outcome="no_answer",
            )
            attempt.accounts.add(account)
    # Busy weeks, a conversation, an inbound text, a cancelled reservation, a wrong number.
    for index, (debtor, account) in enumerate(zip(debtors[10:40], accounts[10:40], strict=False)):
        phone = Phone.objects.filter(debtor=debtor).order_by("pk").first()
        if phone is None:
            continue
        for number in range(2 + index % 5):
            attempt = ContactAttempt.objects.create(
                debtor=debtor,
                direction="inbound" if number == 4 else "outbound",
                channel=("call", "call", "sms", "call", "sms", "call")[number],
                contact_point=phone.e164,
                at=at - timedelta(hours=3 + 29 * number + index),
                status="cancelled" if number == 3 and index % 2 else "completed",
                outcome=(
                    "wrong_number"
                    if index == 7
                    else ("no_answer", "right_party_conversation", "delivered")[number % 3]
                ),
            )
            if number % 2 == 0:
                attempt.accounts.add(account)


def _reference_batch(situations, histories, targets, day):
    return batch_input(situations, histories, targets, day, BatchOptions())


@pytest.mark.parametrize("replaced", ["_planning_reads", "_batch_build"])
def test_the_plans_reads_and_batch_answer_as_the_gates_reads_and_batch_input_do(
    portfolio, monkeypatch, replaced: str
) -> None:
    portfolio(rows=60, seed=5)
    links = list(AccountDebtor.objects.filter(role="primary").select_related("debtor", "account"))
    assert len(links) >= 42
    _variety(links)
    targets = [
        PlanTarget((link.account_id, channel), link.debtor_id, link.account_id, channel)
        for link in links
        for channel in CHANNELS
    ]
    targets.append(PlanTarget("nobody", 10**9, 1, "call"))
    fast = contacts_eligibility_for_day(targets=targets, day=PLAN_DAY, chunk=17)
    reference = {"_planning_reads": _gate_reads, "_batch_build": _reference_batch}[replaced]
    monkeypatch.setattr(selectors_planning, replaced, reference)
    exact = contacts_eligibility_for_day(targets=targets, day=PLAN_DAY, chunk=17)
    assert fast.keys() == exact.keys()
    differ = [key for key in exact if fast[key] != exact[key]]
    assert not differ, [(key, fast[key], exact[key]) for key in differ[:3]]
    # The portfolio exercised both outcomes: windows today, and refusals with their rules.
    allowed = sum(1 for answer in fast.values() if answer.windows)
    blocking = {rule for answer in fast.values() for rule, _m, _c in answer.blocking}
    assert allowed > 0
    assert "solvent.debtor.unknown" in blocking
    assert len(blocking) >= 4, blocking
    capped = [fast[(links[40].account_id, "call")], fast[(links[41].account_id, "call")]]
    assert [bool(answer.windows) for answer in capped] == [False, True], capped
