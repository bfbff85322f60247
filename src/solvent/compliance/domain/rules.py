"""The data shapes of a rule pack: hour windows, frequency caps, cool-downs and small checks.

A rule pack is *data plus small functions*, versioned with effective dates and selected by the
jurisdictions a debtor may be in. Inside a pack each rule id has its own dates (``RuleInfo``): the
FDCPA's own rules apply since 1978, Regulation F's additions since 2021-11-30, in one pack. The data parts are meant to be read by other evaluators too (the
Polars batch path), so their shapes are stable and documented here:

``HourWindows`` (one rule's lawful local hours)
    ``weekly``: 7 entries, Monday first; each is ``(start_minute, end_minute)`` of local time,
    half-open ``[start, end)``, or ``None`` for "no contact that day". 08:00-21:00 is
    ``(480, 1260)``. ``holiday_calendar`` + ``holiday_window`` replace the weekday entry on a public
    holiday of that calendar (``None`` = closed). ``channels``: media the rule governs.
    ``consent_overridable``: a time the consumer said is convenient lifts it (1006.6(b)(4)(i)).
    The window applies in *every* candidate zone of the debtor (comment 6(b)(1)(i)-2).

``CapDefinition`` (a frequency limit)
    ``limit`` events in any ``window_days`` consecutive local calendar days (the consumer's first
    zone, E-02), counted per ``scope`` (debt / debtor / contact point). An event counts when its
    ``channel`` is in ``channels``, its ``outcome`` in ``outcomes`` and its ``direction`` in
    ``directions``; ``point_class`` restricts the contact points (MA residence-or-cell vs other
    numbers, WA workplace). Exclusions: consumer-requested events, calls to persons other than the
    consumer, numbers learned to be wrong, and (Reg F) calls within a prior-consent period.
    ``after_first_conversation``: the cap only starts after a right-party conversation (Ontario).
    The proposed contact is assumed to count, so a cap blocks when ``used >= limit``.

``CooldownDefinition`` (no contact for N days after an event)
    After a ``trigger_outcomes`` event on local date C, no ``channels`` contact about the same debt
    before C + ``days`` (the event date is day 1: Reg F 1006.14(b)(2)(i)(B)).

``Check`` functions cover the rest (holds, consent, notices); they return ``RuleHit`` values with a
``retry_at`` hint (or ``never``) so the engine can search forward for the earliest lawful moment.
Checks marked ``@advisory`` only ever warn.

Outcome groups used by the packs (``packs.common``): ``CONNECTED_CALL_OUTCOMES`` are Reg F
"placed calls" (attempts that connected: no_answer, voicemail, limited_content_message, abandoned
and both conversation outcomes; busy and not_in_service are not); ``CONTACT_OUTCOMES`` are contacts actually
made (a conversation, a message left, a message sent or delivered); a *conversation* is
``right_party_conversation`` in either direction.

A batch evaluator needs, per ledger row: the local calendar day in the debtor's first zone, the
channel, outcome and direction, the debt counting keys (student loans sharing an account number are
one key; an empty ``debt_ids`` counts toward every debt), the contact-point class (residence or
cell / other numbers / workplace), whether the row is excluded (party other than the consumer,
wrong number) and whether it fell in a Reg F prior-consent period. ``context.DecisionContext``
computes exactly these for the single-decision path.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from solvent.compliance.domain.model import (
    CapScope,
    Channel,
    Direction,
    Outcome,
    Severity,
)

if TYPE_CHECKING:
    from solvent.compliance.domain.context import DecisionContext

ALL_CHANNELS: frozenset[Channel] = frozenset(Channel)
PHONE_CHANNELS: frozenset[Channel] = frozenset({Channel.CALL, Channel.VOICEMAIL})
ELECTRONIC_CHANNELS: frozenset[Channel] = frozenset({Channel.SMS, Channel.EMAIL})
TIMED_CHANNELS: frozenset[Channel] = frozenset(
    {Channel.CALL, Channel.VOICEMAIL, Channel.SMS, Channel.EMAIL}
)


class PointClass(enum.StrEnum):
    """Which contact points a cap counts and applies to."""

    ANY = "any"
    RESIDENCE_OR_CELL = "residence_or_cell"  # home landline, any mobile
    OTHER_NUMBERS = "other_numbers"  # work and other landlines
    WORKPLACE = "workplace"  # contact points at the place of employment


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One rule id: its documentation (rendered into docs/compliance.md) and its dates.

    ``effective_from`` / ``effective_until`` (inclusive) bound the local days on which the rule is
    evaluated; ``None`` means the pack's own date. They are the dates of every window, cap,
    cool-down and check hit carrying this rule id: one date per rule id, so they cannot disagree.
    """

    rule_id: str
    title: str
    citation: str
    summary: str
    confidence: str = "T"  # T: checked against the text; S: secondary source; V: verify; P: policy
    effective_from: date | None = None
    effective_until: date | None = None

    def dates_in(self, pack: RulePack) -> tuple[date, date | None]:
        """The first and last (``None``: open) days the rule is evaluated: its own, else the pack's."""
        return (
            self.effective_from or pack.effective_from,
            self.effective_until or pack.effective_until,
        )

    def in_force_on(self, day: date, pack: RulePack) -> bool:
        start, until = self.dates_in(pack)
        return start <= day and (until is None or day <= until)


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    country: str
    subdivision: str | None = None
    categories: str = "public"  # comma-separated ``holidays`` categories


Window = tuple[int, int]
FULL_DAY: Window = (0, 1440)


@dataclass(frozen=True, slots=True)
class HourWindows:
    rule_id: str
    citation: str
    message: str
    channels: frozenset[Channel]
    weekly: tuple[Window | None, ...]
    holiday_calendar: HolidayCalendar | None = None
    holiday_window: Window | None = None
    consent_overridable: bool = False
    # Reported instead of ``rule_id`` when the time is lawful in some candidate zone but not all.
    multi_zone_rule_id: str | None = None

    def window_on(self, weekday: int, is_holiday: bool) -> Window | None:
        if is_holiday:
            return self.holiday_window
        return self.weekly[weekday]


def every_day(window: Window | None) -> tuple[Window | None, ...]:
    return (window,) * 7


@dataclass(frozen=True, slots=True)
class CapDefinition:
    rule_id: str
    citation: str
    message: str
    limit: int
    window_days: int
    scope: CapScope
    channels: frozenset[Channel]
    outcomes: frozenset[Outcome]
    directions: frozenset[Direction] = frozenset({Direction.OUTBOUND})
    point_class: PointClass = PointClass.ANY
    exclude_consumer_requested: bool = True
    exclude_prior_consent: bool = False
    after_first_conversation: bool = False
    severity: Severity = Severity.BLOCK

    @property
    def window(self) -> str:
        return f"{self.window_days}d"


@dataclass(frozen=True, slots=True)
class CooldownDefinition:
    rule_id: str
    citation: str
    message: str
    days: int
    trigger_outcomes: frozenset[Outcome]
    trigger_channels: frozenset[Channel]
    channels: frozenset[Channel]
    scope: CapScope = CapScope.PER_DEBT
    exclude_prior_consent: bool = True


class RuleHit(NamedTuple):
    """One failing (or warning) rule at one instant (a tuple: dozens are built per decision).

    ``retry_at``: the earliest instant at which this rule alone could pass (a lower bound is
    enough). ``never``: it cannot pass on the known facts (a cease notice, revoked consent).
    """

    rule_id: str
    message: str
    citation: str
    severity: Severity = Severity.BLOCK
    retry_at: datetime | None = None
    never: bool = False


Check = Callable[["DecisionContext", datetime], list[RuleHit]]

# Checks that only ever warn; the forward search for the earliest moment skips them.
ADVISORY_CHECKS: set[Check] = set()


def advisory(check: Check) -> Check:
    """Mark a check as warning-only (it never blocks)."""
    ADVISORY_CHECKS.add(check)
    return check


# Identity equality: packs are module-level singletons, hashed on every (cached) pack selection.
@dataclass(frozen=True, slots=True, eq=False)
class RulePack:
    pack_id: str
    version: str
    title: str
    effective_from: date
    effective_until: date | None
    jurisdictions: frozenset[str]
    rules: tuple[RuleInfo, ...]
    hour_windows: tuple[HourWindows, ...] = ()
    caps: tuple[CapDefinition, ...] = ()
    cooldowns: tuple[CooldownDefinition, ...] = ()
    checks: tuple[Check, ...] = ()

    def in_force_on(self, day: date) -> bool:
        if day < self.effective_from:
            return False
        return self.effective_until is None or day <= self.effective_until

    def applies_to(self, jurisdictions: tuple[str, ...]) -> bool:
        if "*" in self.jurisdictions:
            return True
        return any(code in self.jurisdictions for code in jurisdictions)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(info.rule_id for info in self.rules)

    def dormant_on(self, day: date) -> frozenset[str]:
        """The pack's rule ids not in force on ``day`` (the pack itself being in force)."""
        return frozenset(info.rule_id for info in self.rules if not info.in_force_on(day, self))

    @property
    def rule_dates(self) -> frozenset[date]:
        """Days on which some rule of the pack starts or stops (the day after its last day)."""
        days: set[date] = set()
        for info in self.rules:
            if info.effective_from is not None:
                days.add(info.effective_from)
            if info.effective_until is not None:
                days.add(date.fromordinal(info.effective_until.toordinal() + 1))
        return frozenset(days)
