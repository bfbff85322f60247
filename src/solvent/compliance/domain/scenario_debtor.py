"""The scenario's ``debtor`` object, declared as Pydantic models: locations, contact points, holds,
consents, stated times and debts, each turned into the engine's value objects by ``to_domain``.

References between parts (a hold naming a debt, a consent naming a contact point) and duplicate
ids are checked by ``reference_errors`` in scenario.py, on the raw document, so they are reported
together with every other malformed field.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from typing import Literal

import phonenumbers
from pydantic import Field, ValidationInfo, field_validator

from solvent.compliance.domain.model import (
    WEEKDAY_NAMES,
    Address,
    Channel,
    Consent,
    ConsentKind,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    DebtStatus,
    Hold,
    HoldKind,
    Party,
    Place,
    TimeRange,
)
from solvent.compliance.domain.scenario_reader import (
    Clock,
    Day,
    Flag,
    Moment,
    Money,
    StrictModel,
    Text,
    Zone,
)

PHONE_KINDS = (ContactPointKind.MOBILE, ContactPointKind.LANDLINE)
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
EVERY_DAY: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScenarioAddress(StrictModel):
    id: Text | None = Field(None, description="default: the address's JSON path")
    country: Text = Field(description="ISO 3166-1 alpha-2, e.g. US")
    region: Text | None = Field(None, description="state or province code, e.g. PA, ON")
    city: Text | None = None
    postal_code: Text | None = None
    place: Place = Place.HOME
    time_zone: Zone | None = None

    @field_validator("country")
    @classmethod
    def _alpha_2(cls, country: str) -> str:
        if len(country) != 2 or not country.isalpha():
            raise ValueError(f"expected an ISO 3166-1 alpha-2 code, got {country!r}")
        return country.upper()

    def to_domain(self, default_id: str) -> Address:
        return Address(
            id=self.id or default_id,
            country=self.country,
            region=self.region,
            city=self.city,
            postal_code=self.postal_code,
            place=self.place,
            time_zone=self.time_zone,
        )


class ScenarioContactPoint(StrictModel):
    id: Text
    kind: ContactPointKind
    value: Text = Field(description="E.164 for phones (+12155550100), the address for e-mail")
    place: Place | None = Field(None, description="default: home for landlines, else personal")
    employer_provided: Flag = False
    wrong_number: Flag = False
    reassigned: Flag = Field(
        False, description="a Reassigned Numbers Database 'yes' since consent was given"
    )
    owner: Party = Field(Party.CONSUMER, description="whose contact point it is")

    @field_validator("value")
    @classmethod
    def _phone_is_e164(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("kind") in PHONE_KINDS and not _valid_phone(value):
            raise ValueError(f"not a valid E.164 phone number: {value!r}")
        return value

    def to_domain(self) -> ContactPoint:
        place = self.place
        if place is None:
            home_kinds = (ContactPointKind.LANDLINE, ContactPointKind.POSTAL)
            place = Place.HOME if self.kind in home_kinds else Place.PERSONAL
        return ContactPoint(
            id=self.id,
            kind=self.kind,
            value=self.value,
            place=place,
            employer_provided=self.employer_provided,
            wrong_number=self.wrong_number,
            reassigned=self.reassigned,
            owner=self.owner,
        )


@lru_cache(maxsize=65536)
def _valid_phone(value: str) -> bool:
    # Cached: a batch and a debtor's repeated checks ask about the same numbers (~12 us a parse).
    if not value.startswith("+"):
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        return False


class ScenarioHold(StrictModel):
    kind: HoldKind
    received_at: Moment
    debt_ids: list[Text] = Field(default_factory=list, description="empty: every debt")
    contact_point_id: Text | None = None
    channels: list[Channel] = Field(default_factory=list)
    released_at: Moment | None = None

    def to_domain(self) -> Hold:
        return Hold(
            kind=self.kind,
            received_at=self.received_at,
            debt_ids=tuple(self.debt_ids),
            contact_point_id=self.contact_point_id,
            channels=tuple(self.channels),
            released_at=self.released_at,
        )


class ScenarioConsent(StrictModel):
    kind: ConsentKind
    given_at: Moment
    contact_point_id: Text | None = None
    debt_ids: list[Text] = Field(default_factory=list, description="empty: every debt")
    channels: list[Channel] = Field(
        default_factory=list, description="the media the consent was given for; empty: any"
    )
    revoked_at: Moment | None = None
    expires_at: Moment | None = None

    def to_domain(self) -> Consent:
        return Consent(
            kind=self.kind,
            given_at=self.given_at,
            contact_point_id=self.contact_point_id,
            debt_ids=tuple(self.debt_ids),
            channels=tuple(self.channels),
            revoked_at=self.revoked_at,
            expires_at=self.expires_at,
        )


class ScenarioTimeRange(StrictModel):
    days: list[Weekday] = Field(default_factory=lambda: list(EVERY_DAY))
    start: Clock | None = None
    end: Clock | None = None
    valid_from: Day | None = None
    valid_until: Day | None = None
    time_zone: Zone | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: time | None, info: ValidationInfo) -> time | None:
        start = info.data.get("start")
        if start is not None and end is not None and end <= start:
            raise ValueError("must be later than start")
        return end

    def to_domain(self) -> TimeRange:
        return TimeRange(
            days=tuple(WEEKDAY_NAMES.index(day) for day in self.days),
            start=self.start,
            end=self.end,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            time_zone=self.time_zone,
        )


class ScenarioDebt(StrictModel):
    id: Text
    kind: Text = Field("other", description="credit_card, medical, student_loan, ...")
    balance: Money | None = None
    currency: Text | None = None
    student_loan_account: Text | None = None
    validation_notice_sent_on: Day | None = None
    time_barred: Flag = False
    ontario_notice_sent_on: Day | None = None
    status: DebtStatus = Field(DebtStatus.ACTIVE, description="only an active debt is collected")

    def to_domain(self) -> Debt:
        return Debt(
            id=self.id,
            kind=self.kind,
            balance=self.balance,
            currency=self.currency,
            student_loan_account=self.student_loan_account,
            validation_notice_sent_on=self.validation_notice_sent_on,
            time_barred=self.time_barred,
            ontario_notice_sent_on=self.ontario_notice_sent_on,
            status=self.status,
        )


class ScenarioDebtor(StrictModel):
    time_zones: list[Zone] = Field(default_factory=list)
    addresses: list[ScenarioAddress] = Field(default_factory=list)
    contact_points: list[ScenarioContactPoint] = Field(default_factory=list)
    holds: list[ScenarioHold] = Field(default_factory=list)
    consents: list[ScenarioConsent] = Field(default_factory=list)
    inconvenient_times: list[ScenarioTimeRange] = Field(default_factory=list)
    convenient_times: list[ScenarioTimeRange] = Field(default_factory=list)
    debts: list[ScenarioDebt] = Field(default_factory=list)
    jurisdictions: list[Text] = Field(
        default_factory=list, description="extra jurisdictions known by other means, e.g. US-NY"
    )

    def to_domain(self, path: str = "$.debtor") -> DebtorProfile:
        return DebtorProfile(
            time_zones=tuple(self.time_zones),
            addresses=tuple(
                item.to_domain(f"{path}.addresses[{index}]")
                for index, item in enumerate(self.addresses)
            ),
            contact_points=tuple(item.to_domain() for item in self.contact_points),
            holds=tuple(item.to_domain() for item in self.holds),
            consents=tuple(item.to_domain() for item in self.consents),
            inconvenient_times=tuple(item.to_domain() for item in self.inconvenient_times),
            convenient_times=tuple(item.to_domain() for item in self.convenient_times),
            debts=tuple(item.to_domain() for item in self.debts),
            jurisdictions=tuple(self.jurisdictions),
        )
