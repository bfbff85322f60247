"""Target profiles: the part of a decision that does not depend on the contact history.

A *target* is one candidate contact of the planning day: a debtor, a debt, a channel and
(optionally) a contact point. Its *profile* is everything ``decide()`` reads apart from the ledger:
where the debtor may be (the resolved jurisdictions and zones), the target's contact point and
debt, the holds, consents and stated times, and the fixed parts of the proposed contact.

Profiles are canonicalised so that a million debtors collapse into a few hundred distinct ones:
identifiers become fixed placeholders (the target's own point is ``"p"``, its debt ``"d"``,
anything else ``"other"``), addresses and phone numbers are replaced by their resolution, and
instants and dates that can only matter through their order or through "before the planning
day" are replaced by stand-ins with the same order and the same relation to the day. Each
distinct profile is then evaluated once with the engine's own ``decide()``.

A few engine behaviours read the history through a check rather than through the cap and cool-down
data (prior consent to more calls, employer-provided email used by the consumer, furnishing,
Ofcom's 72 hours after an abandoned call). Such
targets are marked *exact*: their profile keeps the real situation and history and is decided on
its own (see ``needs_exact``).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from solvent.compliance.domain.jurisdictions import Resolution, resolve
from solvent.compliance.domain.localtime import ONE_DAY, local_midnight, zone
from solvent.compliance.domain.model import (
    CampaignFigures,
    Channel,
    Consent,
    ConsentKind,
    ContactPoint,
    Debt,
    DebtorProfile,
    DebtStatus,
    HistoryEvent,
    Hold,
    HoldKind,
    MessageClaim,
    Outcome,
    ProposedContact,
    Purpose,
    VoicemailContent,
)
from solvent.compliance.domain.packs.us_federal_checks import validation_period_end

TARGET_POINT = "p"
TARGET_DEBT = "d"
OTHER = "other"
# The proposed instant of a profile is a placeholder: the evaluation supplies the real moments.
PLACEHOLDER_AT = datetime(1970, 1, 1, tzinfo=UTC)
# A date long before any planning day: "the notice went out long ago".
LONG_AGO = date(2000, 1, 1)
ONTARIO_NOTICE_WAIT_DAYS = 6
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """The fixed parts of every proposed contact in one batch run."""

    purpose: Purpose = Purpose.COLLECT
    autodialled: bool = False
    prerecorded: bool = False
    includes_opt_out: bool | None = True
    voicemail_content: VoicemailContent | None = None
    opt_out_asks_for_more: bool | None = False
    claims: tuple[MessageClaim, ...] = ()
    # Dialer calls: a live agent guaranteed on answer, and the campaign's abandon figures.
    live_agent_guaranteed: bool = False
    campaign: CampaignFigures | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """One candidate contact of the planning day."""

    debtor_id: Hashable
    debt_id: str | None
    channel: Channel
    contact_point_id: str | None = None


@dataclass(frozen=True, slots=True)
class TargetProfile:
    """A canonical situation plus proposed contact; ``history`` is set only on exact profiles.

    ``day`` is the planning day the profile was made for: its stand-in instants are only valid
    for that day.
    """

    situation: DebtorProfile
    proposed: ProposedContact
    history: tuple[HistoryEvent, ...] | None = None
    day: date | None = None

    @property
    def exact(self) -> bool:
        return self.history is not None


@dataclass(slots=True)
class ProfileRegistry:
    """Interns target profiles: equal profiles share one id (the row of the profile table)."""

    profiles: list[TargetProfile] = field(default_factory=list)
    _ids: dict[TargetProfile, int] = field(default_factory=dict)

    def intern(self, profile: TargetProfile) -> int:
        known = self._ids.get(profile)
        if known is not None:
            return known
        self._ids[profile] = len(self.profiles)
        self.profiles.append(profile)
        return len(self.profiles) - 1


def needs_exact(
    situation: DebtorProfile,
    history: tuple[HistoryEvent, ...],
    target: Target,
    point: ContactPoint | None,
    options: BatchOptions,
) -> bool:
    """Targets whose decision reads the ledger outside the cap and cool-down data."""
    if options.purpose is Purpose.FURNISH_CREDIT_REPORT:
        return True  # check_furnishing reads letters, messages and conversations
    if any(consent.kind is ConsentKind.ADDITIONAL_CALLS for consent in situation.consents):
        return True  # prior-consent periods end at a conversation and exclude calls from caps
    if target.channel is Channel.EMAIL:
        # An employer-provided address is allowed once the consumer used it (check_media).
        return point is not None and point.employer_provided
    # Ofcom's 72 hours after an abandoned call read the ledger by the hour (dialer packs).
    return (
        target.channel is Channel.CALL
        and (options.autodialled or options.prerecorded)
        and not options.live_agent_guaranteed
        and any(event.outcome is Outcome.ABANDONED for event in history)
    )


def proposed_for(target: Target, options: BatchOptions, at: datetime) -> ProposedContact:
    return ProposedContact(
        at=at,
        channel=target.channel,
        debt_id=target.debt_id,
        contact_point_id=target.contact_point_id,
        autodialled=options.autodialled,
        prerecorded=options.prerecorded,
        purpose=options.purpose,
        includes_opt_out=options.includes_opt_out,
        voicemail_content=options.voicemail_content,
        opt_out_asks_for_more=options.opt_out_asks_for_more,
        claims=options.claims,
        live_agent_guaranteed=options.live_agent_guaranteed,
        campaign=options.campaign,
    )


def target_profile(
    situation: DebtorProfile,
    history: tuple[HistoryEvent, ...],
    target: Target,
    day: date,
    options: BatchOptions,
) -> TargetProfile:
    """The profile of ``target`` for the planning ``day``: canonical, or exact when it must be."""
    return target_profiles(situation, history, (target,), day, options)[0]


def target_profiles(
    situation: DebtorProfile,
    history: tuple[HistoryEvent, ...],
    targets: Sequence[Target],
    day: date,
    options: BatchOptions,
) -> list[TargetProfile]:
    """The profiles of one debtor's ``targets``; the debtor-wide parts are worked out once."""
    parts: _DebtorParts | None = None
    profiles = []
    for target in targets:
        point = situation.contact_point(target.contact_point_id)
        if needs_exact(situation, history, target, point, options):
            proposed = proposed_for(target, options, PLACEHOLDER_AT)
            profiles.append(TargetProfile(situation, proposed, history, day))
            continue
        if parts is None:
            parts = _DebtorParts.of(situation, day)
        profile, proposed = _canonical(situation, target, point, day, options, parts)
        profiles.append(TargetProfile(profile, proposed, day=day))
    return profiles


@dataclass(slots=True)
class _DebtorParts:
    """What every target of one debtor shares: where they may be, the day, the stand-ins."""

    resolution: Resolution
    day_start: datetime
    day_end: datetime
    stand_ins: dict[datetime, datetime]

    @classmethod
    def of(cls, situation: DebtorProfile, day: date) -> _DebtorParts:
        resolution = resolve(situation)
        zones = resolution.time_zones
        day_start, day_end = day_bounds(zones[0] if zones else None, day)
        return cls(resolution, day_start, day_end, _stand_ins(situation, day_start, day_end))


@lru_cache(maxsize=4096)
def day_bounds(zone_name: str | None, day: date) -> tuple[datetime, datetime]:
    """The planning day in the counting zone, as UTC instants (UTC when no zone is known)."""
    if zone_name is None:
        start = datetime.combine(day, time(0), tzinfo=UTC)
        return start, start + ONE_DAY
    tz = zone(zone_name)
    return local_midnight(day, tz), local_midnight(day + ONE_DAY, tz)


def _canonical(
    situation: DebtorProfile,
    target: Target,
    point: ContactPoint | None,
    day: date,
    options: BatchOptions,
    parts: _DebtorParts,
) -> tuple[DebtorProfile, ProposedContact]:
    resolution = parts.resolution
    zones = resolution.time_zones
    debt = situation.debt(target.debt_id)
    debt_key = debt.counting_key if debt is not None else target.debt_id
    keys = {item.id: item.counting_key for item in situation.debts}

    def debts_of(debt_ids: tuple[str, ...]) -> tuple[str, ...]:
        if not debt_ids:
            return ()
        if target.debt_id in debt_ids or debt_key in {keys.get(i, i) for i in debt_ids}:
            return (TARGET_DEBT,)
        return (OTHER,)

    def point_of(point_id: str | None) -> str | None:
        if point_id is None:
            return None
        return TARGET_POINT if point_id == target.contact_point_id else OTHER

    canonical_debt, keep_disputes = _debt(debt, situation.holds, day, zones)
    move = {} if keep_disputes else parts.stand_ins
    holds = tuple(
        Hold(
            kind=hold.kind,
            received_at=move.get(hold.received_at, hold.received_at),
            debt_ids=debts_of(hold.debt_ids),
            contact_point_id=point_of(hold.contact_point_id),
            channels=hold.channels,
            released_at=_moved(move, hold.released_at),
        )
        for hold in situation.holds
    )
    consents = tuple(
        Consent(
            kind=consent.kind,
            given_at=move.get(consent.given_at, consent.given_at),
            contact_point_id=point_of(consent.contact_point_id),
            debt_ids=debts_of(consent.debt_ids),
            channels=consent.channels,
            revoked_at=_moved(move, consent.revoked_at),
            expires_at=_moved(move, consent.expires_at),
        )
        for consent in situation.consents
    )
    profile = DebtorProfile(
        time_zones=zones,
        contact_points=(_point(point),) if point else (),
        holds=holds,
        consents=consents,
        inconvenient_times=situation.inconvenient_times,
        convenient_times=situation.convenient_times,
        debts=(canonical_debt,) if canonical_debt is not None else _debtless(situation, target),
        jurisdictions=resolution.jurisdictions,
        resolved=resolution,
    )
    proposed = proposed_for(
        Target(
            None,
            TARGET_DEBT if target.debt_id is not None else None,
            target.channel,
            TARGET_POINT if target.contact_point_id is not None else None,
        ),
        options,
        PLACEHOLDER_AT,
    )
    return profile, proposed


def _point(point: ContactPoint) -> ContactPoint:
    # The number itself only locates the debtor, and the resolution already says where.
    return ContactPoint(
        TARGET_POINT,
        point.kind,
        "",
        place=point.place,
        employer_provided=point.employer_provided,
        wrong_number=point.wrong_number,
        reassigned=point.reassigned,
        owner=point.owner,
    )


def _moved(move: dict[datetime, datetime], moment: datetime | None) -> datetime | None:
    return None if moment is None else move.get(moment, moment)


def _debt(
    debt: Debt | None, holds: tuple[Hold, ...], day: date, zones: tuple[str, ...]
) -> tuple[Debt | None, bool]:
    """The target debt without the fields no rule reads, its dates reduced to what they decide.

    The validation date only decides whether a dispute came late (a later dispute merely warns);
    the Ontario notice date only whether the 6-day wait is over before the planning day. The flag
    says whether the disputes' receipt instants must be kept (some late, some timely).
    """
    if debt is None:
        return None, False
    keep_disputes = False
    sent_on = debt.validation_notice_sent_on
    if sent_on is not None:
        disputes = [hold for hold in holds if hold.kind is HoldKind.DISPUTE]
        if not disputes:
            sent_on = LONG_AGO
        elif zones:
            end = validation_period_end(sent_on)
            tz = zone(zones[0])
            late = [hold.received_at.astimezone(tz).date() > end for hold in disputes]
            if all(late):
                sent_on = LONG_AGO
            elif not any(late):
                sent_on = None
            else:
                keep_disputes = True
    ontario = debt.ontario_notice_sent_on
    if ontario is not None and ontario + ONTARIO_NOTICE_WAIT_DAYS * ONE_DAY <= day:
        ontario = LONG_AGO
    canonical = Debt(
        id=TARGET_DEBT,
        kind=debt.kind,
        student_loan_account=OTHER if debt.student_loan_account else None,
        validation_notice_sent_on=sent_on,
        time_barred=debt.time_barred,
        ontario_notice_sent_on=ontario,
        status=debt.status,
    )
    return canonical, keep_disputes


def _debtless(situation: DebtorProfile, target: Target) -> tuple[Debt, ...]:
    """A contact about no particular debt is decided on whether any debt is active: one stand-in
    debt says so (solvent.debt.not_collectable)."""
    if target.debt_id is not None or not situation.debts:
        return ()
    active = any(debt.status is DebtStatus.ACTIVE for debt in situation.debts)
    return (Debt(id=OTHER, status=DebtStatus.ACTIVE if active else DebtStatus.CLOSED),)


def _stand_ins(
    situation: DebtorProfile, day_start: datetime, day_end: datetime
) -> dict[datetime, datetime]:
    """Stand-ins, in the same order, for the hold and consent instants outside the day.

    Rules compare these instants with the moment being decided (always inside the day) and with
    each other (an attorney's consent given after the representation began); a dispute's receipt
    date is compared with the validation period, which ``_debt`` has already reduced to late or
    timely, and a stand-in just before the day is late for a notice sent long ago.
    """
    if not situation.holds and not situation.consents:
        return {}
    instants: set[datetime] = set()
    for hold in situation.holds:
        instants.add(hold.received_at)
        if hold.released_at is not None:
            instants.add(hold.released_at)
    for consent in situation.consents:
        instants.add(consent.given_at)
        if consent.revoked_at is not None:
            instants.add(consent.revoked_at)
        if consent.expires_at is not None:
            instants.add(consent.expires_at)
    before = sorted((moment for moment in instants if moment < day_start), reverse=True)
    after = sorted(moment for moment in instants if moment >= day_end)
    stand_in = {moment: day_start - (rank + 1) * ONE_SECOND for rank, moment in enumerate(before)}
    stand_in.update({moment: day_end + rank * ONE_SECOND for rank, moment in enumerate(after)})
    return stand_in
