"""Per-decision precomputation shared by every rule: zones, the debt, the contact point, the ledger.

Built once per ``decide()`` call. History events are converted to local calendar days in the
counting zone exactly once (E-02: a "day" is a calendar date in the consumer's zone; with several
candidate zones the first one, the most specific signal, is used) so caps never re-convert them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from solvent.compliance.domain.jurisdictions import Resolution
from solvent.compliance.domain.localtime import zone
from solvent.compliance.domain.model import (
    Channel,
    ConsentKind,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    HistoryEvent,
    Outcome,
    Party,
    Place,
    ProposedContact,
)
from solvent.compliance.domain.rules import PointClass

PHONE_CALL_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL})


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    day: int  # proleptic ordinal of the local date in the counting zone
    event: HistoryEvent
    debt_keys: frozenset[str] | None  # None: not attributed, counts toward every debt
    point: ContactPoint | None
    excluded: bool  # to someone other than the consumer, or a number learned to be wrong
    consent_excluded: bool  # Reg F 1006.14(b)(3)(i) prior-consent period


def point_in_class(point: ContactPoint | None, point_class: PointClass) -> bool:
    if point_class is PointClass.ANY:
        return True
    if point is None:
        # Unknown contact point: count it everywhere, the conservative choice.
        return True
    if point_class is PointClass.WORKPLACE:
        return point.place is Place.WORK
    residence_or_cell = point.kind is ContactPointKind.MOBILE or point.place is Place.HOME
    if point_class is PointClass.RESIDENCE_OR_CELL:
        return residence_or_cell
    return not residence_or_cell


class DecisionContext:
    """Everything a rule needs, computed once. Rules must not mutate it."""

    __slots__ = (
        "_consent_cache",
        "counting_zone",
        "debt",
        "debt_key",
        "debt_keys",
        "events",
        "history",
        "point",
        "profile",
        "proposed",
        "resolution",
        "zones",
    )

    def __init__(
        self,
        profile: DebtorProfile,
        history: tuple[HistoryEvent, ...],
        proposed: ProposedContact,
        resolution: Resolution,
    ) -> None:
        self.profile = profile
        self.history = history
        self.proposed = proposed
        self.resolution = resolution
        self.zones: tuple[ZoneInfo, ...] = tuple(zone(name) for name in resolution.time_zones)
        self.counting_zone: ZoneInfo = self.zones[0] if self.zones else zone("UTC")
        self.debt: Debt | None = profile.debt(proposed.debt_id)
        self.debt_keys: dict[str, str] = {debt.id: debt.counting_key for debt in profile.debts}
        self.debt_key: str | None = (
            self.debt.counting_key if self.debt is not None else proposed.debt_id
        )
        self.point: ContactPoint | None = profile.contact_point(proposed.contact_point_id)
        self.events: tuple[PreparedEvent, ...] = self._prepare(history)
        self._consent_cache: dict[datetime, bool] = {}

    def proposed_consent_excluded(self, at: datetime) -> bool:
        """Would the proposed call, placed at ``at``, fall in a prior-consent period?"""
        cached = self._consent_cache.get(at)
        if cached is None:
            cached = bool(self.profile.consents) and self._in_consent_period(
                at, self.debt_key, self.local_day(at)
            )
            self._consent_cache[at] = cached
        return cached

    def local_day(self, moment: datetime) -> int:
        return moment.astimezone(self.counting_zone).toordinal()

    def keys_of(self, debt_ids: tuple[str, ...]) -> frozenset[str] | None:
        if not debt_ids:
            return None
        keys = self.debt_keys
        return frozenset(keys.get(debt_id, debt_id) for debt_id in debt_ids)

    def _prepare(self, history: tuple[HistoryEvent, ...]) -> tuple[PreparedEvent, ...]:
        tz = self.counting_zone
        profile = self.profile
        points = {point.id: point for point in profile.contact_points}
        has_consents = any(
            consent.kind is ConsentKind.ADDITIONAL_CALLS for consent in profile.consents
        )
        prepared = []
        for event in history:
            point = points.get(event.contact_point_id) if event.contact_point_id else None
            day = event.at.astimezone(tz).toordinal()
            keys = self.keys_of(event.debt_ids)
            excluded = (
                event.party is not Party.CONSUMER
                or event.outcome is Outcome.WRONG_NUMBER
                or (point is not None and point.wrong_number)
            )
            consent_excluded = False
            if has_consents and event.channel in PHONE_CALL_CHANNELS:
                key = next(iter(keys)) if keys and len(keys) == 1 else None
                consent_excluded = self._in_consent_period(event.at, key, day)
            prepared.append(PreparedEvent(day, event, keys, point, excluded, consent_excluded))
        return tuple(prepared)

    def _in_consent_period(self, moment: datetime, debt_key: str | None, day: int) -> bool:
        """Is a call at ``moment`` inside a 1006.14(b)(3)(i) prior-consent period?

        The consent day is day 1 of at most seven; the consent ends early when revoked, when a
        shorter period the consumer gave ends, or at a telephone conversation about the debt
        (comment 14(b)(3)(i)-2).
        """
        for consent in self.profile.consents:
            if consent.kind is not ConsentKind.ADDITIONAL_CALLS or consent.given_at > moment:
                continue
            if consent.debt_ids and (
                debt_key is None or debt_key not in (self.keys_of(consent.debt_ids) or ())
            ):
                continue
            if day > self.local_day(consent.given_at) + 6:
                continue
            if consent.revoked_at is not None and consent.revoked_at <= moment:
                continue
            if consent.expires_at is not None and consent.expires_at <= moment:
                continue
            if self._conversation_between(consent.given_at, moment, debt_key):
                continue
            return True
        return False

    def _conversation_between(self, start: datetime, end: datetime, debt_key: str | None) -> bool:
        for event in self.history:
            if (
                event.outcome is Outcome.RIGHT_PARTY_CONVERSATION
                and start < event.at < end
                and (
                    debt_key is None
                    or not event.debt_ids
                    or debt_key in (self.keys_of(event.debt_ids) or ())
                )
            ):
                return True
        return False
