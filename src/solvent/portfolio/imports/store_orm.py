"""The writer for SQLite (and any other database): bulk statements through the ORM.

Used where COPY is not available; the grouping and matching of debtors is shared (`store`). SQLite
writes one transaction at a time, so nothing here races another writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q

from solvent.portfolio.imports.records import (
    AccountRecord,
    PersonRecord,
    PhoneRecord,
    PlacementRow,
)
from solvent.portfolio.imports.store import ACCOUNT_UPDATE_FIELDS, Batch
from solvent.portfolio.imports.store_people import (
    REPLACEABLE_KINDS,
    Person,
    chunks,
    debtor_id_of,
    last4,
)
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    ContactStatus,
    Debtor,
    Email,
    Phone,
)

_CLIENT = Phone.Source.CLIENT.value


class OrmWriter:
    """Bulk statements through the ORM: the embedded SQLite database and any other backend."""

    def debtors_insert(self, batch: Batch, people: list[Person]) -> list[Person]:
        debtors = [_debtor_model(p.record) for p in people]
        Debtor.objects.bulk_create(debtors, batch_size=500)
        for person, debtor in zip(people, debtors, strict=True):
            person.debtor_id, person.inserted = debtor.pk, True
        return []  # one writer at a time: no other writer can have created them

    def debtors_update(self, batch: Batch, people: list[Person]) -> None:
        stored = Debtor.objects.in_bulk([p.debtor_id for p in people])
        changed = []
        for person in people:
            debtor, record = stored[person.debtor_id], person.record
            debtor.first_name, debtor.last_name = record.first_name, record.last_name
            debtor.middle_name = record.middle_name or debtor.middle_name
            debtor.language = record.language
            debtor.is_deceased |= record.is_deceased
            debtor.in_bankruptcy |= record.in_bankruptcy
            debtor.cease_communication |= record.cease_communication
            if record.attorney_name:
                debtor.attorney_represented = True
                debtor.attorney_name = record.attorney_name
                debtor.attorney_phone = record.attorney_phone
            if not debtor.national_id_hash and record.national_id_hash:
                debtor.national_id, debtor.national_id_hash = (
                    record.national_id,
                    record.national_id_hash,
                )
                debtor.national_id_last4 = last4(record.national_id)
            if not debtor.date_of_birth and record.date_of_birth:
                debtor.date_of_birth = record.date_of_birth
            debtor.identity_hash = debtor.identity_hash or record.identity_hash
            debtor.updated_at = batch.now
            changed.append(debtor)
        _update_many(Debtor, _DEBTOR_UPDATE_FIELDS, changed)

    def contact_points_upsert(self, batch: Batch, new: list[Person], old: list[Person]) -> None:
        people = [*new, *old]
        stored = _stored_phones([debtor_id_of(p) for p in old])
        inserts: list[Phone] = []
        changes: list[Phone] = []
        for person in people:
            for e164, phone in person.phones.items():
                debtor_id = debtor_id_of(person)
                hit = stored.get((debtor_id, e164))
                if hit is None:
                    inserts.append(_phone_model(debtor_id, phone))
                    continue
                # The client's own number takes the kind and extension its file now gives; a
                # superseded number the file gives again is the debtor's again (ADR 0036).
                pk, source, status, kind, extension = hit
                if source == _CLIENT:
                    kind, extension = phone.kind, phone.extension
                if status == ContactStatus.SUPERSEDED:
                    status = ContactStatus.VALID.value
                if (status, kind, extension) != hit[2:]:
                    changes.append(Phone(pk=pk, kind=kind, extension=extension, status=status))
        Phone.objects.bulk_create(inserts, batch_size=500)
        _update_many(Phone, ["kind", "extension", "status"], changes)
        emails = [
            Email(debtor_id=debtor_id_of(p), address=a) for p in people for a in sorted(p.emails)
        ]
        Email.objects.bulk_create(emails, batch_size=500, ignore_conflicts=True)
        Address.objects.bulk_create(
            list(_addresses(people)),
            batch_size=500,
            update_conflicts=True,
            unique_fields=["debtor", "line1", "postal_code", "country"],
            update_fields=["line2", "city", "region", "is_current"],
        )

    def contact_points_attribute(self, batch: Batch) -> None:
        """Record that this client's file supplied each phone, e-mail and address of the batch: the
        client's users see them; another client's users of the same debtor do not (ADR 0022)."""
        people = {p.debtor_id: p for p in batch.people if p.debtor_id is not None}
        client_id = batch.client_id
        phone_links, email_links, address_links = [], [], []
        for ids in chunks(list(people)):
            phone_links += [
                Phone.clients.through(phone_id=pk, client_id=client_id)
                for pk, debtor_id, e164 in Phone.objects.filter(debtor_id__in=ids).values_list(
                    "pk", "debtor_id", "e164"
                )
                if e164 in people[debtor_id].phones
            ]
            email_links += [
                Email.clients.through(email_id=pk, client_id=client_id)
                for pk, debtor_id, address in Email.objects.filter(debtor_id__in=ids).values_list(
                    "pk", "debtor_id", "address"
                )
                if address in people[debtor_id].emails
            ]
            address_links += [
                Address.clients.through(address_id=pk, client_id=client_id)
                for pk, debtor_id, *key in Address.objects.filter(debtor_id__in=ids).values_list(
                    "pk", "debtor_id", "line1", "postal_code", "country"
                )
                if tuple(key) in people[debtor_id].addresses
            ]
        Phone.clients.through.objects.bulk_create(
            phone_links, batch_size=1000, ignore_conflicts=True
        )
        Email.clients.through.objects.bulk_create(
            email_links, batch_size=1000, ignore_conflicts=True
        )
        Address.clients.through.objects.bulk_create(
            address_links, batch_size=1000, ignore_conflicts=True
        )

    def contact_points_retire(self, batch: Batch) -> None:
        """The client's earlier number of a kind it now gives another number for is superseded;
        its earlier address is no longer current. Only what this client alone supplied, never what
        the debtor, skip tracing or another client's file gave (ADR 0036)."""
        people = {debtor_id_of(p): p for p in batch.people}
        client_id = batch.client_id
        stale_phones: list[int] = []
        stale_addresses: list[int] = []
        for ids in chunks([i for i, p in people.items() if p.current_phones]):
            phones = (
                Phone.objects.filter(
                    debtor_id__in=ids,
                    source=_CLIENT,
                    status=ContactStatus.VALID,
                    kind__in=REPLACEABLE_KINDS,
                )
                .filter(_only_this_client(Phone, "phone", client_id))
                .values_list("pk", "debtor_id", "kind", "e164")
            )
            stale_phones += [
                pk
                for pk, debtor_id, kind, e164 in phones
                if people[debtor_id].current_phones.get(kind, e164) != e164
            ]
        for ids in chunks([i for i, p in people.items() if p.addresses]):
            addresses = (
                Address.objects.filter(debtor_id__in=ids, source=_CLIENT, is_current=True)
                .filter(_only_this_client(Address, "address", client_id))
                .values_list("pk", "debtor_id", "line1", "postal_code", "country")
            )
            stale_addresses += [
                pk
                for pk, debtor_id, *key in addresses
                if people[debtor_id].current_address != tuple(key)
            ]
        for pks in chunks(stale_phones):
            Phone.objects.filter(pk__in=pks).update(status=ContactStatus.SUPERSEDED)
        for pks in chunks(stale_addresses):
            Address.objects.filter(pk__in=pks).update(is_current=False)

    def accounts_insert(self, batch: Batch, rows: list[PlacementRow]) -> list[int]:
        accounts = [
            Account(
                client_id=batch.client_id,
                placement_id=batch.placement_id,
                placed_on=batch.placed_on,
                account_number=row.account.account_number,
                import_hash=row.fingerprint,
                **_account_values(row.account),
            )
            for row in rows
        ]
        Account.objects.bulk_create(accounts, batch_size=500)
        return [account.pk for account in accounts]

    def accounts_update(self, batch: Batch, rows: list[PlacementRow], ids: list[int]) -> None:
        accounts = []
        for row, account_id in zip(rows, ids, strict=True):
            account = Account(
                pk=account_id,
                updated_at=batch.now,
                import_hash=row.fingerprint,
                **_account_values(row.account),
            )
            accounts.append(account)
        _update_many(Account, [*ACCOUNT_UPDATE_FIELDS, "import_hash", "updated_at"], accounts)

    def links_insert(self, rows: list[tuple[int, int, str]], *, may_exist: bool) -> None:
        links = [AccountDebtor(account_id=a, debtor_id=d, role=r) for a, d, r in rows]
        if not may_exist:
            AccountDebtor.objects.bulk_create(links, batch_size=500)
            return
        # A debtor on the account already keeps the link and takes the role the file gives.
        AccountDebtor.objects.bulk_create(
            links,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["account", "debtor"],
            update_fields=["role"],
        )


def _update_many(model: type[Model], names: list[str], objects: list[Any]) -> None:
    """One prepared UPDATE run for every object: Django's bulk_update builds a CASE per field and
    row, which costs seconds per thousand rows."""
    if not objects:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608 - names from the model
    params = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]  # type: ignore[union-attr]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


_DEBTOR_UPDATE_FIELDS = [
    "first_name",
    "middle_name",
    "last_name",
    "language",
    "is_deceased",
    "in_bankruptcy",
    "cease_communication",
    "attorney_represented",
    "attorney_name",
    "attorney_phone",
    "national_id",
    "national_id_hash",
    "national_id_last4",
    "date_of_birth",
    "identity_hash",
    "updated_at",
]


def _account_values(account: AccountRecord) -> dict[str, object]:
    return {name: getattr(account, name) for name in ACCOUNT_UPDATE_FIELDS}


def _debtor_model(record: PersonRecord) -> Debtor:
    return Debtor(
        first_name=record.first_name,
        middle_name=record.middle_name,
        last_name=record.last_name,
        date_of_birth=record.date_of_birth,
        national_id=record.national_id,
        national_id_hash=record.national_id_hash,
        identity_hash=record.identity_hash,
        national_id_last4=last4(record.national_id),
        language=record.language,
        is_deceased=record.is_deceased,
        in_bankruptcy=record.in_bankruptcy,
        cease_communication=record.cease_communication,
        attorney_represented=bool(record.attorney_name),
        attorney_name=record.attorney_name,
        attorney_phone=record.attorney_phone,
    )


def _phone_model(debtor_id: int, phone: PhoneRecord) -> Phone:
    return Phone(
        debtor_id=debtor_id,
        e164=phone.e164,
        extension=phone.extension,
        kind=phone.kind,
        line_type=phone.line_type,
        region_code=phone.region_code,
        time_zones=list(phone.time_zones),
    )


def _stored_phones(debtor_ids: list[int]) -> dict[tuple[int, str], tuple[int, str, str, str, str]]:
    """(debtor, number) -> (id, source, status, kind, extension) of these debtors' phones."""
    stored = {}
    for ids in chunks(debtor_ids):
        for pk, debtor_id, e164, source, status, kind, extension in Phone.objects.filter(
            debtor_id__in=ids
        ).values_list("pk", "debtor_id", "e164", "source", "status", "kind", "extension"):
            stored[debtor_id, e164] = (pk, source, status, kind, extension)
    return stored


def _only_this_client(model: type[Model], name: str, client_id: int) -> Q:
    """Supplied by this client's files and by no other client's."""
    through = model._meta.get_field("clients").remote_field.through  # type: ignore[union-attr]
    supplied = through.objects.filter(**{f"{name}_id": OuterRef("pk")})
    return Q(Exists(supplied.filter(client_id=client_id))) & ~Q(
        Exists(supplied.exclude(client_id=client_id))
    )


def _addresses(people: Iterable[Person]) -> Iterator[Address]:
    for person in people:
        for address in person.addresses.values():
            yield Address(
                debtor_id=debtor_id_of(person),
                line1=address.line1,
                line2=address.line2,
                city=address.city,
                region=address.region,
                postal_code=address.postal_code,
                country=address.country,
            )
