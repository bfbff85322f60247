"""What validation produces: the records of one account, its debtors and contact points.

Plain dataclasses shared by the validation (`rows`) and the writers (`store*`); no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from solvent.portfolio.domain.placement_profile import ProfileSpec


@dataclass(frozen=True, slots=True)
class ImportContext:
    client_id: int
    client_country: str
    client_currency: str
    placed_on: date
    hasher: Callable[[str], str]
    today: date
    # Account numbers that occur more than once in the file, with how often.
    duplicates: dict[str, int] = field(default_factory=dict)
    # How the file writes its values (dates, amounts, phones' region): the placement's profile.
    spec: ProfileSpec = field(default_factory=ProfileSpec.default)


@dataclass(slots=True)
class PhoneRecord:
    e164: str
    kind: str
    line_type: str
    region_code: str
    time_zones: tuple[str, ...]
    extension: str = ""


@dataclass(slots=True)
class AddressRecord:
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str


@dataclass(slots=True)
class PersonRecord:
    national_id_hash: str
    identity_hash: str
    first_name: str
    middle_name: str
    last_name: str
    date_of_birth: str
    national_id: str
    language: str = "en"
    is_deceased: bool = False
    in_bankruptcy: bool = False
    cease_communication: bool = False
    attorney_name: str = ""
    attorney_phone: str = ""
    phones: list[PhoneRecord] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    address: AddressRecord | None = None

    @property
    def match_key(self) -> str:
        return self.national_id_hash or self.identity_hash


@dataclass(slots=True)
class AccountRecord:
    account_number: str
    original_creditor: str
    original_account_number: str
    product: str
    currency: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    open_date: date | None
    delinquency_date: date | None
    charge_off_date: date | None
    last_payment_date: date | None
    last_payment_amount: Decimal | None


@dataclass(slots=True)
class PlacementRow:
    number: int
    account: AccountRecord
    debtor: PersonRecord
    cosigner: PersonRecord | None
    # The hash of the raw row (and the profile version) that produced it: Account.import_hash.
    fingerprint: str = ""
