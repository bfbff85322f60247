"""The batch compliance path for a planning day: for many candidate contacts at once, when each is
lawful on the day (UTC windows), and if never, which rule stops it and until when.

The daily plan (``solvent.strategy``) calls ``contacts_eligibility_for_day``; the execution still
passes the gate (the outbox's sender, the dialer at dial time, an agent's click), so a fact that
changes after planning (a STOP at noon) still stops the contact. The reads are the rows the gate
reads (``gate_reads_load``), read as plain rows instead of model instances (``_planning_reads``: a
fixed number of queries per chunk, no locks: planning reserves nothing; a test proves the answers
equal); the answers are the pure batch engine's (``eligibility.batch_eligibility``, proven equal
to ``decide()`` at every moment of the day), and a blocked contact's reasons and earliest lawful
moment are ``decide()``'s own. See docs/strategy.md and docs/strategy-performance.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl

from solvent.compliance.domain import model
from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.jurisdictions import resolve
from solvent.compliance.eligibility.evaluate import batch_eligibility
from solvent.compliance.eligibility.frames import CHANNEL, BatchInput, events_schema
from solvent.compliance.eligibility.profiles import (
    BatchOptions,
    ProfileRegistry,
    Target,
    day_bounds,
    proposed_for,
    target_profiles,
)
from solvent.compliance.engine_input import (
    LEDGER_WINDOW,
    DebtorRows,
    debtor_facts_build,
    history_outcome,
    latest_notices,
)
from solvent.compliance.models import Consent, ContactAttempt, DebtNotice, Hold, TimePreference
from solvent.portfolio.models import (
    AccountDebtor,
    Address,
    ContactOwner,
    ContactStatus,
    Debtor,
    Email,
    Phone,
)

# Channels the plan proposes, as the engine names them.
PLAN_CHANNELS = {
    "call": model.Channel.CALL,
    "sms": model.Channel.SMS,
    "email": model.Channel.EMAIL,
    "letter": model.Channel.LETTER,
}

Reason = tuple[str, str, str]  # (rule_id, message, citation)


@dataclass(frozen=True)
class PlanTarget:
    """One candidate contact: ``key`` is the caller's (the plan uses the account id)."""

    key: Hashable
    debtor_id: int
    account_id: int
    channel: str  # a key of PLAN_CHANNELS


@dataclass(frozen=True)
class DayEligibility:
    """The engine's answer about one candidate for the day."""

    contact_point: str  # the point chosen for the channel; "" when the debtor has none
    zone: str | None  # the debtor's counting zone (its first candidate zone); None when unknown
    windows: tuple[tuple[datetime, datetime], ...]  # UTC, half-open: lawful exactly inside
    blocking: tuple[Reason, ...]  # when no window: why (decide() at the start of the day)
    earliest_lawful_at: datetime | None  # when no window: the next lawful moment (None: never)

    @property
    def allowed_today(self) -> bool:
        return bool(self.windows)


def _phone_order(phone: Phone) -> tuple[int, int]:
    mobile = phone.line_type == Phone.LineType.MOBILE or phone.kind == Phone.Kind.MOBILE
    return (0 if mobile else 1, phone.pk)


def _usable_phone(phone: Phone) -> bool:
    return phone.status == ContactStatus.VALID and phone.owner == ContactOwner.DEBTOR


def contact_point_for(
    channel: str, phones: Sequence[Phone], emails: Sequence[Email], addresses: Sequence[Address]
) -> str:
    """The debtor's point the plan uses for ``channel`` ("" when none): the debtor's own, valid one;
    a mobile first for calls and only a mobile for texts; the current address for letters."""
    if channel in ("call", "sms"):
        usable = sorted((p for p in phones if _usable_phone(p)), key=_phone_order)
        if channel == "sms":
            usable = [p for p in usable if _phone_order(p)[0] == 0]
        return usable[0].e164 if usable else ""
    if channel == "email":
        for email in sorted(emails, key=lambda item: item.pk):
            owned = email.status == ContactStatus.VALID and email.owner == ContactOwner.DEBTOR
            if owned and not email.employer_provided:
                return email.address.lower()
        return ""
    current = [a for a in sorted(addresses, key=lambda item: item.pk) if a.is_current]
    return f"address:{current[0].pk}" if current else ""


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def contacts_eligibility_for_day(
    *, targets: Sequence[PlanTarget], day: date, chunk: int = 2000
) -> dict[Hashable, DayEligibility]:
    """When each target is lawful on ``day`` (the local date in the debtor's counting zone).

    Fails closed: an unknown debtor, no contact point, or no known zone gives no window.
    """
    by_debtor: dict[int, list[PlanTarget]] = {}
    for target in targets:
        by_debtor.setdefault(target.debtor_id, []).append(target)
    answers: dict[Hashable, DayEligibility] = {}
    for debtor_ids in _chunks(sorted(by_debtor), chunk):
        answers |= _chunk_eligibility({pk: by_debtor[pk] for pk in debtor_ids}, day)
    return answers


@dataclass(frozen=True, slots=True)
class _OwedAccount:
    """The fields of an account ``debt_values`` reads (a model instance costs ten times more)."""

    pk: int
    product: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    currency: str
    account_number: str
    status: str

    @property
    def balance(self) -> Decimal:
        return Decimal(self.principal + self.interest + self.fees)


@dataclass
class _PlanningReads:
    """The rows of one chunk of debtors, grouped by debtor: what the gate reads (``gate_reads``),
    read as plain rows with the same attribute names instead of model instances."""

    debtors: dict[int, Any]
    owed: dict[int, list[Any]]
    rows: dict[int, DebtorRows]
    ledger: dict[int, list[model.HistoryEvent]]


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.debtor_id].append(row)
    return grouped


def _planning_reads(debtor_ids: list[int], start: datetime, end: datetime) -> _PlanningReads:
    """Everything about the debtors the engine reads, the ledger within start..end; no locks
    (planning reserves nothing). Holds, consents and stated times (few) stay model instances."""
    ids = {"debtor_id__in": debtor_ids}
    flags = ("cease_communication", "attorney_represented", "in_bankruptcy", "is_deceased")
    debtors = {
        row.pk: row
        for row in Debtor.objects.filter(pk__in=debtor_ids).values_list("pk", *flags, named=True)
    }
    owed: dict[int, list[Any]] = defaultdict(list)
    links = (
        AccountDebtor.objects.filter(**ids)
        .order_by("account_id", "debtor_id")
        .values_list(
            "debtor_id",
            "account_id",
            "account__product",
            "account__principal",
            "account__interest",
            "account__fees",
            "account__currency",
            "account__account_number",
            "account__status",
        )
    )
    for debtor_id, *account in links:
        owed[debtor_id].append(_OwedAccount(*account))
    account_ids = sorted({account.pk for debts in owed.values() for account in debts})
    notices = (
        latest_notices(
            DebtNotice.objects.filter(account_id__in=account_ids).values_list(
                "account_id", "kind", "sent_on"
            )
        )
        if account_ids
        else {}
    )
    addresses = _grouped(
        Address.objects.filter(**ids)
        .order_by("pk")
        .values_list(
            "pk",
            "debtor_id",
            "kind",
            "country",
            "region",
            "city",
            "postal_code",
            "is_current",
            named=True,
        )
    )
    phones = _grouped(
        Phone.objects.filter(**ids)
        .order_by("pk")
        .values_list(
            "pk",
            "debtor_id",
            "e164",
            "kind",
            "line_type",
            "status",
            "owner",
            "reassigned_answer",
            named=True,
        )
    )
    emails = _grouped(
        Email.objects.filter(**ids)
        .order_by("pk")
        .values_list(
            "pk", "debtor_id", "address", "status", "owner", "employer_provided", named=True
        )
    )
    holds = _grouped(Hold.objects.filter(**ids).order_by("pk").prefetch_related("accounts"))
    consents = _grouped(Consent.objects.filter(**ids).order_by("pk").prefetch_related("accounts"))
    preferences = _grouped(TimePreference.objects.filter(**ids).order_by("pk"))
    rows = {
        pk: DebtorRows(
            addresses=addresses.get(pk, []),
            phones=phones.get(pk, []),
            emails=emails.get(pk, []),
            holds=holds.get(pk, []),
            consents=consents.get(pk, []),
            preferences=preferences.get(pk, []),
            notices=notices,  # keyed by account: each debtor looks up only its own
        )
        for pk in debtor_ids
    }
    return _PlanningReads(debtors, dict(owed), rows, _ledger(debtor_ids, start, end))


def _ledger(
    debtor_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[model.HistoryEvent]]:
    """The debtors' ledger rows within start..end as the engine's events (``history_events``
    from plain rows), in (at, pk) order."""
    attempts = ContactAttempt.objects.filter(
        debtor_id__in=debtor_ids, at__gte=start, at__lte=end
    ).exclude(status=ContactAttempt.Status.CANCELLED)
    links = ContactAttempt.accounts.through.objects.filter(
        contactattempt__debtor_id__in=debtor_ids,
        contactattempt__at__gte=start,
        contactattempt__at__lte=end,
    ).values_list("contactattempt_id", "account_id")
    accounts: dict[int, list[int]] = defaultdict(list)
    for attempt_id, account_id in links.iterator(chunk_size=20_000):
        accounts[attempt_id].append(account_id)
    ledger: dict[int, list[model.HistoryEvent]] = defaultdict(list)
    rows = attempts.order_by("at", "pk").values_list(
        "pk", "debtor_id", "at", "channel", "direction", "outcome", "contact_point", named=True
    )
    for row in rows.iterator(chunk_size=20_000):
        ledger[row.debtor_id].append(
            model.HistoryEvent(
                at=row.at,
                channel=model.Channel(row.channel),
                direction=model.Direction(row.direction),
                outcome=history_outcome(row),  # type: ignore[arg-type]
                debt_ids=tuple(str(pk) for pk in sorted(accounts.get(row.pk, ()))),
                contact_point_id=row.contact_point,
            )
        )
    return ledger


def _chunk_eligibility(
    by_debtor: dict[int, list[PlanTarget]], day: date
) -> dict[Hashable, DayEligibility]:
    # The ledger up to the latest start of the day in any zone (UTC-12 starts 12 h after UTC);
    # each debtor keeps only what came before its own day started.
    day_start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    reads = _planning_reads(
        list(by_debtor), day_start - LEDGER_WINDOW, day_start + timedelta(hours=14)
    )
    debtors = reads.debtors
    answers: dict[Hashable, DayEligibility] = {}
    situations: dict[Hashable, model.DebtorProfile] = {}
    histories: dict[Hashable, tuple[model.HistoryEvent, ...]] = {}
    engine_targets: list[tuple[PlanTarget, Target, str]] = []
    zones: dict[int, str | None] = {}
    for debtor_id, wanted in by_debtor.items():
        debtor = debtors.get(debtor_id)
        if debtor is None:
            for target in wanted:
                answers[target.key] = _refused("", None, "solvent.debtor.unknown", "no such debtor")
            continue
        rows = reads.rows[debtor_id]
        zone_start = day_bounds(None, day)[0]
        facts = debtor_facts_build(
            debtor=debtor,
            owed=reads.owed.get(debtor_id, []),
            at=zone_start,
            rows=rows,
            history=(),
        )
        resolution = resolve(facts.profile)
        zone = resolution.time_zones[0] if resolution.time_zones else None
        zones[debtor_id] = zone
        local_start = day_bounds(zone, day)[0]
        history = tuple(
            event for event in reads.ledger.get(debtor_id, []) if event.at < local_start
        )
        if history or local_start != zone_start:
            facts = debtor_facts_build(
                debtor=debtor,
                owed=reads.owed.get(debtor_id, []),
                at=local_start,
                rows=rows,
                history=history,
            )
        situations[debtor_id] = facts.profile
        histories[debtor_id] = history
        for target in wanted:
            point = contact_point_for(target.channel, rows.phones, rows.emails, rows.addresses)
            if not point:
                answers[target.key] = _refused(
                    "", zone, "solvent.contact_point.none", f"no usable {target.channel} contact"
                )
                continue
            engine_target = Target(
                debtor_id, str(target.account_id), PLAN_CHANNELS[target.channel], point
            )
            engine_targets.append((target, engine_target, point))
    if engine_targets:
        batch = _batch_build(situations, histories, [item[1] for item in engine_targets], day)
        frame = batch_eligibility(batch, day)
        for (target, engine_target, point), row in zip(
            engine_targets, frame.iter_rows(named=True), strict=True
        ):
            windows = tuple((w["start"], w["end"]) for w in row["windows"] or [])
            zone = zones[target.debtor_id]
            if windows:
                answers[target.key] = DayEligibility(point, zone, windows, (), None)
                continue
            answers[target.key] = _blocked(
                situations[target.debtor_id],
                histories[target.debtor_id],
                engine_target,
                point,
                zone,
                day,
            )
    return answers


def _batch_build(
    situations: dict[Hashable, model.DebtorProfile],
    histories: dict[Hashable, tuple[model.HistoryEvent, ...]],
    targets: list[Target],
    day: date,
) -> BatchInput:
    """``frames.batch_input`` for integer debtor ids, built by columns instead of one dict per
    row, with each debtor's profiles made together (``target_profiles``)."""
    options = BatchOptions()
    registry = ProfileRegistry()
    by_debtor: dict[Hashable, list[int]] = defaultdict(list)
    for index, target in enumerate(targets):
        by_debtor[target.debtor_id].append(index)
    profile_ids = [0] * len(targets)
    for debtor_id, indexes in by_debtor.items():
        wanted = [targets[index] for index in indexes]
        made = target_profiles(
            situations[debtor_id], histories.get(debtor_id, ()), wanted, day, options
        )
        for index, profile in zip(indexes, made, strict=True):
            profile_ids[index] = registry.intern(profile)
    debt_keys = []
    for target in targets:
        debt = situations[target.debtor_id].debt(target.debt_id)
        debt_keys.append(debt.counting_key if debt is not None else target.debt_id)
    target_frame = pl.DataFrame(
        {
            "debtor_id": [target.debtor_id for target in targets],
            "debt_id": [target.debt_id for target in targets],
            "debt_key": debt_keys,
            "channel": [target.channel.value for target in targets],
            "contact_point_id": [target.contact_point_id for target in targets],
            "profile_id": profile_ids,
        },
        schema={
            "debtor_id": pl.Int64(),
            "debt_id": pl.String(),
            "debt_key": pl.String(),
            "channel": CHANNEL,
            "contact_point_id": pl.String(),
            "profile_id": pl.UInt32(),
        },
    )
    schema = events_schema(pl.String(), pl.String(), pl.Int64())
    columns: dict[str, list[Any]] = {name: [] for name in schema}
    for debtor_id, events in histories.items():
        situation = situations.get(debtor_id)
        if situation is None or not events:
            continue
        points = {point.id: point for point in reversed(situation.contact_points)}
        keys = {item.id: item.counting_key for item in situation.debts}
        for event in events:
            point = points.get(event.contact_point_id) if event.contact_point_id else None
            columns["debtor_id"].append(debtor_id)
            columns["at"].append(event.at)
            columns["channel"].append(event.channel.value)
            columns["direction"].append(event.direction.value)
            columns["outcome"].append(event.outcome.value)
            columns["party"].append(event.party.value)
            columns["at_consumer_request"].append(event.at_consumer_request)
            columns["contact_point_id"].append(event.contact_point_id)
            columns["point_kind"].append(point.kind.value if point else None)
            columns["point_place"].append(point.place.value if point else None)
            columns["point_wrong_number"].append(point.wrong_number if point else None)
            columns["debt_keys"].append(sorted({keys.get(i, i) for i in event.debt_ids}))
    return BatchInput(target_frame, pl.DataFrame(columns, schema=schema), registry.profiles)


def _blocked(
    situation: model.DebtorProfile,
    history: tuple[model.HistoryEvent, ...],
    target: Target,
    point: str,
    zone: str | None,
    day: date,
) -> DayEligibility:
    """Why a target has no window today: decide() at local noon (inside every calling-hours
    window, so the hours rule does not hide the real reason) says which rules and until when."""
    noon = day_bounds(zone, day)[0] + timedelta(hours=12)
    decision = decide(situation, history, proposed_for(target, BatchOptions(), noon))
    blocking = tuple((r.rule_id, r.message, r.citation) for r in decision.blocking)
    return DayEligibility(point, zone, (), blocking, decision.earliest_lawful_at)


def _refused(point: str, zone: str | None, rule_id: str, message: str) -> DayEligibility:
    return DayEligibility(point, zone, (), ((rule_id, message, ""),), None)
