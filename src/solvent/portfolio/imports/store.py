"""Writing one batch of validated rows: find or create the debtors, then upsert everything else.

The caller holds the batch's transaction, so an account is never written without its debtors and
contact points. Debtors are matched on the keyed hash of the national id, else on the identity hash
(name, date of birth, postal code); both lookups and the grouping of the same person inside a batch
happen here, the same for every database. The writing itself is set-based: COPY on PostgreSQL
(`store_postgres`), bulk statements through the ORM elsewhere (`store_orm`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Model, Q

from solvent.portfolio.imports.records import PersonRecord, PlacementRow
from solvent.portfolio.models import Account, AccountDebtor, Address, Debtor, Email, Phone

IMPORT_LOCK_KEY = 0x504C4143  # "PLAC": the advisory lock held by a batch while it writes
_LOOKUP_CHUNK = 900  # SQLite binds one parameter per key, at most 999 in older builds
T = TypeVar("T")


@dataclass(slots=True)
class Person:
    """One debtor as this batch knows them: the first record seen plus every contact point."""

    record: PersonRecord
    debtor_id: int | None = None
    # What the stored debtor lacks, so the batch encrypts only values that will be written.
    needs_national_id: bool = True
    needs_date_of_birth: bool = True
    phones: dict[str, tuple[str, str, str, tuple[str, ...]]] = field(default_factory=dict)
    emails: set[str] = field(default_factory=set)

    def absorb(self, other: PersonRecord) -> None:
        record = self.record
        record.is_deceased |= other.is_deceased
        record.in_bankruptcy |= other.in_bankruptcy
        record.cease_communication |= other.cease_communication
        if other.attorney_name:
            record.attorney_name, record.attorney_phone = other.attorney_name, other.attorney_phone
        if not record.national_id and other.national_id:
            record.national_id, record.national_id_hash = other.national_id, other.national_id_hash
        if not record.date_of_birth:
            record.date_of_birth = other.date_of_birth
        if record.address is None:
            record.address = other.address
        for phone in other.phones:
            self.phones.setdefault(
                phone.e164, (phone.kind, phone.line_type, phone.region_code, phone.time_zones)
            )
        self.emails.update(other.emails)


@dataclass(slots=True)
class Batch:
    client_id: int
    placement_id: int
    placed_on: date
    now: datetime
    rows: list[PlacementRow]
    people: list[Person] = field(default_factory=list)
    # Per row: the Person of the debtor and of the co-signer (or None).
    links: list[tuple[Person, Person | None]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    accounts_created: int
    accounts_updated: int


class Writer(Protocol):
    def debtors_insert(self, batch: Batch, people: list[Person]) -> None: ...
    def debtors_update(self, batch: Batch, people: list[Person]) -> None: ...
    def contact_points_upsert(self, batch: Batch, new: list[Person], old: list[Person]) -> None: ...
    def accounts_insert(self, batch: Batch, rows: list[PlacementRow]) -> list[int]: ...
    def accounts_update(self, batch: Batch, rows: list[PlacementRow], ids: list[int]) -> None: ...
    def links_insert(self, rows: list[tuple[int, int, str]], *, may_exist: bool) -> None: ...


def batch_store(batch: Batch) -> BatchOutcome:
    """Write one batch; the caller's transaction makes it all-or-nothing."""
    writer = _writer()
    _people_group(batch)
    if connection.vendor == "postgresql":
        # Two imports at once could otherwise both miss a debtor and both create them: batches of
        # concurrent imports take turns (SQLite's IMMEDIATE transactions already do).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
    _people_match(batch.people)
    new = [p for p in batch.people if p.debtor_id is None]
    old = [p for p in batch.people if p.debtor_id is not None]
    writer.debtors_insert(batch, new)
    writer.debtors_update(batch, old)
    writer.contact_points_upsert(batch, new, old)
    _contact_points_attribute(batch)
    existing = _account_ids(batch.client_id, [row.account.account_number for row in batch.rows])
    fresh_rows = [row for row in batch.rows if row.account.account_number not in existing]
    known_rows = [row for row in batch.rows if row.account.account_number in existing]
    fresh_ids = writer.accounts_insert(batch, fresh_rows)
    known_ids = [existing[row.account.account_number] for row in known_rows]
    writer.accounts_update(batch, known_rows, known_ids)
    ids = dict(zip((r.account.account_number for r in fresh_rows), fresh_ids, strict=True))
    ids.update(existing)
    fresh_links: list[tuple[int, int, str]] = []
    known_links: list[tuple[int, int, str]] = []
    for row, (debtor, cosigner) in zip(batch.rows, batch.links, strict=True):
        account_id = ids[row.account.account_number]
        target = known_links if row.account.account_number in existing else fresh_links
        assert debtor.debtor_id is not None
        target.append((account_id, debtor.debtor_id, AccountDebtor.Role.PRIMARY.value))
        if cosigner is not None and cosigner.debtor_id != debtor.debtor_id:
            assert cosigner.debtor_id is not None
            target.append((account_id, cosigner.debtor_id, AccountDebtor.Role.CO_SIGNER.value))
    writer.links_insert(fresh_links, may_exist=False)
    writer.links_insert(known_links, may_exist=True)
    _flag_holds_open(batch.people)
    return BatchOutcome(accounts_created=len(fresh_rows), accounts_updated=len(known_rows))


def _flag_holds_open(people: list[Person]) -> None:
    """A flag in the file (cease, attorney, bankruptcy, deceased) opens a hold (ADR 0028)."""
    from solvent.compliance.services import holds_from_flags  # compliance builds on portfolio

    flagged = [
        person.debtor_id
        for person in people
        if person.debtor_id is not None
        and (
            person.record.cease_communication
            or person.record.is_deceased
            or person.record.in_bankruptcy
            or person.record.attorney_name
        )
    ]
    if flagged:
        holds_from_flags(debtor_ids=flagged)


def _contact_points_attribute(batch: Batch) -> None:
    """Record that this client's file supplied each phone, e-mail and address of the batch: the
    client's users see them; another client's users of the same debtor do not (ADR 0022)."""
    people = {p.debtor_id: p for p in batch.people if p.debtor_id is not None}
    if not people:
        return
    if connection.vendor == "postgresql":
        _contact_points_attribute_sql(batch.client_id, list(people.values()))
        return
    ids = list(people)
    client_id = batch.client_id
    phone_links = [
        Phone.clients.through(phone_id=pk, client_id=client_id)
        for pk, debtor_id, e164 in Phone.objects.filter(debtor_id__in=ids).values_list(
            "pk", "debtor_id", "e164"
        )
        if e164 in people[debtor_id].phones
    ]
    email_links = [
        Email.clients.through(email_id=pk, client_id=client_id)
        for pk, debtor_id, address in Email.objects.filter(debtor_id__in=ids).values_list(
            "pk", "debtor_id", "address"
        )
        if address in people[debtor_id].emails
    ]
    address_links = [
        Address.clients.through(address_id=pk, client_id=client_id)
        for pk, debtor_id, line1, postal_code, country in Address.objects.filter(
            debtor_id__in=ids
        ).values_list("pk", "debtor_id", "line1", "postal_code", "country")
        if _supplied_address(people[debtor_id], line1, postal_code, country)
    ]
    Phone.clients.through.objects.bulk_create(phone_links, batch_size=1000, ignore_conflicts=True)
    Email.clients.through.objects.bulk_create(email_links, batch_size=1000, ignore_conflicts=True)
    Address.clients.through.objects.bulk_create(
        address_links, batch_size=1000, ignore_conflicts=True
    )


_ATTRIBUTE_SQL = """
INSERT INTO {links} ({point_column}, client_id)
SELECT point.id, %s FROM {points} AS point
JOIN unnest(%s::bigint[], {keys}) AS batch(debtor_id, {key_names})
  ON point.debtor_id = batch.debtor_id AND {key_match}
ON CONFLICT DO NOTHING
"""


def _contact_points_attribute_sql(client_id: int, people: list[Person]) -> None:
    """The same in one statement per kind, matched in the database (a batch has thousands)."""
    phones = [(p.debtor_id, e164) for p in people for e164 in p.phones]
    emails = [(p.debtor_id, address) for p in people for address in p.emails]
    addresses = [
        (p.debtor_id, a.line1, a.postal_code, a.country)
        for p in people
        if (a := p.record.address) is not None
    ]
    kinds: list[tuple[type[Model], list[tuple[Any, ...]], tuple[str, ...]]] = [
        (Phone, phones, ("e164",)),
        (Email, emails, ("address",)),
        (Address, addresses, ("line1", "postal_code", "country")),
    ]
    with connection.cursor() as cursor:
        for model, rows, names in kinds:
            if not rows:
                continue
            through = model._meta.get_field("clients").remote_field.through  # type: ignore[union-attr]
            sql = _ATTRIBUTE_SQL.format(
                links=through._meta.db_table,
                point_column=f"{model._meta.model_name}_id",
                points=model._meta.db_table,
                keys=", ".join(["%s::text[]"] * len(names)),
                key_names=", ".join(names),
                key_match=" AND ".join(f"point.{name} = batch.{name}" for name in names),
            )
            columns = list(zip(*rows, strict=True))
            cursor.execute(sql, [client_id, list(columns[0]), *(list(c) for c in columns[1:])])


def _supplied_address(person: Person, line1: str, postal_code: str, country: str) -> bool:
    address = person.record.address
    return address is not None and (address.line1, address.postal_code, address.country) == (
        line1,
        postal_code,
        country,
    )


def _writer() -> Writer:
    # Imported here: both writers build on this module's Batch and Person.
    if connection.vendor == "postgresql":
        from solvent.portfolio.imports.store_postgres import CopyWriter

        return CopyWriter()
    from solvent.portfolio.imports.store_orm import OrmWriter

    return OrmWriter()


def _people_group(batch: Batch) -> None:
    """The same person on several rows of the batch becomes one Person."""
    by_national: dict[str, Person] = {}
    by_identity: dict[str, Person] = {}
    for row in batch.rows:
        debtor = _person_for(row.debtor, by_national, by_identity, batch.people)
        cosigner = None
        if row.cosigner is not None:
            cosigner = _person_for(row.cosigner, by_national, by_identity, batch.people)
        batch.links.append((debtor, cosigner))


def _person_for(
    record: PersonRecord,
    by_national: dict[str, Person],
    by_identity: dict[str, Person],
    people: list[Person],
) -> Person:
    person = by_national.get(record.national_id_hash) if record.national_id_hash else None
    if person is None:
        candidate = by_identity.get(record.identity_hash)
        # The same name and birth date with two different national ids are two people.
        if candidate is not None and (
            not record.national_id_hash
            or not candidate.record.national_id_hash
            or candidate.record.national_id_hash == record.national_id_hash
        ):
            person = candidate
    if person is None:
        person = Person(record=record)
        people.append(person)
        person.absorb(record)
    elif person.record is not record:
        person.absorb(record)
    if person.record.national_id_hash:
        by_national.setdefault(person.record.national_id_hash, person)
    by_identity.setdefault(record.identity_hash, person)
    return person


def _people_match(people: list[Person]) -> None:
    """Find the stored debtor of each person: national id first, else identity."""
    with_national = [p for p in people if p.record.national_id_hash]
    found: dict[str, tuple[int, bool]] = {}
    for key, debtor_id, _, dob_empty in _debtors_by(
        "national_id_hash", [p.record.national_id_hash for p in with_national]
    ):
        found.setdefault(key, (debtor_id, dob_empty))
    for person in with_national:
        hit = found.get(person.record.national_id_hash)
        if hit is not None:
            person.debtor_id, person.needs_date_of_birth = hit
            person.needs_national_id = False
    unmatched = [p for p in people if p.debtor_id is None]
    candidates: dict[str, list[tuple[int, str, bool]]] = {}
    for key, debtor_id, national, dob_empty in _debtors_by(
        "identity_hash", [p.record.identity_hash for p in unmatched]
    ):
        candidates.setdefault(key, []).append((debtor_id, national, dob_empty))
    for person in unmatched:
        mine = person.record.national_id_hash
        for debtor_id, national, dob_empty in candidates.get(person.record.identity_hash, []):
            if not mine or not national or national == mine:
                person.debtor_id = debtor_id
                person.needs_national_id = not national
                person.needs_date_of_birth = dob_empty
                break


def _debtors_by(column: str, keys: list[str]) -> list[tuple[str, int, str, bool]]:
    """(key, id, national id hash, date of birth empty) of the debtors with these keys, oldest
    first. The encrypted date of birth cannot be read in SQL, but an empty one is stored as ""."""
    if not keys:
        return []
    if connection.vendor == "postgresql":
        # One statement with an array parameter: no SQL to compile per key, one round trip.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column}, id, national_id_hash, date_of_birth = '' FROM "  # noqa: S608 - fixed column names
                f"{Debtor._meta.db_table} WHERE {column} = ANY(%s) ORDER BY id",
                [keys],
            )
            return [(key, i, national, bool(empty)) for key, i, national, empty in cursor]
    rows: list[tuple[str, int, str, bool]] = []
    for chunk in _chunks(keys):
        matches = (
            Debtor.objects.filter(**{f"{column}__in": chunk})
            .annotate(date_of_birth_empty=_DOB_EMPTY)
            .order_by("id")
            .values_list(column, "id", "national_id_hash", "date_of_birth_empty")
        )
        rows.extend((key, i, national, bool(empty)) for key, i, national, empty in matches)
    return rows


_DOB_EMPTY = ExpressionWrapper(Q(date_of_birth=""), output_field=BooleanField())


def _account_ids(client_id: int, numbers: list[str]) -> dict[str, int]:
    if not numbers:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT account_number, id FROM {Account._meta.db_table} "  # noqa: S608 - model name
                "WHERE client_id = %s AND account_number = ANY(%s)",
                [client_id, numbers],
            )
            return dict(cursor.fetchall())
    found: dict[str, int] = {}
    for chunk in _chunks(numbers):
        found.update(
            Account.objects.filter(client_id=client_id, account_number__in=chunk).values_list(
                "account_number", "id"
            )
        )
    return found


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _LOOKUP_CHUNK):
        yield items[start : start + _LOOKUP_CHUNK]


def debtor_id_of(person: Person) -> int:
    assert person.debtor_id is not None, "debtors are inserted before their contact points"
    return person.debtor_id


def last4(national_id: str) -> str:
    return national_id[-4:] if national_id else ""


ACCOUNT_UPDATE_FIELDS = [
    "original_creditor",
    "original_account_number",
    "product",
    "currency",
    "principal",
    "interest",
    "fees",
    "open_date",
    "delinquency_date",
    "charge_off_date",
    "last_payment_date",
    "last_payment_amount",
]
