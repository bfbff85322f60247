"""Who each row of a batch is about: the same person on several rows grouped, the stored debtor
found, and (on PostgreSQL) locked.

Rows of one person are merged in file order, so a batch gives what one row at a time would
(ADR 0036). Matching goes national id, then the debtor already linked to the row's account in the
same role (a corrected name or address), then identity. Matched debtors are locked in id order and
re-read, so a writer on another connection that changed them meanwhile is noticed
(`RaceLostError`: the batch is written again).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q

from solvent.portfolio.imports.records import AddressRecord, PersonRecord, PhoneRecord
from solvent.portfolio.models import Account, AccountDebtor, Debtor

if TYPE_CHECKING:
    from solvent.portfolio.imports.store import Batch

_LOOKUP_CHUNK = 900  # SQLite binds one parameter per key, at most 999 in older builds
# A client's number of one of these kinds replaces the one it supplied before (ADR 0036).
REPLACEABLE_KINDS = ("home", "mobile", "work")
PRIMARY = AccountDebtor.Role.PRIMARY.value
CO_SIGNER = AccountDebtor.Role.CO_SIGNER.value
T = TypeVar("T")
AddressKey = tuple[str, str, str]


class RaceLostError(Exception):
    """Another writer changed a debtor this batch had read: the batch is written again."""


@dataclass(slots=True)
class Person:
    """One debtor as this batch knows them: their rows merged in file order (the latest name,
    address and number of each kind win; flags only switch on; gaps are filled)."""

    record: PersonRecord
    debtor_id: int | None = None
    # What the stored debtor lacks, so the batch encrypts only values that will be written.
    needs_national_id: bool = True
    needs_date_of_birth: bool = True
    inserted: bool = False  # this batch created the debtor
    phones: dict[str, PhoneRecord] = field(default_factory=dict)  # e164 -> as last given
    current_phones: dict[str, str] = field(default_factory=dict)  # kind -> the last number given
    emails: set[str] = field(default_factory=set)
    addresses: dict[AddressKey, AddressRecord] = field(default_factory=dict)  # the last is current

    @classmethod
    def of(cls, record: PersonRecord) -> Person:
        # A copy: merging later rows must not change the row's own record.
        person = cls(record=replace(record, phones=[], emails=[], address=None))
        person.absorb(record)
        return person

    def absorb(self, other: PersonRecord) -> None:
        record = self.record
        if other is not record:
            record.first_name, record.last_name = other.first_name, other.last_name
            record.middle_name = other.middle_name or record.middle_name
            record.language = other.language
        record.is_deceased |= other.is_deceased
        record.in_bankruptcy |= other.in_bankruptcy
        record.cease_communication |= other.cease_communication
        if other.attorney_name:
            record.attorney_name, record.attorney_phone = other.attorney_name, other.attorney_phone
        if not record.national_id and other.national_id:
            record.national_id, record.national_id_hash = other.national_id, other.national_id_hash
        if not record.date_of_birth:
            record.date_of_birth = other.date_of_birth
        if other.address is not None:
            key = address_key(other.address)
            self.addresses.pop(key, None)  # seen again: it moves to the end, the current one
            self.addresses[key] = other.address
            record.address = other.address
        for phone in other.phones:
            self.phones.pop(phone.e164, None)
            self.phones[phone.e164] = phone
            if phone.kind in REPLACEABLE_KINDS:
                self.current_phones[phone.kind] = phone.e164
        self.emails.update(other.emails)

    @property
    def current_address(self) -> AddressKey | None:
        return next(reversed(self.addresses)) if self.addresses else None


# -- the same person on several rows -------------------------------------------------------------


def people_group(batch: Batch) -> None:
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
        if candidate is not None and _same_person(
            record.national_id_hash, candidate.record.national_id_hash
        ):
            person = candidate
    if person is None:
        person = Person.of(record)
        people.append(person)
    else:
        person.absorb(record)
    if person.record.national_id_hash:
        by_national.setdefault(person.record.national_id_hash, person)
    by_identity.setdefault(record.identity_hash, person)
    return person


def _same_person(mine: str, theirs: str) -> bool:
    """Two national ids that differ are two people; a missing one decides nothing."""
    return not mine or not theirs or mine == theirs


def people_regroup(batch: Batch) -> None:
    """Persons that turned out to be one stored debtor (a corrected name or address found through
    the account, a debtor another writer created) become one, their rows merged in file order, so
    the result is the one a batch of one row at a time would give."""
    ids = [p.debtor_id for p in batch.people]
    if len(set(ids)) == len(ids):
        return
    groups: dict[int, Person] = {}

    def merged(person: Person, record: PersonRecord) -> Person:
        assert person.debtor_id is not None
        group = groups.get(person.debtor_id)
        if group is None:
            group = groups[person.debtor_id] = Person.of(record)
            group.debtor_id = person.debtor_id
            group.needs_national_id = person.needs_national_id
            group.needs_date_of_birth = person.needs_date_of_birth
            group.inserted = person.inserted
        else:
            group.absorb(record)
        return group

    links: list[tuple[Person, Person | None]] = []
    for row, (debtor, cosigner) in zip(batch.rows, batch.links, strict=True):
        first = merged(debtor, row.debtor)
        second = None
        if cosigner is not None and row.cosigner is not None:
            second = merged(cosigner, row.cosigner)
        links.append((first, second))
    batch.people, batch.links = list(groups.values()), links


# -- finding the stored debtor -------------------------------------------------------------------

Linked = dict[int, list[tuple[int, int, str, str, bool]]]  # account id -> (link id, debtor id, ...)


def people_match(batch: Batch, existing: dict[str, int], linked: Linked) -> None:
    """The stored debtor of each person: national id, else the debtor already linked to the row's
    account in the same role (a corrected name or address), else identity."""
    people = batch.people
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
    for row, (debtor, cosigner) in zip(batch.rows, batch.links, strict=True):
        account_id = existing.get(row.account.account_number)
        if account_id is None:
            continue
        for someone, role in ((debtor, PRIMARY), (cosigner, CO_SIGNER)):
            if someone is None or someone.debtor_id is not None:
                continue
            for _, debtor_id, link_role, national, dob_empty in linked.get(account_id, ()):
                if link_role == role and _same_person(someone.record.national_id_hash, national):
                    someone.debtor_id, someone.needs_date_of_birth = debtor_id, dob_empty
                    someone.needs_national_id = not national
                    break
    people_match_keys([p for p in people if p.debtor_id is None], national=False)


def people_match_keys(people: list[Person], *, national: bool = True) -> None:
    """Match on the keys alone: national id (when asked), then identity."""
    if national:
        by_national: dict[str, list[Person]] = {}
        for person in people:
            if person.record.national_id_hash:
                by_national.setdefault(person.record.national_id_hash, []).append(person)
        for key, debtor_id, _, dob_empty in _debtors_by("national_id_hash", list(by_national)):
            for person in by_national.pop(key, ()):  # the oldest debtor with the key
                person.debtor_id, person.needs_date_of_birth = debtor_id, dob_empty
                person.needs_national_id = False
    unmatched = [p for p in people if p.debtor_id is None]
    candidates: dict[str, list[tuple[int, str, bool]]] = {}
    for key, debtor_id, stored_national, dob_empty in _debtors_by(
        "identity_hash", [p.record.identity_hash for p in unmatched]
    ):
        candidates.setdefault(key, []).append((debtor_id, stored_national, dob_empty))
    for person in unmatched:
        mine = person.record.national_id_hash
        for debtor_id, stored_national, dob_empty in candidates.get(
            person.record.identity_hash, []
        ):
            if _same_person(mine, stored_national):
                person.debtor_id = debtor_id
                person.needs_national_id = not stored_national
                person.needs_date_of_birth = dob_empty
                break


def people_lock(people: list[Person]) -> None:
    """PostgreSQL: lock the matched debtors in id order (two writers never wait on each other in a
    circle) and re-read what a writer that committed meanwhile may have filled in."""
    if not people or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, national_id_hash, date_of_birth = '' FROM {Debtor._meta.db_table} "  # noqa: S608 - model name
            "WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
            [sorted({p.debtor_id for p in people if p.debtor_id is not None})],
        )
        fresh = {debtor_id: (national, bool(empty)) for debtor_id, national, empty in cursor}
    for person in people:
        national, dob_empty = fresh[debtor_id_of(person)]
        if not _same_person(person.record.national_id_hash, national):
            raise RaceLostError(f"debtor {person.debtor_id} gained another national id meanwhile")
        person.needs_national_id = not national
        person.needs_date_of_birth = dob_empty


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


def links_read(account_ids: list[int]) -> Linked:
    """The debtors already on these accounts: (link id, debtor id, role, national id hash, date of
    birth empty) per account."""
    linked: Linked = {}
    if not account_ids:
        return linked
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT link.id, link.account_id, link.debtor_id, link.role, d.national_id_hash, "  # noqa: S608 - model names
                f"d.date_of_birth = '' FROM {AccountDebtor._meta.db_table} AS link "
                f"JOIN {Debtor._meta.db_table} AS d ON d.id = link.debtor_id "
                "WHERE link.account_id = ANY(%s) ORDER BY link.id",
                [account_ids],
            )
            rows = cursor.fetchall()
    else:
        rows = []
        for chunk in _chunks(account_ids):
            rows.extend(
                AccountDebtor.objects.filter(account_id__in=chunk)
                .annotate(dob_empty=ExpressionWrapper(Q(debtor__date_of_birth=""), BooleanField()))
                .order_by("id")
                .values_list(
                    "id", "account_id", "debtor_id", "role", "debtor__national_id_hash", "dob_empty"
                )
            )
    for link_id, account_id, debtor_id, role, national, dob_empty in rows:
        linked.setdefault(account_id, []).append(
            (link_id, debtor_id, role, national, bool(dob_empty))
        )
    return linked


def account_ids(client_id: int, numbers: list[str]) -> dict[str, int]:
    """The client's stored accounts among these numbers; on PostgreSQL locked in id order, so two
    writers updating the same accounts take turns instead of deadlocking."""
    if not numbers:
        return {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT account_number, id FROM {Account._meta.db_table} "  # noqa: S608 - model name
                "WHERE client_id = %s AND account_number = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
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


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """Slices small enough for one statement's parameters on every database."""
    return _chunks(items)


def address_key(address: AddressRecord) -> AddressKey:
    """What makes two addresses of a debtor the same (the table's unique constraint)."""
    return (address.line1, address.postal_code, address.country)


def debtor_id_of(person: Person) -> int:
    assert person.debtor_id is not None, "debtors are inserted before their contact points"
    return person.debtor_id


def last4(national_id: str) -> str:
    return national_id[-4:] if national_id else ""
