"""From the database to the engine: the debtor's situation, ledger and proposed contact as value objects.

The engine (``compliance.domain``) knows nothing of Django; this module reads the portfolio (addresses,
phones, e-mails, accounts, the debtor's flags) and the compliance records (holds, consents, stated
times, the ContactAttempt ledger) and builds ``DebtorProfile``, ``HistoryEvent`` and
``ProposedContact`` values. Contact points are identified by the same strings the ledger stores: the
E.164 number, the e-mail address, or ``address:<Address.pk>``; accounts by ``str(Account.pk)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from solvent.compliance.domain import model
from solvent.compliance.models import Consent, ContactAttempt, DebtNotice, Hold, TimePreference
from solvent.portfolio.models import (
    Account,
    Address,
    ContactOwner,
    ContactStatus,
    Debtor,
    Email,
    Phone,
)

# How far back (and forward, for reservations made for later) the ledger is read. Longer than any
# cap or cool-down window in the rule packs (the longest is a calendar month).
LEDGER_WINDOW = timedelta(days=62)

# The portfolio's flags carry no date: they are treated as true since long before any contact.
FLAG_SINCE = datetime(2000, 1, 1, tzinfo=UTC)

_FLAG_HOLDS: tuple[tuple[str, model.HoldKind], ...] = (
    ("cease_communication", model.HoldKind.CEASE),
    ("attorney_represented", model.HoldKind.ATTORNEY),
    ("in_bankruptcy", model.HoldKind.BANKRUPTCY),
    ("is_deceased", model.HoldKind.DECEASED),
)

_CONSENT_KINDS: dict[str, model.ConsentKind] = {
    Consent.Scope.AUTODIALLED: model.ConsentKind.TCPA_PRIOR_EXPRESS,
    Consent.Scope.ELECTRONIC: model.ConsentKind.ELECTRONIC,
    Consent.Scope.ADDITIONAL_CALLS: model.ConsentKind.ADDITIONAL_CALLS,
    Consent.Scope.ATTORNEY_DIRECT_CONTACT: model.ConsentKind.ATTORNEY_DIRECT_CONTACT,
}

_PLACE_HOLDS: dict[str, model.HoldKind] = {
    TimePreference.Kind.NOT_AT_WORK: model.HoldKind.NOT_AT_WORK,
    TimePreference.Kind.NOT_AT_HOME: model.HoldKind.NOT_AT_HOME,
}

_PHONE_PLACES: dict[str, model.Place] = {
    Phone.Kind.HOME: model.Place.HOME,
    Phone.Kind.WORK: model.Place.WORK,
    Phone.Kind.MOBILE: model.Place.PERSONAL,
    Phone.Kind.OTHER: model.Place.OTHER,
}

# Whose the contact point is; an employer's switchboard is a third party's (1692c(b)).
_OWNER_PARTIES: dict[str, model.Party] = {
    ContactOwner.DEBTOR: model.Party.CONSUMER,
    ContactOwner.THIRD_PARTY: model.Party.THIRD_PARTY,
    ContactOwner.EMPLOYER: model.Party.THIRD_PARTY,
    ContactOwner.ATTORNEY: model.Party.ATTORNEY,
}

# Only a debt still in collection may be collected: active, a promise or a plan under way, a
# dispute (the dispute hold decides) and a debt in litigation. The rest end collection contact.
_DEBT_STATUSES: dict[str, model.DebtStatus] = {
    Account.Status.SETTLED: model.DebtStatus.SETTLED,
    Account.Status.PAID: model.DebtStatus.PAID,
    Account.Status.RECALLED: model.DebtStatus.RECALLED,
    Account.Status.CLOSED: model.DebtStatus.CLOSED,
}

_ADDRESS_PLACES: dict[str, model.Place] = {
    "home": model.Place.HOME,
    "work": model.Place.WORK,
    "mailing": model.Place.OTHER,
}

# The contract's word for ordinary collection work is "collection"; the engine's is "collect".
_PURPOSE_ALIASES: dict[str, model.Purpose] = {"collection": model.Purpose.COLLECT}

PHONE_CHANNELS = frozenset({"call", "sms", "voicemail"})


@dataclass(frozen=True)
class Situation:
    """Everything one decision needs, plus a summary of it for the decision log."""

    profile: model.DebtorProfile
    history: tuple[model.HistoryEvent, ...]
    proposals: tuple[model.ProposedContact, ...]  # one per account (or one with no account)
    inputs: dict[str, Any]


def purpose_parse(purpose: str) -> model.Purpose:
    """The engine's purpose for a contract purpose; ValueError when unknown."""
    return _PURPOSE_ALIASES.get(purpose) or model.Purpose(purpose)


def history_outcome(attempt: ContactAttempt) -> model.Outcome:
    """The outcome the engine counts for a ledger row.

    A reservation without an outcome yet counts as made: a call as unanswered, a message as sent. A
    provider failure still counts as an attempt (the act to communicate happened): a failed call as
    unanswered, a failed message as bounced.
    """
    phone = attempt.channel in ("call", "voicemail")
    if not attempt.outcome:
        return model.Outcome.NO_ANSWER if phone else model.Outcome.SENT
    if attempt.outcome == ContactAttempt.Outcome.FAILED:
        return model.Outcome.NO_ANSWER if phone else model.Outcome.BOUNCED
    return model.Outcome(attempt.outcome)


def _time_range(preference: TimePreference) -> model.TimeRange:
    days = tuple(sorted(set(preference.days))) if preference.days else tuple(range(7))
    return model.TimeRange(
        days=days,
        start=preference.start,
        end=preference.end,
        valid_from=preference.valid_from,
        valid_until=preference.valid_until,
        time_zone=preference.time_zone or None,
    )


def _phone_point(phone: Phone) -> model.ContactPoint:
    # Only a number known to be a landline is one: TCPA protects cell phones, so an unknown or VoIP
    # line is treated as mobile (the stricter reading).
    kind = (
        model.ContactPointKind.LANDLINE
        if phone.line_type == Phone.LineType.LANDLINE
        else model.ContactPointKind.MOBILE
    )
    return model.ContactPoint(
        id=phone.e164,
        kind=kind,
        value=phone.e164,
        place=_PHONE_PLACES.get(phone.kind, model.Place.OTHER),
        wrong_number=phone.status == ContactStatus.WRONG_NUMBER,
        reassigned=phone.reassigned_answer == Phone.ReassignedAnswer.YES,
        owner=_OWNER_PARTIES[phone.owner],
    )


def _email_point(email: Email) -> model.ContactPoint:
    address = email.address.lower()
    return model.ContactPoint(
        id=address,
        kind=model.ContactPointKind.EMAIL,
        value=address,
        employer_provided=email.employer_provided,
        wrong_number=email.status == ContactStatus.WRONG_NUMBER,
        owner=_OWNER_PARTIES[email.owner],
    )


# The prefix of a point not on file: the number still says where the debtor may be, but the
# proposed contact must not find it under its own id, or the engine would take it for a known
# personal point; unknown, every point rule assumes the worst (not at work, not at home, refused
# media, employer email).
UNKNOWN_POINT_PREFIX = "not-on-file:"


def _unknown_point(channel: str, contact_point: str) -> model.ContactPoint:
    """A contact point not on file: only a signal of where the debtor may be."""
    if channel == "email":
        kind = model.ContactPointKind.EMAIL
    elif channel == "letter":
        kind = model.ContactPointKind.POSTAL
    else:
        kind = model.ContactPointKind.MOBILE
    return model.ContactPoint(
        id=UNKNOWN_POINT_PREFIX + contact_point, kind=kind, value=contact_point
    )


def normalise_contact_point(channel: str, contact_point: str) -> str:
    """E-mail addresses compare case-insensitively; numbers and address ids as given."""
    value = contact_point.strip()
    return value.lower() if channel == "email" else value


def debtor_accounts(*, debtor: Debtor) -> list[Account]:
    """Every account the debtor owes on (as primary or co-signer), oldest first."""
    return list(Account.objects.filter(account_debtors__debtor=debtor).order_by("pk"))


def _notice_dates(accounts: Sequence[Account]) -> dict[tuple[int, str], date]:
    """The latest notice of each kind per account: a re-sent notice restarts the wait."""
    notices = DebtNotice.objects.filter(account__in=accounts).values_list(
        "account_id", "kind", "sent_on"
    )
    return latest_notices(notices)


def latest_notices(notices: Iterable[tuple[int, str, date]]) -> dict[tuple[int, str], date]:
    """(account id, kind, sent on) rows -> the latest date per account and kind."""
    latest: dict[tuple[int, str], date] = {}
    for account_id, kind, sent_on in notices:
        key = (account_id, kind)
        if key not in latest or sent_on > latest[key]:
            latest[key] = sent_on
    return latest


def _debts(
    accounts: Sequence[Account], notices: dict[tuple[int, str], date] | None = None
) -> tuple[model.Debt, ...]:
    if notices is None:
        notices = _notice_dates(accounts) if accounts else {}
    validation = DebtNotice.Kind.VALIDATION_NOTICE
    ontario = DebtNotice.Kind.ONTARIO_NOTICE
    return tuple(
        model.Debt(
            id=str(account.pk),
            kind=account.product,
            balance=account.balance,
            currency=account.currency,
            student_loan_account=account.account_number
            if account.product == Account.Product.STUDENT_LOAN
            else None,
            validation_notice_sent_on=notices.get((account.pk, validation)),
            ontario_notice_sent_on=notices.get((account.pk, ontario)),
            status=_DEBT_STATUSES.get(account.status, model.DebtStatus.ACTIVE),
        )
        for account in accounts
    )


def _holds(debtor: Debtor, rows: Sequence[Hold]) -> tuple[list[model.Hold], list[int]]:
    """``rows``: the debtor's Hold rows with their accounts prefetched."""
    holds = [
        model.Hold(kind=kind, received_at=FLAG_SINCE)
        for flag, kind in _FLAG_HOLDS
        if getattr(debtor, flag)
    ]
    holds.extend(
        model.Hold(
            kind=model.HoldKind(row.kind),
            received_at=row.placed_at,
            debt_ids=tuple(sorted(str(account.pk) for account in row.accounts.all())),
            contact_point_id=row.contact_point or None,
            channels=tuple(model.Channel(channel) for channel in row.channels),
            released_at=row.released_at,
        )
        for row in rows
    )
    return holds, [row.pk for row in rows if row.released_at is None]


def _consents(rows: Sequence[Consent]) -> tuple[tuple[model.Consent, ...], list[int]]:
    """``rows``: the debtor's Consent rows with their accounts prefetched.

    A row is one channel at one point about its accounts (none: every debt, see ADR 0009); the
    engine applies a revocation at a number to every automated channel there.
    """
    consents = tuple(
        model.Consent(
            kind=_CONSENT_KINDS[row.scope],
            given_at=row.given_at,
            contact_point_id=row.contact_point,
            debt_ids=tuple(sorted(str(account.pk) for account in row.accounts.all())),
            channels=(model.Channel(row.channel),),
            revoked_at=row.revoked_at,
            expires_at=row.expires_at,
        )
        for row in rows
    )
    return consents, [row.pk for row in rows if row.revoked_at is None]


def _preferences(
    rows: Sequence[TimePreference], at: datetime
) -> tuple[list[model.TimeRange], list[model.TimeRange], list[model.Hold], list[int]]:
    inconvenient: list[model.TimeRange] = []
    convenient: list[model.TimeRange] = []
    holds: list[model.Hold] = []
    used: list[int] = []
    for row in rows:
        if row.kind in _PLACE_HOLDS:
            hold = model.Hold(_PLACE_HOLDS[row.kind], row.stated_at, released_at=row.withdrawn_at)
            holds.append(hold)
        elif row.stated_at <= at and (row.withdrawn_at is None or row.withdrawn_at > at):
            target = inconvenient if row.kind == TimePreference.Kind.INCONVENIENT else convenient
            target.append(_time_range(row))
        else:
            continue
        used.append(row.pk)
    return inconvenient, convenient, holds, used


def history_events(attempts: Iterable[ContactAttempt]) -> tuple[model.HistoryEvent, ...]:
    """Ledger rows (accounts prefetched, ordered by at and pk) as the engine's history.

    Inbound rows (the consumer called or wrote) keep their direction: the engine decides what each
    counts for (a telephone conversation starts the 7-day wait whoever called; caps on calls
    placed count only outbound ones)."""
    return tuple(
        model.HistoryEvent(
            at=attempt.at,
            channel=model.Channel(attempt.channel),
            direction=model.Direction(attempt.direction),
            outcome=history_outcome(attempt),
            debt_ids=tuple(sorted(str(account.pk) for account in attempt.accounts.all())),
            contact_point_id=attempt.contact_point,
        )
        for attempt in attempts
    )


def _history(debtor: Debtor, at: datetime) -> tuple[model.HistoryEvent, ...]:
    attempts = (
        ContactAttempt.objects.filter(
            debtor=debtor, at__gte=at - LEDGER_WINDOW, at__lte=at + LEDGER_WINDOW
        )
        .exclude(status=ContactAttempt.Status.CANCELLED)
        .prefetch_related("accounts")
        .order_by("at", "pk")
    )
    return history_events(attempts)


@dataclass(frozen=True)
class DebtorRows:
    """The database rows one debtor's facts are built from (each list in primary-key order)."""

    addresses: Sequence[Address]
    phones: Sequence[Phone]
    emails: Sequence[Email]
    holds: Sequence[Hold]  # accounts prefetched
    consents: Sequence[Consent]  # accounts prefetched
    preferences: Sequence[TimePreference]
    notices: dict[tuple[int, str], date]


def _debtor_rows(debtor: Debtor, owed: Sequence[Account]) -> DebtorRows:
    return DebtorRows(
        addresses=list(debtor.addresses.all().order_by("pk")),
        phones=list(debtor.phones.all().order_by("pk")),
        emails=list(debtor.emails.all().order_by("pk")),
        holds=list(Hold.objects.filter(debtor=debtor).prefetch_related("accounts")),
        consents=list(
            Consent.objects.filter(debtor=debtor).order_by("pk").prefetch_related("accounts")
        ),
        preferences=list(TimePreference.objects.filter(debtor=debtor).order_by("pk")),
        notices=_notice_dates(owed) if owed else {},
    )


@dataclass(frozen=True)
class DebtorFacts:
    """What the database says about one debtor at one moment, before any contact is proposed."""

    profile: model.DebtorProfile
    history: tuple[model.HistoryEvent, ...]
    inputs: dict[str, Any]


def _learned_wrong(history: Sequence[model.HistoryEvent], at: datetime) -> set[str]:
    """Numbers whose latest outcome before ``at`` was "wrong number", even if the portfolio's phone
    status was not updated: the number says nothing about where the debtor is (comment
    14(b)(2)(i)-3), so it must not add a time zone or a jurisdiction."""
    latest: dict[str, model.Outcome] = {}
    for event in history:  # ordered by time
        if event.contact_point_id and event.at <= at:
            latest[event.contact_point_id] = event.outcome
    return {point for point, outcome in latest.items() if outcome is model.Outcome.WRONG_NUMBER}


def debtor_facts_read(*, debtor: Debtor, owed: Sequence[Account], at: datetime) -> DebtorFacts:
    """Read everything the engine needs about ``debtor`` at ``at`` (``owed``: ``debtor_accounts``)."""
    return debtor_facts_build(
        debtor=debtor,
        owed=owed,
        at=at,
        rows=_debtor_rows(debtor, owed),
        history=_history(debtor, at),
    )


def debtor_facts_build(
    *,
    debtor: Debtor,
    owed: Sequence[Account],
    at: datetime,
    rows: DebtorRows,
    history: tuple[model.HistoryEvent, ...],
) -> DebtorFacts:
    """The facts from rows already read (``history``: the ledger within LEDGER_WINDOW of ``at``).

    Shared by the gate (from its batched reads) and ``debtor_facts_read`` (the contact options
    and ``situation_build``), so both decide alike.
    """
    addresses = rows.addresses
    points: dict[str, model.ContactPoint] = {}
    for phone in rows.phones:
        points.setdefault(phone.e164, _phone_point(phone))
    for email in rows.emails:
        points.setdefault(email.address.lower(), _email_point(email))
    for postal in addresses:
        point_id = f"address:{postal.pk}"
        place = _ADDRESS_PLACES.get(postal.kind, model.Place.OTHER)
        points[point_id] = model.ContactPoint(
            point_id, model.ContactPointKind.POSTAL, point_id, place=place
        )
    for point_id in _learned_wrong(history, at):
        if point_id in points:
            points[point_id] = replace(points[point_id], wrong_number=True)
    holds, open_hold_ids = _holds(debtor, rows.holds)
    consents, consent_ids = _consents(rows.consents)
    inconvenient, convenient, place_holds, preference_ids = _preferences(rows.preferences, at)
    profile = model.DebtorProfile(
        addresses=tuple(
            model.Address(
                id=f"address:{postal.pk}",
                country=postal.country.upper(),
                region=postal.region.upper() or None,
                city=postal.city or None,
                postal_code=postal.postal_code or None,
                place=_ADDRESS_PLACES.get(postal.kind, model.Place.OTHER),
            )
            for postal in addresses
            if postal.is_current
        ),
        contact_points=tuple(points.values()),
        holds=tuple(holds + place_holds),
        consents=consents,
        inconvenient_times=tuple(inconvenient),
        convenient_times=tuple(convenient),
        debts=_debts(owed, rows.notices),
    )
    inputs = {
        "flags": [flag for flag, _ in _FLAG_HOLDS if getattr(debtor, flag)],
        "open_hold_ids": open_hold_ids,
        "active_consent_ids": consent_ids,
        "time_preference_ids": preference_ids,
        "addresses": [f"address:{postal.pk}" for postal in addresses if postal.is_current],
        "contact_points": len(points),
        "debts": [debt.id for debt in profile.debts],
        "ledger_events": len(history),
        "ledger_window_days": LEDGER_WINDOW.days,
    }
    return DebtorFacts(profile=profile, history=history, inputs=inputs)


@dataclass(frozen=True)
class ProposalFacts:
    """Facts about a proposed contact that only its caller knows (defaults: nothing declared)."""

    live_agent_guaranteed: bool = False  # a dialer call: Ofcom's 72 hours after an abandoned call
    campaign: model.CampaignFigures | None = None  # a dialer call: the abandon-rate figures
    claims: tuple[model.MessageClaim, ...] = ()  # what a message says where the law cares
    opt_out_asks_for_more: bool | None = None  # an electronic message's opt-out (1006.6(e))

    def as_json(self) -> dict[str, Any]:
        """For the decision log's inputs."""
        return {
            "live_agent_guaranteed": self.live_agent_guaranteed,
            "campaign": asdict(self.campaign) if self.campaign is not None else None,
            "claims": [str(claim) for claim in self.claims],
            "opt_out_asks_for_more": self.opt_out_asks_for_more,
        }


def situation_for(
    facts: DebtorFacts,
    *,
    channel: str,
    contact_point: str,
    account_ids: Sequence[int],
    at: datetime,
    autodialled: bool = False,
    prerecorded: bool = False,
    purpose: model.Purpose = model.Purpose.COLLECT,
    declared: ProposalFacts | None = None,
) -> Situation:
    """The facts plus one proposed contact (one proposal per account, or one about no account).

    ``declared``: what the caller knows of the contact itself (a dialer's campaign figures, what a
    message says); the engine denies what it needs and was not told (fail closed).
    """
    declared = declared or ProposalFacts()
    profile = facts.profile
    if profile.contact_point(contact_point) is None:
        unknown = _unknown_point(channel, contact_point)
        profile = replace(profile, contact_points=(*profile.contact_points, unknown))
    debt_ids: Sequence[str | None] = [str(pk) for pk in account_ids] or [None]
    proposals = tuple(
        model.ProposedContact(
            at=at,
            channel=model.Channel(channel),
            debt_id=debt_id,
            contact_point_id=contact_point,
            autodialled=autodialled,
            prerecorded=prerecorded,
            purpose=purpose,
            live_agent_guaranteed=declared.live_agent_guaranteed,
            campaign=declared.campaign,
            claims=declared.claims,
            opt_out_asks_for_more=declared.opt_out_asks_for_more,
        )
        for debt_id in debt_ids
    )
    inputs = {**facts.inputs, "contact_points": len(profile.contact_points)}
    if declared != ProposalFacts():
        inputs["declared"] = declared.as_json()
    return Situation(profile=profile, history=facts.history, proposals=proposals, inputs=inputs)


def situation_build(
    *,
    debtor: Debtor,
    owed: Sequence[Account],
    channel: str,
    contact_point: str,
    account_ids: Sequence[int],
    at: datetime,
    autodialled: bool,
    prerecorded: bool,
    purpose: model.Purpose,
) -> Situation:
    """Read the debtor's facts and propose one contact: what the gate decides on for this contact
    (the gate reads the same rows in its batched form)."""
    facts = debtor_facts_read(debtor=debtor, owed=owed, at=at)
    return situation_for(
        facts,
        channel=channel,
        contact_point=contact_point,
        account_ids=account_ids,
        at=at,
        autodialled=autodialled,
        prerecorded=prerecorded,
        purpose=purpose,
    )
