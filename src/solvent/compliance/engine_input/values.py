"""One database row to one engine value: contact points, debts, holds, consents, stated times, the ledger.

Contact points are identified by the same strings the ledger stores: the E.164 number, the e-mail
address, ``address:<Address.pk>`` or ``chat:<ChatConversation.pk>``; accounts by ``str(Account.pk)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from solvent.compliance.domain import model
from solvent.compliance.models import Consent, ContactAttempt, DebtNotice, Hold, TimePreference
from solvent.portfolio.models import (
    Account,
    ContactOwner,
    ContactStatus,
    Debtor,
    Email,
    Phone,
)

FLAG_HOLDS: tuple[tuple[str, model.HoldKind], ...] = (
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


ADDRESS_PLACES: dict[str, model.Place] = {
    "home": model.Place.HOME,
    "work": model.Place.WORK,
    "mailing": model.Place.OTHER,
}


# The contract's word for ordinary collection work is "collection"; the engine's is "collect".
_PURPOSE_ALIASES: dict[str, model.Purpose] = {"collection": model.Purpose.COLLECT}


# The channels that reach a telephone number; a consent revoked at one speaks for every automated
# channel there (TCPA: texts are calls; a ringless voicemail is a prerecorded call).
PHONE_CHANNELS = frozenset({"call", "sms", "voicemail"})


# The portfolio's flags carry no date: they are treated as true since long before any contact.
FLAG_SINCE = datetime(2000, 1, 1, tzinfo=UTC)


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


def time_range_value(preference: TimePreference) -> model.TimeRange:
    days = tuple(sorted(set(preference.days))) if preference.days else tuple(range(7))
    return model.TimeRange(
        days=days,
        start=preference.start,
        end=preference.end,
        valid_from=preference.valid_from,
        valid_until=preference.valid_until,
        time_zone=preference.time_zone or None,
    )


def phone_point(phone: Phone) -> model.ContactPoint:
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
        retired=_retired(phone.status),
        reassigned=phone.reassigned_answer == Phone.ReassignedAnswer.YES,
        owner=_OWNER_PARTIES[phone.owner],
    )


def email_point(email: Email) -> model.ContactPoint:
    address = email.address.lower()
    return model.ContactPoint(
        id=address,
        kind=model.ContactPointKind.EMAIL,
        value=address,
        employer_provided=email.employer_provided,
        wrong_number=email.status == ContactStatus.WRONG_NUMBER,
        retired=_retired(email.status),
        owner=_OWNER_PARTIES[email.owner],
    )


def _retired(status: str) -> bool:
    """Any status but valid (and wrong number, which has its own rule) retires the point: a status
    added later is refused until someone says otherwise (fail closed)."""
    return status not in (ContactStatus.VALID, ContactStatus.WRONG_NUMBER)


# The prefix of a point not on file: the number still says where the debtor may be, but the
# proposed contact must not find it under its own id, or the engine would take it for a known
# personal point; unknown, every point rule assumes the worst (not at work, not at home, refused
# media, employer email).
UNKNOWN_POINT_PREFIX = "not-on-file:"


def unknown_point(channel: str, contact_point: str) -> model.ContactPoint:
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


def chat_point(contact_point: str) -> model.ContactPoint:
    """A chat conversation on our page (``chat:<conversation id>``): no address or number of the
    debtor's, so no location signal, no place (home, work) and no owner other than the debtor who
    opened it; whether they did is for the engine to read in the ledger (ADR 0031)."""
    return model.ContactPoint(
        id=contact_point, kind=model.ContactPointKind.CHAT, value=contact_point
    )


def normalise_contact_point(channel: str, contact_point: str) -> str:
    """E-mail addresses compare case-insensitively; numbers and address ids as given."""
    value = contact_point.strip()
    return value.lower() if channel == "email" else value


def notice_dates(accounts: Sequence[Account]) -> dict[tuple[int, str], date]:
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


def debt_values(
    accounts: Sequence[Account], notices: dict[tuple[int, str], date] | None = None
) -> tuple[model.Debt, ...]:
    if notices is None:
        notices = notice_dates(accounts) if accounts else {}
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


def hold_values(debtor: Debtor, rows: Sequence[Hold]) -> tuple[list[model.Hold], list[int]]:
    """``rows``: the debtor's Hold rows with their accounts prefetched."""
    holds = [
        model.Hold(kind=kind, received_at=FLAG_SINCE)
        for flag, kind in FLAG_HOLDS
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


def consent_values(rows: Sequence[Consent]) -> tuple[tuple[model.Consent, ...], list[int]]:
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


def preference_values(
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
            target.append(time_range_value(row))
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
