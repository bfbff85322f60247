"""Support for the batch tests: random debtors, ledgers and targets, and the agreement check.

Debtors come from location signals that resolve to one or two zones and to the stricter US states
and cities (MA, WA, NYC, CA), Ontario, the UK and "unknown"; they get random holds, consents and
stated times, some of which begin or end inside the planning day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import strategies as st

from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.jurisdictions import resolve
from solvent.compliance.domain.localtime import local_midnight, zone
from solvent.compliance.domain.model import (
    Address,
    CampaignFigures,
    Channel,
    Consent,
    ConsentKind,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    DebtStatus,
    Direction,
    HistoryEvent,
    Hold,
    HoldKind,
    Outcome,
    Party,
    Place,
    Purpose,
    TimeRange,
)
from solvent.compliance.eligibility.evaluate import batch_eligibility
from solvent.compliance.eligibility.frames import batch_input
from solvent.compliance.eligibility.profiles import BatchOptions, Target, proposed_for

PLANNING_DAYS = (
    date(2026, 11, 24),  # an ordinary Tuesday
    date(2026, 11, 1),  # US clocks go back
    date(2026, 3, 8),  # US clocks go forward (a Sunday)
    date(2026, 12, 25),  # a holiday (Ontario closes)
    date(2026, 7, 4),  # a Saturday and a US holiday
    date(2026, 8, 31),  # the last day of the old NYC rules
    date(2021, 11, 29),  # the day before Regulation F: only the FDCPA's own rules
)

# (addresses, explicit zones): each resolves to a jurisdiction set and one or two zones.
LOCATIONS: tuple[tuple[tuple[Address, ...], tuple[str, ...]], ...] = (
    ((Address("home", "US", "NY", city="Albany"),), ()),
    ((Address("home", "US", "NY", city="Brooklyn"),), ()),  # NYC
    ((Address("home", "US", "MA", city="Boston"),), ()),
    ((Address("home", "US", "WA", city="Seattle"),), ()),
    ((Address("home", "US", "CA", city="Fresno"),), ()),
    ((Address("home", "US", "FL"),), ()),  # two zones
    ((Address("home", "US", "TX"),), ()),  # two zones
    ((Address("home", "US", "MA"), Address("work", "US", "WA", place=Place.WORK)), ()),
    ((Address("home", "US", "NY", city="New York"),), ("America/Los_Angeles",)),
    ((Address("home", "CA", "ON", city="Toronto"),), ()),
    ((Address("home", "GB", None, city="Leeds"),), ()),
    ((), ()),  # nowhere known: the location rule blocks
)

PHONES = ("+16175550134", "+12065550134", "+14155550134", "+12125550134", "+13055550134")

POINTS = st.sampled_from(
    (
        ("mobile", ContactPointKind.MOBILE, Place.PERSONAL, False),
        ("home", ContactPointKind.LANDLINE, Place.HOME, False),
        ("work", ContactPointKind.LANDLINE, Place.WORK, False),
        ("email", ContactPointKind.EMAIL, Place.PERSONAL, False),
        ("office_email", ContactPointKind.EMAIL, Place.WORK, True),
        ("letter", ContactPointKind.POSTAL, Place.HOME, False),
    )
)


# Mostly the debtor's own; sometimes a relative's, an attorney's or the creditor's (defect 8).
POINT_OWNERS = st.sampled_from(
    (Party.CONSUMER,) * 7 + (Party.THIRD_PARTY, Party.ATTORNEY, Party.CREDITOR)
)
# Mostly active; sometimes recalled, paid, settled or closed (defect 10).
DEBT_STATUSES = st.sampled_from((DebtStatus.ACTIVE,) * 4 + tuple(DebtStatus))


@st.composite
def contact_points(draw: st.DrawFn) -> tuple[ContactPoint, ...]:
    chosen = draw(st.lists(POINTS, min_size=1, max_size=4, unique_by=lambda item: item[0]))
    points = []
    for point_id, kind, place, employer in chosen:
        phone = kind in (ContactPointKind.MOBILE, ContactPointKind.LANDLINE)
        value = draw(st.sampled_from(PHONES)) if phone else f"{point_id}@example.com"
        points.append(
            ContactPoint(
                point_id,
                kind,
                value,
                place=place,
                employer_provided=employer,
                wrong_number=phone and draw(st.integers(0, 9)) == 0,
                reassigned=kind is ContactPointKind.MOBILE and draw(st.integers(0, 9)) == 0,
                owner=draw(POINT_OWNERS),
            )
        )
    return tuple(points)


def _instant(draw: st.DrawFn, day_start: datetime) -> datetime:
    """Mostly before the day, sometimes inside it (a hold arriving at 14:37), rarely after."""
    minutes = draw(st.integers(-60 * 24 * 50, 60 * 24 + 120))
    return day_start + timedelta(minutes=minutes)


@st.composite
def holds(
    draw: st.DrawFn, day_start: datetime, debt_ids: tuple[str, ...], points: tuple[str, ...]
) -> Hold:
    kind = draw(st.sampled_from(tuple(HoldKind)))
    received = _instant(draw, day_start)
    released = None
    if draw(st.booleans()):
        released = received + timedelta(minutes=draw(st.integers(1, 60 * 24 * 20)))
    return Hold(
        kind=kind,
        received_at=received,
        debt_ids=draw(st.sampled_from(((), debt_ids[:1]))),
        contact_point_id=draw(st.sampled_from((None, *points)))
        if kind is HoldKind.MEDIUM_OPT_OUT
        else None,
        channels=draw(st.sampled_from(((), (Channel.CALL,), (Channel.SMS, Channel.EMAIL)))),
        released_at=released,
    )


@st.composite
def consents(
    draw: st.DrawFn, day_start: datetime, debt_ids: tuple[str, ...], points: tuple[str, ...]
) -> Consent:
    kind = draw(
        st.sampled_from(
            (
                ConsentKind.TCPA_PRIOR_EXPRESS,
                ConsentKind.TCPA_PRIOR_EXPRESS,
                ConsentKind.ELECTRONIC,
                ConsentKind.ATTORNEY_DIRECT_CONTACT,
                ConsentKind.ADDITIONAL_CALLS,
            )
        )
    )
    given = _instant(draw, day_start)
    revoked = (
        given + timedelta(minutes=draw(st.integers(1, 60 * 24 * 30)))
        if draw(st.booleans())
        else None
    )
    return Consent(
        kind=kind,
        given_at=given,
        contact_point_id=draw(st.sampled_from((None, *points))),
        # Scoped to one debt, to every debt, or unscoped (which covers no debt of a debtor with
        # several, for consent to more calls).
        debt_ids=draw(st.sampled_from(((), debt_ids[:1], debt_ids[-1:], debt_ids))),
        channels=draw(CONSENT_CHANNELS),
        revoked_at=revoked,
    )


# The media a consent names: none (every medium), one, or calls and texts together.
CONSENT_CHANNELS = st.sampled_from(
    ((), (Channel.CALL,), (Channel.SMS,), (Channel.VOICEMAIL,), (Channel.CALL, Channel.SMS))
)


TIME_RANGES = st.sampled_from(
    (
        TimeRange(days=(0, 1, 2, 3, 4), start=time(12, 0), end=time(13, 30)),
        TimeRange(start=time(19, 0)),
        TimeRange(days=(5, 6), start=time(9, 0), end=time(11, 0), time_zone="America/Chicago"),
        TimeRange(start=time(6, 30), end=time(22, 0)),
    )
)


@st.composite
def debts(draw: st.DrawFn, day: date) -> tuple[Debt, ...]:
    count = draw(st.integers(1, 2))
    result = []
    for index in range(count):
        kind = draw(st.sampled_from(("credit_card", "medical", "student_loan")))
        result.append(
            Debt(
                id=f"debt{index}",
                kind=kind,
                student_loan_account="SL-1" if kind == "student_loan" else None,
                validation_notice_sent_on=draw(
                    st.sampled_from((None, day - timedelta(days=10), day - timedelta(days=90)))
                ),
                time_barred=draw(st.integers(0, 4)) == 0,
                ontario_notice_sent_on=draw(
                    st.sampled_from((None, day - timedelta(days=3), day - timedelta(days=30)))
                ),
                status=draw(DEBT_STATUSES),
            )
        )
    return tuple(result)


OUTCOMES_BY_CHANNEL = {
    Channel.CALL: (
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.VOICEMAIL,
        Outcome.LIMITED_CONTENT_MESSAGE,
        Outcome.RIGHT_PARTY_CONVERSATION,
        Outcome.THIRD_PARTY_CONVERSATION,
        Outcome.WRONG_NUMBER,
        Outcome.ABANDONED,
    ),
    Channel.VOICEMAIL: (Outcome.VOICEMAIL, Outcome.LIMITED_CONTENT_MESSAGE),
    Channel.SMS: (Outcome.SENT, Outcome.DELIVERED),
    Channel.EMAIL: (Outcome.SENT, Outcome.DELIVERED, Outcome.BOUNCED),
    Channel.LETTER: (Outcome.SENT,),
}


@st.composite
def history(
    draw: st.DrawFn, day_start: datetime, debt_ids: tuple[str, ...], points: tuple[str, ...]
) -> tuple[HistoryEvent, ...]:
    events = []
    for _ in range(draw(st.integers(0, 14))):
        channel = draw(
            st.sampled_from(
                (
                    Channel.CALL,
                    Channel.CALL,
                    Channel.SMS,
                    Channel.EMAIL,
                    Channel.VOICEMAIL,
                    Channel.LETTER,
                )
            )
        )
        minutes = draw(st.integers(1, 60 * 24 * 35))
        events.append(
            HistoryEvent(
                at=day_start - timedelta(minutes=minutes),
                channel=channel,
                direction=draw(
                    st.sampled_from((Direction.OUTBOUND, Direction.OUTBOUND, Direction.INBOUND))
                ),
                outcome=draw(st.sampled_from(OUTCOMES_BY_CHANNEL[channel])),
                debt_ids=draw(st.sampled_from(((), debt_ids[:1], debt_ids[-1:], debt_ids))),
                contact_point_id=draw(st.sampled_from((None, "unknown", *points))),
                party=draw(
                    st.sampled_from(
                        (
                            Party.CONSUMER,
                            Party.CONSUMER,
                            Party.CONSUMER,
                            Party.ATTORNEY,
                            Party.THIRD_PARTY,
                        )
                    )
                ),
                at_consumer_request=draw(st.integers(0, 7)) == 0,
            )
        )
    return tuple(events)


def day_start_of(profile: DebtorProfile, day: date) -> datetime:
    zones = resolve(profile).time_zones
    if not zones:
        return datetime.combine(day, time(0), tzinfo=UTC)
    return local_midnight(day, zone(zones[0]))


CHANNEL_POINTS = {
    Channel.CALL: (ContactPointKind.MOBILE, ContactPointKind.LANDLINE),
    Channel.VOICEMAIL: (ContactPointKind.MOBILE, ContactPointKind.LANDLINE),
    Channel.SMS: (ContactPointKind.MOBILE,),
    Channel.EMAIL: (ContactPointKind.EMAIL,),
    Channel.LETTER: (ContactPointKind.POSTAL,),
    # No chat point: the planner never proposes a chat (only the debtor opens one, ADR 0031).
    Channel.CHAT: (),
}


@st.composite
def debtors(
    draw: st.DrawFn, debtor_id: str, day: date
) -> tuple[DebtorProfile, tuple[HistoryEvent, ...], list[Target]]:
    addresses, zones = draw(st.sampled_from(LOCATIONS))
    points = draw(contact_points())
    owed = draw(debts(day))
    base = DebtorProfile(time_zones=zones, addresses=addresses, contact_points=points, debts=owed)
    day_start = day_start_of(base, day)
    debt_ids = tuple(debt.id for debt in owed)
    point_ids = tuple(point.id for point in points)
    profile = DebtorProfile(
        time_zones=zones,
        addresses=addresses,
        contact_points=points,
        debts=owed,
        holds=tuple(draw(st.lists(holds(day_start, debt_ids, point_ids), max_size=2))),
        consents=tuple(draw(st.lists(consents(day_start, debt_ids, point_ids), max_size=3))),
        inconvenient_times=tuple(draw(st.lists(TIME_RANGES, max_size=1))),
        convenient_times=tuple(draw(st.lists(TIME_RANGES, max_size=1))),
    )
    assert day_start_of(profile, day) == day_start
    ledger = draw(history(day_start, debt_ids, point_ids))
    targets = []
    for channel in draw(
        st.lists(st.sampled_from(tuple(Channel)), min_size=1, max_size=3, unique=True)
    ):
        matching = [point.id for point in points if point.kind in CHANNEL_POINTS[channel]]
        # None and an id not in the profile: an unknown contact point (defect 5).
        point_id = draw(st.sampled_from((*matching, *matching, None, "not-on-file")))
        # None: a contact about no particular debt (defect 10).
        debt_id = draw(st.sampled_from((*debt_ids, *debt_ids, None)))
        targets.append(Target(debtor_id, debt_id, channel, point_id))
    return profile, ledger, targets


OPTIONS = st.builds(
    BatchOptions,
    purpose=st.sampled_from(
        (Purpose.COLLECT, Purpose.COLLECT, Purpose.COLLECT, Purpose.RESPONSE_TO_CONSUMER)
    ),
    autodialled=st.booleans(),
    prerecorded=st.booleans(),
    includes_opt_out=st.just(True),
    live_agent_guaranteed=st.booleans(),
    # No figures, a campaign under the 3 % abandon limit, and one at it (US and UK windows).
    campaign=st.sampled_from(
        (
            None,
            CampaignFigures(20, 1000, 1, 100),
            CampaignFigures(30, 1000, 3, 100),
        )
    ),
)


GRID = timedelta(minutes=20)
TICK = timedelta(microseconds=1)


def _moments(
    day_start: datetime, day_end: datetime, windows: list[dict[str, datetime]]
) -> list[datetime]:
    moments = set()
    moment = day_start
    while moment < day_end:
        moments.add(moment)
        moment += GRID
    for window in windows:
        moments.update(
            (window["start"], window["end"] - TICK, window["start"] - TICK, window["end"])
        )
    return sorted(moments)


def _check(
    situation: DebtorProfile,
    history: tuple[HistoryEvent, ...],
    target: Target,
    options: BatchOptions,
    row: dict[str, object],
    day: date,
) -> None:
    day_start = day_start_of(situation, day)
    day_end = day_start_of(situation, day + timedelta(days=1))
    windows = row["windows"]
    assert isinstance(windows, list)
    caps = [(cap["rule_id"], cap["limit"], cap["used"], cap["remaining"]) for cap in row["caps"]]  # type: ignore[attr-defined]
    blocking = set(row["blocking_rule_ids"])  # type: ignore[call-overload]
    assert row["allowed_today"] == bool(windows)
    for moment in _moments(day_start, day_end, windows):
        if not day_start <= moment < day_end:
            continue  # the edges just outside a window may belong to another planning day
        decision = decide(situation, history, proposed_for(target, options, moment))
        inside = any(window["start"] <= moment < window["end"] for window in windows)
        context = (target, moment, decision.blocking_rule_ids, windows)
        assert decision.allowed == inside, context
        assert set(decision.blocking_rule_ids) <= blocking, context
        assert [(c.rule_id, c.limit, c.used, c.remaining) for c in decision.caps] == caps, context


def assert_agrees_with_decide(
    situations: dict[str, DebtorProfile],
    histories: dict[str, tuple[HistoryEvent, ...]],
    targets: list[Target],
    day: date,
    options: BatchOptions | None = None,
) -> list[dict[str, object]]:
    """Run the batch and compare every target with ``decide()`` over the day; return the rows."""
    options = options or BatchOptions()
    batch = batch_input(situations, histories, targets, day, options)
    result = batch_eligibility(batch, day)
    assert result.height == len(targets)
    rows = list(result.iter_rows(named=True))
    for target, row in zip(targets, rows, strict=True):
        assert (row["debtor_id"], row["debt_id"], row["channel"]) == (
            target.debtor_id,
            target.debt_id,
            target.channel.value,
        )
        _check(
            situations[target.debtor_id],
            histories.get(target.debtor_id, ()),
            target,
            options,
            row,
            day,
        )
    return rows
