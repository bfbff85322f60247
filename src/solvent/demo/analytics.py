"""A year of collections history for the demo, the lawful way, for the analytics to learn and show.

``demo_analytics_history_create`` plays the last twelve months day by day over the demo's book:

1. the placements are spread over the months (``analytics_cohorts``): cohorts for liquidation
   curves, delinquency dates that move accounts between stages month after month;
2. each day, the floor works the open accounts (more in a placement's first months): calls in
   agents' dialling sessions (``analytics_floor``) and texts and e-mails from the system. Every
   attempt is authorised by the compliance gate at its own moment, in one batch a day, before
   anything is recorded; an attempt the gate refuses is not made (and is counted, by rule);
3. what happens is drawn from ``analytics_behaviour`` (when people answer, who promises, who
   pays) and recorded through the contact, arrangements and payments services with the clock at
   that moment (``analytics_money``): promises kept and broken, plans, settlements, payments with
   and without a promise, a few returned, monthly recalls;
4. promises and plans are judged each week, as the evaluation job does.

Deterministic for a seed. The day's gate batch is decided at the day's first attempt (as a plan's
batch is in the morning); each attempt keeps its own moment.
"""

from __future__ import annotations

import contextlib
import random
import time as stopwatch
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from solvent.audit.services import audit_system
from solvent.compliance.services import (
    AuthorizationRequest,
    contact_attempts_authorize_many,
    notice_record,
)
from solvent.core.domain.errors import DomainError
from solvent.demo import analytics_money as money_ops
from solvent.demo.analytics_behaviour import (
    attempts_per_month,
    call_outcome_draw,
    call_rpc_probability,
)
from solvent.demo.analytics_book import OPEN, PROMISED, BookAccount, Point, Tally, book_load
from solvent.demo.analytics_cohorts import demo_cohorts_spread
from solvent.demo.analytics_floor import (
    SESSION_GAP,
    PlannedCall,
    call_timing,
    calls_write,
    campaigns_by_key,
    floor_audit,
    sessions_write,
)
from solvent.demo.analytics_record import Message, Year, calls_record, messages_record
from solvent.demo.analytics_recordings import demo_recordings_create
from solvent.demo.analytics_screens import demo_screens_create
from solvent.demo.work import _at
from solvent.payments.services.consequences import payment_consequences
from solvent.payments.services.evaluation import accounts_due
from solvent.payments.services.settlements import settlements_expire
from solvent.strategy.services.work_queues import work_items_refresh

WORKING_DAYS_A_MONTH = 26
# A refusal that no later moment changes: the floor stops trying the account.
NEVER_LAWFUL = frozenset({"solvent.jurisdiction.not_covered"})
SESSIONS_A_DAY = 6
_ZONES = {"GB": "Europe/London", "CA": "America/Toronto"}
_CLIENT_COUNTRY = {"maple-telecom": "CA", "thames-energy": "GB"}


def _zone(account: BookAccount, point: Point) -> ZoneInfo:
    return ZoneInfo(
        point.zone or _ZONES.get(_CLIENT_COUNTRY.get(account.client_code, ""), "America/New_York")
    )


def _notices(account: BookAccount) -> None:
    """The validation notice (and Ontario's) went with the first letter, the day after placement."""
    sent_on = account.placed_on + timedelta(days=1)
    kinds = ("validation_notice", "ontario_notice") if account.ontario else ("validation_notice",)
    for kind in kinds:
        notice_record(account_id=account.pk, kind=kind, sent_on=sent_on, source="demo:letter")
    account.noticed = True


def _first_contact_day(account: BookAccount) -> date:
    return account.placed_on + timedelta(days=8 if account.ontario else 3)


def _campaign(year: Year, account: BookAccount, day: date) -> int | None:
    stage = account.stage(day)
    return year.campaigns.get(f"{account.client_code}-{stage}") or next(
        (pk for key, pk in sorted(year.campaigns.items()) if key.startswith(account.client_code)),
        None,
    )


def _lawful_local(local: datetime, weekday: int) -> bool:
    if weekday == 6:
        return False
    if weekday == 5:
        return 9 <= local.hour <= 15
    return 8 <= local.hour <= 20


def _plan_calls(year: Year, day: date, wanted: list[BookAccount]) -> list[PlannedCall]:
    """The day's dialling sessions: each starts at its own hour, an agent dials its accounts
    one after another; an account goes to a session at a lawful local hour for its phone."""
    rng = year.rng
    starts = sorted(
        datetime.combine(day, time(8), tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 17 * 60))
        for _ in range(SESSIONS_A_DAY)
    )
    queues: list[list[tuple[BookAccount, Point]]] = [[] for _ in starts]
    for account in wanted:
        phone = account.rng.choice(account.phones)
        zone = _zone(account, phone)
        fits = [
            index
            for index, start in enumerate(starts)
            if _lawful_local(start.astimezone(zone), start.astimezone(zone).weekday())
            and _lawful_local(
                (start + timedelta(minutes=50)).astimezone(zone),
                (start + timedelta(minutes=50)).astimezone(zone).weekday(),
            )
        ]
        if fits:
            queues[rng.choice(fits)].append((account, phone))
    planned: list[PlannedCall] = []
    for start, queue in zip(starts, queues, strict=True):
        agent = rng.choice(year.agents)
        moment = start
        for account, phone in queue:
            campaign = _campaign(year, account, day)
            if campaign is None:
                continue
            local = moment.astimezone(_zone(account, phone))
            p_rpc = call_rpc_probability(
                persona=account.persona,
                weekday=local.weekday(),
                hour=local.hour,
                stage=account.stage(day),
                reachability=account.reachability,
            )
            disposition = call_outcome_draw(account.rng, p_rpc)
            if disposition == "third_party" and account.rng.random() < 0.08:
                disposition = "wrong_number"
            answered, ended, wrap_end = call_timing(account.rng, moment, disposition)
            planned.append(
                PlannedCall(
                    account_id=account.pk,
                    debtor_id=account.debtor_id,
                    phone=phone.value,
                    campaign_id=campaign,
                    agent_id=agent,
                    disposition=disposition,
                    started=moment,
                    answered=answered,
                    ended=ended,
                    wrap_end=wrap_end,
                )
            )
            moment = (wrap_end or ended) + SESSION_GAP
    return planned


def _plan_messages(year: Year, day: date, wanted: list[tuple[BookAccount, str]]) -> list[Message]:
    messages = []
    for account, channel in wanted:
        points = [p for p in account.phones if p.mobile] if channel == "sms" else account.emails
        if not points:
            continue
        point = account.rng.choice(points)
        zone = _zone(account, point)
        hours = range(9, 16) if day.weekday() == 5 else range(8, 21)
        local = datetime.combine(
            day, time(account.rng.choice(hours), account.rng.randrange(60)), tzinfo=zone
        )
        messages.append(Message(account, channel, point.value, local.astimezone(UTC), local))
    return messages


def _authorize(
    year: Year, calls: list[PlannedCall], messages: list[Message]
) -> list[tuple[int, int] | None]:
    """The gate's answer for every attempt of the day, calls first: (attempt, decision log)."""
    requests = [
        AuthorizationRequest(
            debtor_id=c.debtor_id,
            channel="call",
            contact_point=c.phone,
            account_ids=[c.account_id],
            at=c.started,
            actor_id=c.agent_id,
        )
        for c in calls
    ] + [
        AuthorizationRequest(
            debtor_id=m.account.debtor_id,
            channel=m.channel,
            contact_point=m.point,
            account_ids=[m.account.pk],
            at=m.moment,
        )
        for m in messages
    ]
    if not requests:
        return []
    # Each debtor's attempts in the order they happen: each sees the ones before it.
    order = sorted(range(len(requests)), key=lambda i: (requests[i].at, i))
    first = requests[order[0]].at
    assert first is not None
    with _at(first):
        answers = contact_attempts_authorize_many([requests[i] for i in order])
    result: list[tuple[int, int] | None] = [None] * len(requests)
    for index, answer in zip(order, answers, strict=True):
        year.tally.attempted += 1
        if isinstance(answer, DomainError) or not answer.allowed or answer.attempt_id is None:
            year.tally.refused += 1
            if not isinstance(answer, DomainError):
                for rule_id, _message, _citation in answer.blocking:
                    year.tally.refusals_by_rule[rule_id] += 1
                    if rule_id in NEVER_LAWFUL:
                        _give_up(year, requests[index].account_ids)
            continue
        result[index] = (answer.attempt_id, answer.decision_log_id)
    return result


def _give_up(year: Year, account_ids: Sequence[int]) -> None:
    """The floor stops working an account the gate will never allow (its jurisdiction is not one
    the rule packs cover): asking again every week would only fill the block report."""
    for account in year.book:
        if account.pk in account_ids:
            account.state = "uncovered"


def _sessions(calls: list[PlannedCall]) -> list[tuple[int, int, datetime, datetime]]:
    """One logged-in block per agent's run of calls (a gap over an hour ends a session)."""
    blocks: list[tuple[int, int, datetime, datetime]] = []
    by_agent: dict[int, list[PlannedCall]] = defaultdict(list)
    for call in calls:
        by_agent[call.agent_id].append(call)
    for agent_id, mine in sorted(by_agent.items()):
        mine.sort(key=lambda c: c.started)
        first = mine[0]
        start, end = first.started, first.wrap_end or first.ended
        for call in mine[1:]:
            if call.started - end > timedelta(hours=1):
                blocks.append((agent_id, first.campaign_id, start, end))
                first, start = call, call.started
            end = max(end, call.wrap_end or call.ended)
        blocks.append((agent_id, first.campaign_id, start, end))
    return blocks


def _day(year: Year, day: date) -> None:
    tally, money = year.tally, year.money
    for due in money.payments.pop(day, []):
        money_ops.payment_make(money, due, day, tally)
    money_ops.returns_make(money, day, tally, year.rng)
    if day.day <= 7 and day.weekday() == 0:
        money_ops.recalls_make(year.book, day, tally, year.rng)
    call_wanted: list[BookAccount] = []
    message_wanted: list[tuple[BookAccount, str]] = []
    for account in year.book:
        if not account.workable(day):
            continue
        if account.state == PROMISED:
            account.state, account.paused_until = OPEN, None
        if day < _first_contact_day(account):
            continue
        if not account.noticed:
            _notices(account)
        money_ops.spontaneous_draw(money, account, day)
        if day.weekday() == 6:
            continue
        call_rate, text_rate, email_rate = attempts_per_month(account.months_since_placement(day))
        rng = account.rng
        if account.phones and rng.random() < call_rate / WORKING_DAYS_A_MONTH:
            call_wanted.append(account)
        if rng.random() < text_rate / WORKING_DAYS_A_MONTH:
            message_wanted.append((account, "sms"))
        if account.emails and rng.random() < email_rate / WORKING_DAYS_A_MONTH:
            message_wanted.append((account, "email"))
    calls = [c for c in _plan_calls(year, day, call_wanted) if c.started < year.now]
    messages = [m for m in _plan_messages(year, day, message_wanted) if m.moment < year.now]
    answers = _authorize(year, calls, messages)
    calls_record(year, calls, answers[: len(calls)])
    messages_record(year, messages, answers[len(calls) :])
    made = [c for c in calls if not c.refused and c.attempt_id is not None]
    if made:
        calls_write(made)
        sessions = sessions_write(_sessions(made))
        tally.sessions += sessions
        floor_audit(day=day.isoformat(), calls=len(made), sessions=sessions)
    if day.weekday() == 0:
        _evaluate(day)


def _evaluate(day: date) -> None:
    """The week's judgement of promises and plans (the daily run's, without its reminders: the
    history's reminders would wait in today's outbox) and the work queue brought up to date."""
    moment = datetime.combine(day, time(5), tzinfo=UTC)
    with _at(moment):
        for account_id in accounts_due(today=day):
            with contextlib.suppress(DomainError):
                payment_consequences(account_id=account_id, today=day)
        settlements_expire(today=day)
        work_items_refresh(now=moment)


@dataclass(frozen=True, slots=True)
class HistoryYear:
    tally: Tally
    seconds: float

    def lines(self) -> list[str]:
        """What the demo prints of it."""
        t = self.tally
        return [
            f"  {t.placements} placements in {t.cohorts} monthly cohorts; {t.attempted:,} "
            f"attempts asked of the gate, {t.refused:,} refused, {t.recorded:,} contacts recorded",
            f"  {t.calls:,} calls in {t.sessions:,} agent sessions, {t.rpc:,} right-party "
            f"contacts, {t.replies} replies to texts and e-mails, {t.recordings} calls recorded "
            f"(with the agent's screen: {t.screens})",
            f"  {t.promises:,} promises, {t.plans} plans, {t.payments:,} payments ({t.returned} "
            f"returned); {t.paid_off} paid off, {t.settled} settled, {t.recalled} recalled "
            f"({self.seconds:.0f} s)",
        ]


@audit_system("solvent demo: a year of collections history for the analytics")
def demo_analytics_history_create(
    *, now: datetime, agent_ids: Sequence[int], months: int = 12, seed: int = 16
) -> HistoryYear:
    """Spread the placements over ``months`` months and play them day by day to ``now``."""
    from solvent.demo.dialer import demo_campaigns_create
    from solvent.strategy.services.definitions import strategy_defaults_install

    started = stopwatch.monotonic()
    today = now.date()
    cohorts = demo_cohorts_spread(today=today, months=months, seed=seed)
    book = book_load(today=today, seed=seed)
    first_day = min((account.placed_on for account in book), default=today)
    with _at(datetime.combine(first_day, time(6), tzinfo=UTC)):
        strategy_defaults_install()
        demo_campaigns_create(now=datetime.combine(first_day, time(6), tzinfo=UTC))
    tally = Tally(cohorts=cohorts.months, placements=cohorts.placements)
    year = Year(
        book=book,
        tally=tally,
        money=money_ops.Money.start(today=today),
        agents=list(agent_ids),
        campaigns=campaigns_by_key(),
        rng=random.Random(seed),  # noqa: S311 - reproducible demo data
        now=now,
    )
    day = first_day
    while day <= today:
        _day(year, day)
        day += timedelta(days=1)
    tally.recordings = demo_recordings_create(agent_ids=list(agent_ids))
    tally.screens = demo_screens_create()
    return HistoryYear(tally=tally, seconds=stopwatch.monotonic() - started)
