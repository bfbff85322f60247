"""The JSON scenario format: "may I contact this person now, and if not, when?".

One scenario is an object with ``debtor``, ``history``, ``proposed`` and, for tests, ``expect``
(plus free-text ``name`` and ``description``). The format is declared once, by the Pydantic models
here and in scenario_debtor.py / scenario_expect.py: `solvent rules check`, ``POST
/api/compliance/check`` and the OpenAPI document all read it from them (docs/adr/0012). Parsing
is strict: unknown keys, bad or naive datetimes, unknown enum values, unknown time zones, malformed
phone numbers, duplicate ids, dangling references and missing required fields are all reported
together in one ``ScenarioError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic_core import from_json

from solvent.compliance.domain.model import (
    CampaignFigures,
    Channel,
    DebtorProfile,
    Direction,
    HistoryEvent,
    MessageClaim,
    Outcome,
    Party,
    ProposedContact,
    Purpose,
    VoicemailContent,
)
from solvent.compliance.domain.scenario_debtor import ScenarioConsent, ScenarioDebtor, ScenarioHold
from solvent.compliance.domain.scenario_expect import Expectation, ScenarioExpectation
from solvent.compliance.domain.scenario_reader import (
    Count,
    FieldError,
    Flag,
    Moment,
    ScenarioError,
    StrictModel,
    Text,
    field_errors,
)


class ScenarioEvent(StrictModel):
    """One row of the contact ledger."""

    at: Moment
    channel: Channel
    direction: Direction = Direction.OUTBOUND
    outcome: Outcome
    debt_ids: list[Text] = Field(
        default_factory=list, description="empty: counts toward every debt"
    )
    contact_point_id: Text | None = None
    party: Party = Party.CONSUMER
    at_consumer_request: Flag = False

    def to_domain(self) -> HistoryEvent:
        return HistoryEvent(
            at=self.at,
            channel=self.channel,
            direction=self.direction,
            outcome=self.outcome,
            debt_ids=tuple(self.debt_ids),
            contact_point_id=self.contact_point_id,
            party=self.party,
            at_consumer_request=self.at_consumer_request,
        )


class ScenarioCampaign(StrictModel):
    """A dialer campaign's abandoned and live-answered calls over the last 30 days and 24 hours."""

    abandoned_30d: Count
    live_answered_30d: Count
    abandoned_24h: Count
    live_answered_24h: Count

    def to_domain(self) -> CampaignFigures:
        return CampaignFigures(
            abandoned_30d=self.abandoned_30d,
            live_answered_30d=self.live_answered_30d,
            abandoned_24h=self.abandoned_24h,
            live_answered_24h=self.live_answered_24h,
        )


class ScenarioProposed(StrictModel):
    """The contact asked about."""

    at: Moment | None = Field(None, description="default: now")
    channel: Channel
    debt_id: Text | None = Field(None, description="required when the debtor has several debts")
    contact_point_id: Text | None = None
    autodialled: Flag = False
    prerecorded: Flag = False
    purpose: Purpose = Purpose.COLLECT
    at_consumer_request: Flag = False
    includes_opt_out: Flag | None = None
    voicemail_content: VoicemailContent | None = None
    party: Party = Field(Party.CONSUMER, description="third_party: a location call")
    opt_out_asks_for_more: Flag | None = Field(
        None, description="the opt-out asks for more than the preference and address (1006.6(e))"
    )
    claims: list[MessageClaim] = Field(
        default_factory=list, description="what the message says where the law cares"
    )
    live_agent_guaranteed: Flag = False
    campaign: ScenarioCampaign | None = None

    def to_domain(self, at: datetime, debt_id: str | None) -> ProposedContact:
        return ProposedContact(
            at=at,
            channel=self.channel,
            debt_id=debt_id,
            contact_point_id=self.contact_point_id,
            autodialled=self.autodialled,
            prerecorded=self.prerecorded,
            purpose=self.purpose,
            at_consumer_request=self.at_consumer_request,
            includes_opt_out=self.includes_opt_out,
            voicemail_content=self.voicemail_content,
            party=self.party,
            opt_out_asks_for_more=self.opt_out_asks_for_more,
            claims=tuple(self.claims),
            live_agent_guaranteed=self.live_agent_guaranteed,
            campaign=None if self.campaign is None else self.campaign.to_domain(),
        )


class ScenarioDocument(StrictModel):
    """A scenario: who, what happened so far, and the contact we are asked about."""

    name: str = ""
    description: str = ""
    debtor: ScenarioDebtor
    history: list[ScenarioEvent] = Field(default_factory=list)
    proposed: ScenarioProposed
    expect: ScenarioExpectation | None = Field(None, description="for table-driven tests")


# One scenario or a list of them: the body of `rules check` and of POST /api/compliance/check.
SCENARIO_INPUT: TypeAdapter[ScenarioDocument | list[ScenarioDocument]] = TypeAdapter(
    ScenarioDocument | list[ScenarioDocument]
)


# A generous size for one scenario: rich ones (20 ledger events, three contact points) are ~5 KB,
# the scenario files' average 1.5 KB.
BYTES_PER_SCENARIO = 2048


@cache
def _list_reader(max_scenarios: int | None) -> TypeAdapter[list[ScenarioDocument]]:
    return TypeAdapter(Annotated[list[ScenarioDocument], Field(max_length=max_scenarios)])


@dataclass(frozen=True, slots=True)
class Scenario:
    debtor: DebtorProfile
    history: tuple[HistoryEvent, ...]
    proposed: ProposedContact
    name: str = ""
    description: str = ""
    expect: Expectation | None = None


def scenarios_read(
    text: str | bytes, *, now: datetime | None = None, max_scenarios: int | None = None
) -> tuple[list[Scenario], bool]:
    """Read a JSON document holding one scenario or a list: the scenarios, and whether a list.

    Raise ``ScenarioError`` listing every malformed field of every scenario; a list longer than
    ``max_scenarios`` is refused as a whole. A scenario without ``proposed.at`` is asked about
    ``now``.
    """
    is_list = text.lstrip()[:1] in ("[", b"[")
    documents: list[ScenarioDocument] = []
    try:
        if is_list and max_scenarios is not None and len(text) > max_scenarios * BYTES_PER_SCENARIO:
            # Pydantic checks a list's length only after reading every item: a body larger than
            # the longest list allowed usually is, is counted first (a tenth of reading it).
            _refuse_long_list(text, max_scenarios)
        if is_list:
            documents = _list_reader(max_scenarios).validate_json(text)
        else:
            documents = [ScenarioDocument.model_validate_json(text)]
    except ValidationError as error:
        errors = field_errors(error, ScenarioDocument, "$")
        if not any(item.path == "$" for item in errors):
            # Dangling references are found even where other fields are malformed.
            errors.extend(_raw_reference_errors(json.loads(text), is_list))
        raise ScenarioError(_one_per_path(errors)) from None
    prefixes = [f"$[{index}]" for index in range(len(documents))] if is_list else ["$"]
    errors = []
    scenarios = [
        _scenario(document, prefix, now, errors)
        for document, prefix in zip(documents, prefixes, strict=True)
    ]
    if errors:
        raise ScenarioError(errors)
    return [scenario for scenario in scenarios if scenario is not None], is_list


def _refuse_long_list(text: str | bytes, max_scenarios: int) -> None:
    try:
        data = from_json(text)
    except ValueError:
        return  # reported by the validation, with its line and column
    if isinstance(data, list) and len(data) > max_scenarios:
        reason = f"at most {max_scenarios} scenarios per request; split the list"
        raise ScenarioError([FieldError("$", reason)])


def parse_scenario(data: Any, *, now: datetime | None = None) -> Scenario:
    """Parse one scenario already decoded from JSON (its JSON text is what is validated)."""
    if isinstance(data, list):
        raise ScenarioError([FieldError("$", "expected an object, got a list")])
    return scenarios_read(json.dumps(data), now=now)[0][0]


def parse_scenarios(data: Any, *, now: datetime | None = None) -> list[Scenario]:
    """Parse one scenario or a list of them already decoded from JSON; every error reported."""
    return scenarios_read(json.dumps(data), now=now)[0]


def _one_per_path(errors: list[FieldError]) -> list[FieldError]:
    # A field Pydantic refused is not also reported as a dangling reference.
    seen: set[str] = set()
    kept = []
    for error in errors:
        if error.path not in seen:
            seen.add(error.path)
            kept.append(error)
    return kept


def _raw_reference_errors(data: Any, is_list: bool) -> list[FieldError]:
    items = list(enumerate(data)) if is_list and isinstance(data, list) else [(None, data)]
    errors: list[FieldError] = []
    for index, item in items:
        if isinstance(item, dict):
            errors.extend(reference_errors(item, "$" if index is None else f"$[{index}]"))
    return errors


def _scenario(
    document: ScenarioDocument, path: str, now: datetime | None, errors: list[FieldError]
) -> Scenario | None:
    problems = [] if _references_hold(document) else reference_errors(document, path)
    at = document.proposed.at or now
    if at is None:
        problems.append(
            FieldError(f"{path}.proposed.at", "required field is missing (or pass `now`)")
        )
    if problems or at is None:
        errors.extend(problems)
        return None
    debtor = document.debtor.to_domain(f"{path}.debtor")
    debt_id = document.proposed.debt_id
    if debt_id is None and len(debtor.debts) == 1:
        debt_id = debtor.debts[0].id
    return Scenario(
        debtor=debtor,
        history=tuple(event.to_domain() for event in document.history),
        proposed=document.proposed.to_domain(at, debt_id),
        name=document.name,
        description=document.description,
        expect=None if document.expect is None else document.expect.to_domain(),
    )


def _references_hold(document: ScenarioDocument) -> bool:
    """The quick yes of ``reference_errors`` for a valid document (most of them)."""
    debtor = document.debtor
    debts = {debt.id for debt in debtor.debts}
    points = {point.id for point in debtor.contact_points}
    if len(debts) != len(debtor.debts) or len(points) != len(debtor.contact_points):
        return False
    parts: list[ScenarioHold | ScenarioConsent | ScenarioEvent] = [*debtor.holds, *debtor.consents]
    parts.extend(document.history)
    for part in parts:
        if part.contact_point_id is not None and part.contact_point_id not in points:
            return False
        if not debts.issuperset(part.debt_ids):
            return False
    proposed = document.proposed
    if proposed.contact_point_id is not None and proposed.contact_point_id not in points:
        return False
    if proposed.debt_id is None:
        return len(debts) <= 1
    return not debts or proposed.debt_id in debts


def reference_errors(data: ScenarioDocument | dict[str, Any], path: str = "$") -> list[FieldError]:
    """Duplicate ids and references to debts or contact points the debtor does not have.

    Reads a validated document or, when other fields are malformed, the raw decoded JSON, so every
    problem is reported in one answer.
    """
    debtor = _get(data, "debtor")
    errors: list[FieldError] = []
    debts = _ids(_get(debtor, "debts"), f"{path}.debtor.debts", errors)
    points = _ids(_get(debtor, "contact_points"), f"{path}.debtor.contact_points", errors)
    for part in ("holds", "consents"):
        for item_path, item in _items(_get(debtor, part), f"{path}.debtor.{part}"):
            errors.extend(_references(item, item_path, debts, points))
    for item_path, item in _items(_get(data, "history"), f"{path}.history"):
        errors.extend(_references(item, item_path, debts, points))
    proposed = _get(data, "proposed")
    errors.extend(_references(proposed, f"{path}.proposed", None, points))
    debt_id = _get(proposed, "debt_id")
    if debt_id is None and len(debts) > 1:
        reason = "required when the debtor has several debts"
        errors.append(FieldError(f"{path}.proposed.debt_id", reason))
    elif isinstance(debt_id, str) and debts and debt_id not in debts:
        errors.append(FieldError(f"{path}.proposed.debt_id", f"unknown debt id {debt_id!r}"))
    return errors


def _get(part: Any, key: str) -> Any:
    """A key of a raw JSON object or a field of a validated model; None when absent or not one."""
    if isinstance(part, dict):
        return part.get(key)
    if isinstance(part, BaseModel):
        return getattr(part, key, None)
    return None


def _items(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{path}[{index}]", item


def _ids(value: Any, path: str, errors: list[FieldError]) -> set[str]:
    seen: set[str] = set()
    for item_path, item in _items(value, path):
        item_id = _get(item, "id")
        if isinstance(item_id, str):
            if item_id in seen:
                errors.append(FieldError(f"{item_path}.id", f"duplicate id {item_id!r}"))
            seen.add(item_id)
    return seen


def _references(
    item: Any, path: str, debts: set[str] | None, points: set[str]
) -> Iterator[FieldError]:
    point_id = _get(item, "contact_point_id")
    if isinstance(point_id, str) and point_id and point_id not in points:
        yield FieldError(f"{path}.contact_point_id", f"unknown contact point id {point_id!r}")
    debt_ids = _get(item, "debt_ids")
    if debts is not None and isinstance(debt_ids, list):
        for index, debt_id in enumerate(debt_ids):
            if isinstance(debt_id, str) and debt_id and debt_id not in debts:
                yield FieldError(f"{path}.debt_ids[{index}]", f"unknown debt id {debt_id!r}")


__all__ = [
    "SCENARIO_INPUT",
    "Expectation",
    "FieldError",
    "Scenario",
    "ScenarioDocument",
    "ScenarioError",
    "parse_scenario",
    "parse_scenarios",
    "reference_errors",
    "scenarios_read",
]
