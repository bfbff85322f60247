"""Value objects of the compliance decision engine.

Everything here is a frozen dataclass or an enum, so a situation can be hashed (jurisdiction
resolution is cached on it), shared between threads and compared in tests. Datetimes are always
timezone-aware; the scenario parser refuses naive ones and the engine never reads a clock.

Shapes, in the words a collector uses:

* ``DebtorProfile``: who we want to reach and what we know about where they may be (addresses,
  phone numbers, explicit IANA zones), their holds, consents, stated times and debts.
* ``HistoryEvent``: one row of the contact ledger (an attempt, a conversation, a message).
* ``ProposedContact``: the contact we are asked about ("may I call this number now?").
* ``Decision``: the answer, with every blocking and warning rule, the earliest lawful moment and
  what is left under every frequency cap.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal


class Channel(enum.StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    # A ringless or direct-drop voicemail: a "telephone call" for Reg F (comment 14(b)-1).
    VOICEMAIL = "voicemail"
    # A message in the chat on the debtor's own page, which only the debtor opens (ADR 0031):
    # an electronic communication, not a call and not a text to a number.
    CHAT = "chat"


class Direction(enum.StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Outcome(enum.StrEnum):
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    NOT_IN_SERVICE = "not_in_service"
    VOICEMAIL = "voicemail"
    LIMITED_CONTENT_MESSAGE = "limited_content_message"
    RIGHT_PARTY_CONVERSATION = "right_party_conversation"
    THIRD_PARTY_CONVERSATION = "third_party_conversation"
    WRONG_NUMBER = "wrong_number"
    SENT = "sent"
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    # A person answered and no agent took the call within 2 seconds (47 CFR 64.1200(a)(7); Ofcom).
    ABANDONED = "abandoned"


class ContactPointKind(enum.StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    EMAIL = "email"
    POSTAL = "postal"
    # A chat conversation on our page: "chat:<conversation id>", no address of the debtor's.
    CHAT = "chat"


class Place(enum.StrEnum):
    """Where a contact point reaches the debtor; mobiles and email are usually ``personal``."""

    HOME = "home"
    WORK = "work"
    PERSONAL = "personal"
    OTHER = "other"


class Party(enum.StrEnum):
    """Who a history event was with; calls to the attorney etc. are excluded from Reg F counts."""

    CONSUMER = "consumer"
    ATTORNEY = "attorney"
    THIRD_PARTY = "third_party"
    CREDITOR = "creditor"


class HoldKind(enum.StrEnum):
    CEASE = "cease"
    DISPUTE = "dispute"
    ATTORNEY = "attorney"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    NOT_AT_WORK = "not_at_work"
    NOT_AT_HOME = "not_at_home"
    MEDIUM_OPT_OUT = "medium_opt_out"
    HARDSHIP = "hardship"
    COMPLAINT = "complaint"


class ConsentKind(enum.StrEnum):
    # TCPA prior express consent for autodialled or prerecorded calls and texts to this number.
    TCPA_PRIOR_EXPRESS = "tcpa_prior_express"
    # Reg F 1006.14(b)(3)(i): consent to additional calls about a debt (7 days at most).
    ADDITIONAL_CALLS = "additional_calls"
    # Consent to be emailed or texted at this address or number (1006.6(d)(4)-(5)).
    ELECTRONIC = "electronic"
    # The attorney consented to direct contact (1006.6(b)(2)(ii)).
    ATTORNEY_DIRECT_CONTACT = "attorney_direct_contact"


class Purpose(enum.StrEnum):
    """Why the contact is proposed; a few purposes are exceptions to holds or need other rules."""

    COLLECT = "collect"
    # 1006.6(c)(2): advise that efforts end / that a remedy may be or will be invoked.
    CEASE_EXCEPTION_NOTICE = "cease_exception_notice"
    # 1006.14(h)(2)(i): one electronic confirmation of an opt-out.
    OPT_OUT_CONFIRMATION = "opt_out_confirmation"
    # One reply to a consumer-initiated contact (comments 6(b)(1)-2, 6(b)(2)-1; 1006.14(h)(2)(ii)).
    RESPONSE_TO_CONSUMER = "response_to_consumer"
    FURNISH_CREDIT_REPORT = "furnish_credit_report"
    LEGAL_ACTION = "legal_action"


class DebtStatus(enum.StrEnum):
    """Where the debt stands with us; only an active debt may be collected (house policy)."""

    ACTIVE = "active"
    RECALLED = "recalled"  # the client took it back
    PAID = "paid"
    SETTLED = "settled"
    CLOSED = "closed"


class MessageClaim(enum.StrEnum):
    """What a message says, where the law cares about the words (declared by the template)."""

    # The message threatens or implies a lawsuit (1006.26(b): never on a time-barred debt).
    THREAT_OF_SUIT = "threat_of_suit"


class VoicemailContent(enum.StrEnum):
    LIMITED_CONTENT = "limited_content"
    FULL = "full"
    NONE = "none"


class Severity(enum.StrEnum):
    BLOCK = "block"
    WARN = "warn"


class CapScope(enum.StrEnum):
    PER_DEBT = "per_debt"
    PER_DEBTOR = "per_debtor"
    PER_CONTACT_POINT = "per_contact_point"


WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Address:
    id: str
    country: str  # ISO 3166-1 alpha-2, e.g. "US"
    region: str | None = None  # state / province / territory code, e.g. "MA", "ON", "NSW"
    city: str | None = None
    postal_code: str | None = None
    place: Place = Place.HOME
    time_zone: str | None = None  # when geocoded precisely; else the region's zones are used


@dataclass(frozen=True, slots=True)
class ContactPoint:
    id: str
    kind: ContactPointKind
    value: str  # E.164 for phones, the address for email, an address id for postal
    place: Place = Place.PERSONAL
    employer_provided: bool = False
    # The number was learned not to be the consumer's (comment 14(b)(2)(i)-3).
    wrong_number: bool = False
    # A Reassigned Numbers Database "yes" since consent was given (47 CFR 64.1200(m)).
    reassigned: bool = False
    # No longer in use: the client replaced it with another number of the same kind (superseded)
    # or it was found not to work (invalid). Kept for the history, never contacted.
    retired: bool = False
    # Whose contact point it is: the consumer's, or recorded as someone else's (a relative, an
    # employer's switchboard, a stranger's after a wrong number).
    owner: Party = Party.CONSUMER


@dataclass(frozen=True, slots=True)
class Hold:
    kind: HoldKind
    received_at: datetime
    debt_ids: tuple[str, ...] = ()  # empty: every debt
    contact_point_id: str | None = None  # medium opt-out for one address or number
    channels: tuple[Channel, ...] = ()  # medium opt-out: the media refused
    released_at: datetime | None = None  # verification sent, attorney consented, ...


@dataclass(frozen=True, slots=True)
class Consent:
    kind: ConsentKind
    given_at: datetime
    contact_point_id: str | None = None
    # Empty: every debt of the debtor (consent to more calls: only a debtor's one debt, ADR 0009).
    debt_ids: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()  # the media the consent was given for; empty: every one
    revoked_at: datetime | None = None
    expires_at: datetime | None = None  # a shorter period the consumer stated


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A weekly local-time range, e.g. weekdays 15:00-17:00, optionally bounded by dates.

    ``start``/``end`` absent means the whole day. ``time_zone`` absent means "in every zone the
    consumer may be in" (the conservative reading of comment 6(b)(1)(i)-2).
    """

    days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    start: time | None = None
    end: time | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class Debt:
    id: str
    kind: str = "other"  # credit_card, medical, student_loan, mortgage, ...
    balance: Decimal | None = None
    currency: str | None = None
    # Student loans serviced under one account number are one "particular debt" (1006.14(b)(4)).
    student_loan_account: str | None = None
    validation_notice_sent_on: date | None = None
    time_barred: bool = False
    # Ontario Reg. 74: written notice before any contact.
    ontario_notice_sent_on: date | None = None
    status: DebtStatus = DebtStatus.ACTIVE

    @property
    def counting_key(self) -> str:
        if self.kind == "student_loan" and self.student_loan_account:
            return f"student_loan:{self.student_loan_account}"
        return self.id


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where the debtor may be: every jurisdiction and zone (``jurisdictions.resolve``)."""

    jurisdictions: tuple[str, ...]
    time_zones: tuple[str, ...]  # primary (counting) zone first
    # Countries a signal placed the debtor in without saying where in them (sorted).
    unplaced: tuple[str, ...] = ()
    # Signals whose place could not be established, in a collector's words.
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DebtorProfile:
    time_zones: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()
    contact_points: tuple[ContactPoint, ...] = ()
    holds: tuple[Hold, ...] = ()
    consents: tuple[Consent, ...] = ()
    inconvenient_times: tuple[TimeRange, ...] = ()
    convenient_times: tuple[TimeRange, ...] = ()
    debts: tuple[Debt, ...] = ()
    jurisdictions: tuple[str, ...] = ()  # extra jurisdictions known by other means
    # Already resolved (the batch path's canonical profiles): used as is instead of the signals.
    resolved: Resolution | None = None

    def contact_point(self, contact_point_id: str | None) -> ContactPoint | None:
        for point in self.contact_points:
            if point.id == contact_point_id:
                return point
        return None

    def debt(self, debt_id: str | None) -> Debt | None:
        for debt in self.debts:
            if debt.id == debt_id:
                return debt
        return None


# The situation of the brief is the debtor profile; the alias keeps both words usable.
Situation = DebtorProfile


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    at: datetime
    channel: Channel
    direction: Direction
    outcome: Outcome
    debt_ids: tuple[str, ...] = ()  # empty: not attributed, counts toward every debt
    contact_point_id: str | None = None
    party: Party = Party.CONSUMER
    at_consumer_request: bool = False


# The ledger row of an attempt is the same record.
Attempt = HistoryEvent


@dataclass(frozen=True, slots=True)
class CampaignFigures:
    """A dialer campaign's abandoned and live-answered calls over the two regulatory windows."""

    abandoned_30d: int = 0
    live_answered_30d: int = 0
    abandoned_24h: int = 0
    live_answered_24h: int = 0


@dataclass(frozen=True, slots=True)
class ProposedContact:
    at: datetime
    channel: Channel
    debt_id: str | None = None
    contact_point_id: str | None = None
    autodialled: bool = False
    prerecorded: bool = False
    purpose: Purpose = Purpose.COLLECT
    at_consumer_request: bool = False
    includes_opt_out: bool | None = None
    voicemail_content: VoicemailContent | None = None
    # Who we are trying to reach: the consumer, or a third party for location information.
    party: Party = Party.CONSUMER
    # Electronic messages: the opt-out asks for more than the preference and the address or
    # number (a fee, a login, other information), which 1006.6(e) forbids. None: not declared.
    opt_out_asks_for_more: bool | None = None
    # What the message says where the law cares (declared by the template).
    claims: tuple[MessageClaim, ...] = ()
    # A dialer call: a live agent is guaranteed when the person answers (Ofcom's 72-hour rule).
    live_agent_guaranteed: bool = False
    # A dialer call: the campaign's abandon figures (the abandon-rate cap).
    campaign: CampaignFigures | None = None


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule_id: str
    message: str
    citation: str
    severity: Severity = Severity.BLOCK


@dataclass(frozen=True, slots=True)
class CapRemaining:
    rule_id: str
    limit: int
    used: int
    remaining: int
    window: str  # e.g. "7d"
    resets_at: datetime | None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    blocking: tuple[RuleResult, ...]
    warnings: tuple[RuleResult, ...]
    earliest_lawful_at: datetime | None
    caps: tuple[CapRemaining, ...]
    jurisdictions: tuple[str, ...]
    time_zones: tuple[str, ...]
    evaluated_rules: tuple[str, ...]
    rule_pack_versions: dict[str, str] = field(default_factory=dict)

    @property
    def blocking_rule_ids(self) -> tuple[str, ...]:
        return tuple(result.rule_id for result in self.blocking)
