"""The simulated world of one practice session, as value objects and as the JSON it is stored as.

``World`` is everything the session knows: the fake debtor and their hidden traits, the simulated
clock, the simulated contact ledger (what the compliance engine counts), the call on the line and
the promise taken. It is stored in ``PracticeSession.state``; ``world_to_json`` and
``world_from_json`` are exact inverses (Decimal as text, datetimes as ISO 8601 in UTC).

Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from solvent.training.domain.debtor_model import Ability, Persona, Traits


@dataclass(frozen=True, slots=True)
class SimulatedDebtor:
    """A generated person and account: fake names, a fictional 555-01xx number, PRACTICE ids."""

    first_name: str
    last_name: str
    date_of_birth: date
    city: str
    region: str
    postal_code: str
    zone: str
    phone: str  # E.164
    phone_kind: str  # mobile | home
    creditor: str
    account_number: str
    balance: Decimal
    currency: str = "USD"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One attempt in the simulated ledger (the compliance engine's history)."""

    at: datetime
    outcome: str  # a compliance.domain.model.Outcome value
    prior: bool = False  # before the session began (the scenario's history)


@dataclass(frozen=True, slots=True)
class Agreement:
    kind: str  # plan | settlement | full
    amount: Decimal  # the monthly instalment, or the one payment


@dataclass(frozen=True, slots=True)
class CallState:
    """The call on the line: who answered and how far the trainee has got."""

    number: int
    answerer: str
    verified: bool = False
    disclosed: bool = False
    balance_stated: bool = False
    income_asked: bool = False
    difficulty_said: bool = False  # the debtor said they cannot pay
    affordable: Decimal | None = None  # what the debtor said they can pay a month
    agreed: Agreement | None = None  # an offer the debtor accepted
    disputed: bool = False
    dispute_recorded: bool = False
    voicemail_left: bool = False
    promise_taken: bool = False
    refused: bool = False


@dataclass(frozen=True, slots=True)
class PendingAction:
    """An action the coaching stopped: the trainee may choose another or do it anyway."""

    action: str
    amount: Decimal | None
    disposition: str
    rule_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class World:
    scenario: str
    seed: int
    debtor: SimulatedDebtor
    traits: Traits
    clock: datetime
    ledger: tuple[LedgerEntry, ...] = ()
    call: CallState | None = None
    calls_made: int = 0
    turn: int = 0
    disputed: bool = False  # a dispute was recorded: the engine sees a dispute hold
    disputed_at: datetime | None = None
    promise: Agreement | None = None
    pending: PendingAction | None = None
    annoyance: float = 0.0


# --- JSON ----------------------------------------------------------------------------------------


def _value_to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_value_to_json(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {field.name: _value_to_json(getattr(value, field.name)) for field in fields(value)}
    return value


def world_to_json(world: World) -> dict[str, Any]:
    data = _value_to_json(world)
    assert isinstance(data, dict)
    return data


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _agreement(data: Any) -> Agreement | None:
    if data is None:
        return None
    return Agreement(kind=str(data["kind"]), amount=Decimal(str(data["amount"])))


def _traits(data: dict[str, Any]) -> Traits:
    return Traits(
        profile=int(data["profile"]),
        home_zone=str(data["home_zone"]),
        known_zones=tuple(str(zone) for zone in data["known_zones"]),
        persona=Persona(data["persona"]),
        ability=Ability(data["ability"]),
        hardship=bool(data["hardship"]),
        willingness=float(data["willingness"]),
        promise_keeping=float(data["promise_keeping"]),
        sensitivity=float(data["sensitivity"]),
        part_share=float(data["part_share"]),
    )


def _call(data: Any) -> CallState | None:
    if data is None:
        return None
    flags: dict[str, Any] = {
        name: bool(data[name])
        for name in (
            "verified",
            "disclosed",
            "balance_stated",
            "income_asked",
            "difficulty_said",
            "disputed",
            "dispute_recorded",
            "voicemail_left",
            "promise_taken",
            "refused",
        )
    }
    return CallState(
        number=int(data["number"]),
        answerer=str(data["answerer"]),
        affordable=_decimal(data["affordable"]),
        agreed=_agreement(data["agreed"]),
        **flags,
    )


def _pending(data: Any) -> PendingAction | None:
    if data is None:
        return None
    return PendingAction(
        action=str(data["action"]),
        amount=_decimal(data["amount"]),
        disposition=str(data["disposition"]),
        rule_ids=tuple(str(rule) for rule in data["rule_ids"]),
    )


def world_from_json(data: dict[str, Any]) -> World:
    debtor = data["debtor"]
    clock = _moment(data["clock"])
    assert clock is not None
    return World(
        scenario=str(data["scenario"]),
        seed=int(data["seed"]),
        debtor=SimulatedDebtor(
            first_name=str(debtor["first_name"]),
            last_name=str(debtor["last_name"]),
            date_of_birth=date.fromisoformat(str(debtor["date_of_birth"])),
            city=str(debtor["city"]),
            region=str(debtor["region"]),
            postal_code=str(debtor["postal_code"]),
            zone=str(debtor["zone"]),
            phone=str(debtor["phone"]),
            phone_kind=str(debtor["phone_kind"]),
            creditor=str(debtor["creditor"]),
            account_number=str(debtor["account_number"]),
            balance=Decimal(str(debtor["balance"])),
            currency=str(debtor["currency"]),
        ),
        traits=_traits(data["traits"]),
        clock=clock,
        ledger=tuple(
            LedgerEntry(
                at=datetime.fromisoformat(str(entry["at"])),
                outcome=str(entry["outcome"]),
                prior=bool(entry["prior"]),
            )
            for entry in data["ledger"]
        ),
        call=_call(data["call"]),
        calls_made=int(data["calls_made"]),
        turn=int(data["turn"]),
        disputed=bool(data["disputed"]),
        disputed_at=_moment(data["disputed_at"]),
        promise=_agreement(data["promise"]),
        pending=_pending(data["pending"]),
        annoyance=float(data["annoyance"]),
    )
