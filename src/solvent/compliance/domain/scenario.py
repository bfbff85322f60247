"""The JSON scenario format: "may I contact this person now, and if not, when?".

One scenario is an object with ``debtor``, ``history``, ``proposed`` and, for tests, ``expect``
(plus free-text ``name`` and ``description``). The full format with examples is documented in
docs/compliance.md. Parsing is strict: unknown keys, bad or naive datetimes, unknown enum values,
unknown time zones, malformed phone numbers, dangling references and missing required fields are
all reported together in one ``ScenarioError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from solvent.compliance.domain.model import (
    Channel,
    DebtorProfile,
    Direction,
    HistoryEvent,
    Outcome,
    Party,
    ProposedContact,
    Purpose,
    VoicemailContent,
)
from solvent.compliance.domain.scenario_debtor import read_debt_refs, read_debtor, read_point_ref
from solvent.compliance.domain.scenario_expect import Expectation, read_expectation
from solvent.compliance.domain.scenario_reader import FieldError, Reader, ScenarioError


def _keys(*names: str) -> frozenset[str]:
    return frozenset(names)


SCENARIO_KEYS = _keys("name", "description", "debtor", "history", "proposed", "expect")
EVENT_KEYS = _keys(
    "at", "channel", "direction", "outcome", "debt_ids", "contact_point_id", "party",
    "at_consumer_request",
)  # fmt: skip
PROPOSED_KEYS = _keys(
    "at", "channel", "debt_id", "contact_point_id", "autodialled", "prerecorded", "purpose",
    "at_consumer_request", "includes_opt_out", "voicemail_content", "party",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scenario:
    debtor: DebtorProfile
    history: tuple[HistoryEvent, ...]
    proposed: ProposedContact
    name: str = ""
    description: str = ""
    expect: Expectation | None = None


def parse_scenario(data: Any, *, now: datetime | None = None, path: str = "$") -> Scenario:
    """Parse one scenario document (already decoded from JSON); raise ``ScenarioError``."""
    reader = Reader()
    scenario = _scenario(reader, data, path, now)
    if reader.errors or scenario is None:
        raise ScenarioError(reader.errors or [FieldError(path, "invalid scenario")])
    return scenario


def parse_scenarios(data: Any, *, now: datetime | None = None) -> list[Scenario]:
    """Parse one scenario or a list of them, collecting the errors of every one."""
    if not isinstance(data, list):
        return [parse_scenario(data, now=now)]
    reader = Reader()
    scenarios: list[Scenario] = []
    for index, item in enumerate(data):
        scenario = _scenario(reader, item, f"$[{index}]", now)
        if scenario is not None:
            scenarios.append(scenario)
    if reader.errors:
        raise ScenarioError(reader.errors)
    return scenarios


def _scenario(reader: Reader, data: Any, path: str, now: datetime | None) -> Scenario | None:
    root = reader.obj(
        data, path, _keys("debtor", "proposed"), SCENARIO_KEYS - {"debtor", "proposed"}
    )
    if root is None:
        return None
    before = len(reader.errors)
    debtor = read_debtor(reader, root.get("debtor"), f"{path}.debtor")
    history = tuple(
        _event(reader, item, item_path, debtor)
        for item_path, item in reader.items(root.get("history"), f"{path}.history")
    )
    proposed = _proposed(reader, root.get("proposed"), f"{path}.proposed", debtor, now)
    expect = None
    if "expect" in root:
        expect = read_expectation(reader, root["expect"], f"{path}.expect")
    name = reader.opt_string(root.get("name"), f"{path}.name") or ""
    description = reader.opt_string(root.get("description"), f"{path}.description") or ""
    if len(reader.errors) > before or proposed is None:
        return None
    return Scenario(debtor, history, proposed, name, description, expect)


def _event(reader: Reader, data: Any, path: str, profile: DebtorProfile) -> HistoryEvent:
    root = reader.obj(data, path, _keys("at", "channel", "outcome"), EVENT_KEYS) or {}
    return HistoryEvent(
        at=reader.moment(root.get("at"), f"{path}.at"),
        channel=reader.choice(root.get("channel"), f"{path}.channel", Channel),
        direction=reader.choice(
            root.get("direction"), f"{path}.direction", Direction, Direction.OUTBOUND
        ),
        outcome=reader.choice(root.get("outcome"), f"{path}.outcome", Outcome),
        debt_ids=read_debt_refs(reader, root.get("debt_ids"), f"{path}.debt_ids", profile),
        contact_point_id=read_point_ref(
            reader, root.get("contact_point_id"), f"{path}.contact_point_id", profile
        ),
        party=reader.choice(root.get("party"), f"{path}.party", Party, Party.CONSUMER),
        at_consumer_request=reader.boolean(
            root.get("at_consumer_request"), f"{path}.at_consumer_request"
        ),
    )


def _proposed(
    reader: Reader, data: Any, path: str, profile: DebtorProfile, now: datetime | None
) -> ProposedContact | None:
    root = reader.obj(data, path, _keys("channel"), PROPOSED_KEYS - {"channel"})
    if root is None:
        return None
    if "at" in root:
        at = reader.moment(root["at"], f"{path}.at")
    elif now is not None:
        at = now
    else:
        reader.error(f"{path}.at", "required field is missing (or pass `now`)")
        return None
    debt_id = reader.opt_string(root.get("debt_id"), f"{path}.debt_id")
    if debt_id is None and len(profile.debts) == 1:
        debt_id = profile.debts[0].id
    elif debt_id is None and len(profile.debts) > 1:
        reader.error(f"{path}.debt_id", "required when the debtor has several debts")
    elif debt_id is not None and profile.debts and profile.debt(debt_id) is None:
        reader.error(f"{path}.debt_id", f"unknown debt id {debt_id!r}")
    content = root.get("voicemail_content")
    return ProposedContact(
        at=at,
        channel=reader.choice(root.get("channel"), f"{path}.channel", Channel),
        debt_id=debt_id,
        contact_point_id=read_point_ref(
            reader, root.get("contact_point_id"), f"{path}.contact_point_id", profile
        ),
        autodialled=reader.boolean(root.get("autodialled"), f"{path}.autodialled"),
        prerecorded=reader.boolean(root.get("prerecorded"), f"{path}.prerecorded"),
        purpose=reader.choice(root.get("purpose"), f"{path}.purpose", Purpose, Purpose.COLLECT),
        at_consumer_request=reader.boolean(
            root.get("at_consumer_request"), f"{path}.at_consumer_request"
        ),
        includes_opt_out=reader.opt_boolean(
            root.get("includes_opt_out"), f"{path}.includes_opt_out"
        ),
        voicemail_content=None
        if content is None
        else reader.choice(content, f"{path}.voicemail_content", VoicemailContent),
        party=reader.choice(root.get("party"), f"{path}.party", Party, Party.CONSUMER),
    )


__all__ = [
    "Expectation",
    "FieldError",
    "Scenario",
    "ScenarioError",
    "parse_scenario",
    "parse_scenarios",
]
