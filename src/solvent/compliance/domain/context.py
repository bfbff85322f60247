"""Per-decision precomputation shared by every rule: zones, the debt, the contact point, the ledger.

Built once per ``decide()`` call. History events are converted to local calendar days in the
counting zone exactly once (E-02: a "day" is a calendar date in the consumer's zone; with several
candidate zones the first one, the most specific signal, is used) so caps never re-convert them.
"""

from __future__ import annotations

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


# A ledger row with what every cap needs precomputed, as a plain tuple because building 20 of
# them is on the hot path of every decision (a NamedTuple costs ten times more):
# (local day ordinal in the counting zone, the event, its debt counting keys or None when not
#  attributed, contact-point class bits, excluded, inside a prior-consent period)
PreparedEvent = tuple[int, HistoryEvent, frozenset[str] | None, int, bool, bool]

RESIDENCE_OR_CELL_BIT = 1
OTHER_NUMBERS_BIT = 2
WORKPLACE_BIT = 4
# An unknown contact point is counted in every class: the conservative choice.
ALL_POINT_BITS = RESIDENCE_OR_CELL_BIT | OTHER_NUMBERS_BIT | WORKPLACE_BIT
POINT_CLASS_BITS: dict[PointClass, int] = {
    PointClass.ANY: ALL_POINT_BITS,
    PointClass.RESIDENCE_OR_CELL: RESIDENCE_OR_CELL_BIT,
    PointClass.OTHER_NUMBERS: OTHER_NUMBERS_BIT,
    PointClass.WORKPLACE: WORKPLACE_BIT,
}


def point_bits(point: ContactPoint | None) -> int:
    if point is None:
        return ALL_POINT_BITS
    residence_or_cell = point.kind is ContactPointKind.MOBILE or point.place is Place.HOME
    bits = RESIDENCE_OR_CELL_BIT if residence_or_cell else OTHER_NUMBERS_BIT
    if point.place is Place.WORK:
        bits |= WORKPLACE_BIT
    return bits


def point_in_class(point: ContactPoint | None, point_class: PointClass) -> bool:
    return bool(point_bits(point) & POINT_CLASS_BITS[point_class])


class DecisionContext:
    """Everything a rule needs, computed once. Rules must not mutate it."""

    __slots__ = (
        "_consent_cache",
        "_keys_cache",
        "cap_days",
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
        "several_debts",
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
        # Several debts to count apart: an unscoped consent to more calls covers none of them.
        self.several_debts: bool = len(self.debt_keys) > 1 and len(set(self.debt_keys.values())) > 1
        self._keys_cache: dict[tuple[str, ...], frozenset[str]] = {}
        self.debt_key: str | None = (
            self.debt.counting_key if self.debt is not None else proposed.debt_id
        )
        self.point: ContactPoint | None = profile.contact_point(proposed.contact_point_id)
        self.events: tuple[PreparedEvent, ...] = self._prepare(history)
        self._consent_cache: dict[datetime, bool] = {}
        # Counted ledger days per cap (keyed by id(cap)), filled lazily by the cap evaluator.
        self.cap_days: dict[int, list[int]] = {}

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
        cached = self._keys_cache.get(debt_ids)
        if cached is None:
            keys = self.debt_keys
            cached = frozenset(keys.get(debt_id, debt_id) for debt_id in debt_ids)
            self._keys_cache[debt_ids] = cached
        return cached

    def _prepare(self, history: tuple[HistoryEvent, ...]) -> tuple[PreparedEvent, ...]:
        tz = self.counting_zone
        profile = self.profile
        bits = {point.id: point_bits(point) for point in profile.contact_points}
        wrong_points = {point.id for point in profile.contact_points if point.wrong_number}
        consumer = Party.CONSUMER
        wrong_number = Outcome.WRONG_NUMBER
        keys_of = self.keys_of
        keys = {debt_ids: keys_of(debt_ids) for debt_ids in {event.debt_ids for event in history}}
        prepared = [
            (
                event.at.astimezone(tz).toordinal(),
                event,
                keys[event.debt_ids],
                bits.get(event.contact_point_id, ALL_POINT_BITS)
                if event.contact_point_id
                else ALL_POINT_BITS,
                event.party is not consumer
                or event.outcome is wrong_number
                or event.contact_point_id in wrong_points,
                False,
            )
            for event in history
        ]
        if any(consent.kind is ConsentKind.ADDITIONAL_CALLS for consent in profile.consents):
            prepared = [(*row[:5], self._event_in_consent_period(row)) for row in prepared]
        return tuple(prepared)

    def _event_in_consent_period(self, row: PreparedEvent) -> bool:
        day, event, keys = row[0], row[1], row[2]
        if event.channel not in PHONE_CALL_CHANNELS:
            return False
        key = next(iter(keys)) if keys and len(keys) == 1 else None
        return self._in_consent_period(event.at, key, day)

    def _in_consent_period(self, moment: datetime, debt_key: str | None, day: int) -> bool:
        """Is a call at ``moment`` inside a 1006.14(b)(3)(i) prior-consent period?

        The consent covers the particular debt it was given for (comment 14(b)(3)(i)-2). The consent
        day is day 1 of at most seven; the consent ends early when revoked, when a shorter period
        the consumer gave ends, or at a conversation about the debt (comment 14(b)(3)(i)-2).
        """
        for consent in self.profile.consents:
            if consent.kind is not ConsentKind.ADDITIONAL_CALLS or consent.given_at > moment:
                continue
            if consent.debt_ids and (
                debt_key is None or debt_key not in (self.keys_of(consent.debt_ids) or ())
            ):
                continue
            # An unscoped consent of a debtor with several debts does not say which debt it was
            # about: it covers none of them (fail closed, ADR 0009); with one debt it covers that.
            if not consent.debt_ids and self.several_debts:
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
