"""The writer for SQLite (and any other database): bulk statements through the ORM.

Used where COPY is not available; the grouping and matching of debtors is shared (`store`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection
from django.db.models import Model

from solvent.portfolio.imports.records import AccountRecord, PersonRecord, PlacementRow
from solvent.portfolio.imports.store import (
    ACCOUNT_UPDATE_FIELDS,
    Batch,
    Person,
    debtor_id_of,
    last4,
)
from solvent.portfolio.models import Account, AccountDebtor, Address, Debtor, Email, Phone


class OrmWriter:
    """Bulk statements through the ORM: the embedded SQLite database and any other backend."""

    def debtors_insert(self, batch: Batch, people: list[Person]) -> None:
        debtors = [_debtor_model(p.record) for p in people]
        Debtor.objects.bulk_create(debtors, batch_size=500)
        for person, debtor in zip(people, debtors, strict=True):
            person.debtor_id = debtor.pk

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
        Phone.objects.bulk_create(list(_phones(people)), batch_size=500, ignore_conflicts=True)
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

    def accounts_insert(self, batch: Batch, rows: list[PlacementRow]) -> list[int]:
        accounts = [
            Account(
                client_id=batch.client_id,
                placement_id=batch.placement_id,
                placed_on=batch.placed_on,
                account_number=row.account.account_number,
                **_account_values(row.account),
            )
            for row in rows
        ]
        Account.objects.bulk_create(accounts, batch_size=500)
        return [account.pk for account in accounts]

    def accounts_update(self, batch: Batch, rows: list[PlacementRow], ids: list[int]) -> None:
        accounts = []
        for row, account_id in zip(rows, ids, strict=True):
            account = Account(pk=account_id, updated_at=batch.now, **_account_values(row.account))
            accounts.append(account)
        _update_many(Account, [*ACCOUNT_UPDATE_FIELDS, "updated_at"], accounts)

    def links_insert(self, rows: list[tuple[int, int, str]], *, may_exist: bool) -> None:
        links = [AccountDebtor(account_id=a, debtor_id=d, role=r) for a, d, r in rows]
        AccountDebtor.objects.bulk_create(links, batch_size=500, ignore_conflicts=may_exist)


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


def _phones(people: Iterable[Person]) -> Iterator[Phone]:
    for person in people:
        for e164, (kind, line_type, region, zones) in person.phones.items():
            yield Phone(
                debtor_id=debtor_id_of(person),
                e164=e164,
                kind=kind,
                line_type=line_type,
                region_code=region,
                time_zones=list(zones),
            )


def _addresses(people: Iterable[Person]) -> Iterator[Address]:
    for person in people:
        address = person.record.address
        if address is not None:
            yield Address(
                debtor_id=debtor_id_of(person),
                line1=address.line1,
                line2=address.line2,
                city=address.city,
                region=address.region,
                postal_code=address.postal_code,
                country=address.country,
            )
