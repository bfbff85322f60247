"""A debtor's facts read from the database and built into the engine's situation for one contact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from solvent.compliance.domain import model
from solvent.compliance.domain.chat import is_chat_point
from solvent.compliance.engine_input.values import (
    ADDRESS_PLACES,
    FLAG_HOLDS,
    chat_point,
    consent_values,
    debt_values,
    email_point,
    history_events,
    hold_values,
    notice_dates,
    phone_point,
    preference_values,
    unknown_point,
)
from solvent.compliance.models import Consent, ContactAttempt, Hold, TimePreference
from solvent.portfolio.models import (
    Account,
    Address,
    Debtor,
    Email,
    Phone,
)

# How far back (and forward, for reservations made for later) the ledger is read. Longer than any
# cap or cool-down window in the rule packs (the longest is a calendar month).
LEDGER_WINDOW = timedelta(days=62)


@dataclass(frozen=True)
class Situation:
    """Everything one decision needs, plus a summary of it for the decision log."""

    profile: model.DebtorProfile
    history: tuple[model.HistoryEvent, ...]
    proposals: tuple[model.ProposedContact, ...]  # one per account (or one with no account)
    inputs: dict[str, Any]


def debtor_accounts(*, debtor: Debtor) -> list[Account]:
    """Every account the debtor owes on (as primary or co-signer), oldest first."""
    return list(Account.objects.filter(account_debtors__debtor=debtor).order_by("pk"))


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
        holds=list(Hold.objects.filter(debtor=debtor).order_by("pk").prefetch_related("accounts")),
        consents=list(
            Consent.objects.filter(debtor=debtor).order_by("pk").prefetch_related("accounts")
        ),
        preferences=list(TimePreference.objects.filter(debtor=debtor).order_by("pk")),
        notices=notice_dates(owed) if owed else {},
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
        points.setdefault(phone.e164, phone_point(phone))
    for email in rows.emails:
        points.setdefault(email.address.lower(), email_point(email))
    for postal in addresses:
        point_id = f"address:{postal.pk}"
        place = ADDRESS_PLACES.get(postal.kind, model.Place.OTHER)
        points[point_id] = model.ContactPoint(
            point_id, model.ContactPointKind.POSTAL, point_id, place=place
        )
    for point_id in _learned_wrong(history, at):
        if point_id in points:
            points[point_id] = replace(points[point_id], wrong_number=True)
    holds, open_hold_ids = hold_values(debtor, rows.holds)
    consents, consent_ids = consent_values(rows.consents)
    inconvenient, convenient, place_holds, preference_ids = preference_values(rows.preferences, at)
    profile = model.DebtorProfile(
        addresses=tuple(
            model.Address(
                id=f"address:{postal.pk}",
                country=postal.country.upper(),
                region=postal.region.upper() or None,
                city=postal.city or None,
                postal_code=postal.postal_code or None,
                place=ADDRESS_PLACES.get(postal.kind, model.Place.OTHER),
            )
            for postal in addresses
            if postal.is_current
        ),
        contact_points=tuple(points.values()),
        holds=tuple(holds + place_holds),
        consents=consents,
        inconvenient_times=tuple(inconvenient),
        convenient_times=tuple(convenient),
        debts=debt_values(owed, rows.notices),
    )
    inputs = {
        "flags": [flag for flag, _ in FLAG_HOLDS if getattr(debtor, flag)],
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
        unknown = (
            chat_point(contact_point)
            if channel == model.Channel.CHAT and is_chat_point(contact_point)
            else unknown_point(channel, contact_point)
        )
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
