"""The demo history's outcomes recorded: each authorised call and message's outcome in the contact
history (plain ones in bulk, a conversation one at a time with its holds and marks), and what a
right-party conversation leads to (a promise, a plan, a settlement: ``analytics_money``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from solvent.contact.interactions_bulk import (
    PLAIN_DISPOSITIONS,
    AttemptOutcome,
    interactions_record_plain,
)
from solvent.contact.services import interaction_record
from solvent.demo import analytics_money as money_ops
from solvent.demo.analytics_behaviour import (
    CONVERSATION_ENDS,
    message_reply_probability,
    promise_probability,
    weighted,
)
from solvent.demo.analytics_book import BookAccount, Tally
from solvent.demo.analytics_floor import PlannedCall
from solvent.demo.work import _at


@dataclass(slots=True)
class Message:
    account: BookAccount
    channel: str
    point: str
    moment: datetime
    local: datetime


@dataclass(slots=True)
class Year:
    book: list[BookAccount]
    tally: Tally
    money: money_ops.Money
    agents: list[int]
    campaigns: dict[str, int]
    rng: random.Random
    now: datetime


def conversation(year: Year, call: PlannedCall, account: BookAccount) -> str:
    """What a right-party conversation ends in; answers the follow-up to make after recording it
    ("promise", "plan", "settlement" or "")."""
    day, rng = call.started.date(), account.rng
    year.tally.rpc += 1
    account.last_rpc = day
    signal = account.signal(day)
    if rng.random() < 0.006:
        call.disposition = "dispute"
        return ""
    if rng.random() < promise_probability(signal):
        call.disposition = "promise_to_pay"
        return "plan" if account.balance >= 1500 and rng.random() < 0.25 else "promise"
    if signal.stage == "late" and account.balance >= 800 and rng.random() < 0.05:
        call.disposition = "right_party_contact"
        return "settlement"
    call.disposition = weighted(rng, CONVERSATION_ENDS)
    return ""


def calls_record(
    year: Year, calls: list[PlannedCall], answers: Sequence[tuple[int, int] | None]
) -> None:
    by_pk = {account.pk: account for account in year.book}
    plain: dict[int, list[AttemptOutcome]] = defaultdict(list)
    plain_calls: dict[int, list[PlannedCall]] = defaultdict(list)
    follow_ups: list[tuple[PlannedCall, str]] = []
    for call, answer in zip(calls, answers, strict=True):
        if answer is None:
            call.refused = True
            continue
        call.attempt_id, call.decision_log_id = answer
        year.tally.calls += 1
        account = by_pk[call.account_id]
        follow = (
            conversation(year, call, account) if call.disposition == "right_party_contact" else ""
        )
        if call.disposition in PLAIN_DISPOSITIONS:
            plain[call.agent_id].append(
                AttemptOutcome(
                    debtor_id=call.debtor_id,
                    channel="call",
                    contact_point=call.phone,
                    disposition=call.disposition,
                    account_ids=(call.account_id,),
                    occurred_at=call.started,
                    attempt_id=call.attempt_id,
                    decision_log_id=call.decision_log_id,
                    summary="Demo history",
                )
            )
            plain_calls[call.agent_id].append(call)
            continue
        with _at(call.wrap_end or call.ended):
            interaction = interaction_record(
                debtor_id=call.debtor_id,
                channel="call",
                direction="outbound",
                contact_point=call.phone,
                disposition=call.disposition,
                account_ids=[call.account_id],
                occurred_at=call.started,
                agent_id=call.agent_id,
                duration_seconds=int((call.ended - call.started).total_seconds()),
                summary="Demo history",
                attempt_id=call.attempt_id,
                decision_log_id=call.decision_log_id,
            )
        year.tally.recorded += 1
        call.interaction_id = interaction.pk
        if call.disposition == "dispute":
            account.state = "held"
            year.tally.held += 1
        elif call.disposition == "wrong_number":
            account.phones = [p for p in account.phones if p.value != call.phone]
        if follow:
            follow_ups.append((call, follow))
    for agent_id, outcomes in sorted(plain.items()):
        with _at(max(o.occurred_at for o in outcomes)):
            made = interactions_record_plain(outcomes=outcomes, actor_id=agent_id)
        year.tally.recorded += len(made)
        for call, interaction in zip(plain_calls[agent_id], made, strict=True):
            call.interaction_id = interaction.pk
    for call, follow in follow_ups:
        account = by_pk[call.account_id]
        moment = call.wrap_end or call.ended
        if follow == "settlement":
            money_ops.settlement_take(
                year.money, account, moment, agent_id=call.agent_id, tally=year.tally
            )
        elif follow == "plan" and money_ops.plan_take(
            year.money, account, moment, agent_id=call.agent_id, tally=year.tally
        ):
            continue
        else:
            money_ops.promise_take(
                year.money,
                account,
                moment,
                agent_id=call.agent_id,
                interaction_id=call.interaction_id,
                tally=year.tally,
            )


def messages_record(
    year: Year, messages: list[Message], answers: Sequence[tuple[int, int] | None]
) -> None:
    sent: list[AttemptOutcome] = []
    replies: list[Message] = []
    for message, answer in zip(messages, answers, strict=True):
        if answer is None:
            continue
        attempt_id, decision_log_id = answer
        sent.append(
            AttemptOutcome(
                debtor_id=message.account.debtor_id,
                channel=message.channel,
                contact_point=message.point,
                disposition="message_sent",
                account_ids=(message.account.pk,),
                occurred_at=message.moment,
                attempt_id=attempt_id,
                decision_log_id=decision_log_id,
                summary="Demo history",
            )
        )
        p = message_reply_probability(
            persona=message.account.persona,
            channel=message.channel,
            weekday=message.local.weekday(),
            hour=message.local.hour,
        )
        if message.account.rng.random() < p * message.account.reachability:
            replies.append(message)
    if sent:
        with _at(max(o.occurred_at for o in sent)):
            year.tally.recorded += len(interactions_record_plain(outcomes=sent))
    for message in replies:
        moment = message.moment + timedelta(minutes=message.account.rng.randrange(3, 50))
        with _at(moment):
            interaction_record(
                debtor_id=message.account.debtor_id,
                channel=message.channel,
                direction="inbound",
                contact_point=message.point,
                disposition="message_received",
                account_ids=[message.account.pk],
                occurred_at=moment,
                summary="Demo history: the debtor replied",
            )
        year.tally.replies += 1
        year.tally.recorded += 1
