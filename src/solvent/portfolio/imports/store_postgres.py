"""The PostgreSQL writer: COPY for what is new, a staging table and one statement for the rest.

New debtors and accounts get their ids from the table's sequence up front. New debtors go through
a staging table and one INSERT ... ON CONFLICT DO NOTHING RETURNING in the order of their match
keys: a debtor another writer created first is a conflict (the unique indexes of migration 0006),
handed back to `store` to be matched, and two writers inserting in the same order never wait on each
other in a circle. Everything hanging off a new debtor or account (contact points, account links) is
streamed with COPY straight into the real tables: nothing there can conflict. Rows for debtors and
accounts that already exist (locked by `store`) go through a temporary staging table (COPY again)
and one UPDATE or INSERT ... ON CONFLICT each. Personal data is encrypted here, value by value,
exactly as the model field would (Fernet via core.crypto).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from solvent.core.crypto import encrypt
from solvent.portfolio.imports.records import PlacementRow
from solvent.portfolio.imports.store import ACCOUNT_UPDATE_FIELDS, Batch
from solvent.portfolio.imports.store_people import (
    Person,
    last4,
)
from solvent.portfolio.imports.store_postgres_points import points_attribute, points_retire
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    ContactStatus,
    Debtor,
    Email,
    Phone,
)

_DEBTOR_COLUMNS = (
    "id",
    "first_name",
    "middle_name",
    "last_name",
    "date_of_birth",
    "national_id",
    "national_id_hash",
    "identity_hash",
    "national_id_last4",
    "language",
    "is_deceased",
    "in_bankruptcy",
    "attorney_represented",
    "attorney_name",
    "attorney_firm",
    "attorney_phone",
    "attorney_email",
    "cease_communication",
    "created_at",
    "updated_at",
)
_PHONE_COLUMNS = (
    "debtor_id",
    "e164",
    "extension",
    "kind",
    "line_type",
    "source",
    "status",
    "region_code",
    "time_zones",
    "created_at",
)
_EMAIL_COLUMNS = ("debtor_id", "address", "source", "status", "created_at")
_ADDRESS_COLUMNS = (
    "debtor_id",
    "kind",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "is_current",
    "source",
    "created_at",
)
_ACCOUNT_COLUMNS = (
    "id",
    "client_id",
    "placement_id",
    "account_number",
    *ACCOUNT_UPDATE_FIELDS,
    "import_hash",
    "placed_on",
    "status",
    "created_at",
    "updated_at",
)
_LINK_COLUMNS = ("account_id", "debtor_id", "role")

# Flags only ever switch on from a file: a client's "false" must not lift a deceased, bankruptcy
# or cease flag an agent recorded. Personal data fills gaps but never overwrites.
_DEBTOR_UPDATE = """
UPDATE {debtor} AS d SET
    first_name = s.first_name,
    middle_name = CASE WHEN s.middle_name <> '' THEN s.middle_name ELSE d.middle_name END,
    last_name = s.last_name,
    language = s.language,
    is_deceased = d.is_deceased OR s.is_deceased,
    in_bankruptcy = d.in_bankruptcy OR s.in_bankruptcy,
    cease_communication = d.cease_communication OR s.cease_communication,
    attorney_represented = d.attorney_represented OR s.attorney_represented,
    attorney_name = CASE WHEN s.attorney_name <> '' THEN s.attorney_name ELSE d.attorney_name END,
    attorney_phone = CASE WHEN s.attorney_name <> '' THEN s.attorney_phone ELSE d.attorney_phone END,
    national_id = CASE WHEN d.national_id_hash = '' AND s.national_id_hash <> ''
        THEN s.national_id ELSE d.national_id END,
    national_id_last4 = CASE WHEN d.national_id_hash = '' AND s.national_id_hash <> ''
        THEN s.national_id_last4 ELSE d.national_id_last4 END,
    national_id_hash = CASE WHEN d.national_id_hash = '' THEN s.national_id_hash
        ELSE d.national_id_hash END,
    date_of_birth = CASE WHEN d.date_of_birth = '' THEN s.date_of_birth ELSE d.date_of_birth END,
    identity_hash = CASE WHEN d.identity_hash = '' THEN s.identity_hash ELSE d.identity_hash END,
    updated_at = s.updated_at
FROM {stage} AS s WHERE d.id = s.id
"""

# The client's own number takes the kind and extension its file now gives; a superseded number the
# file gives again is valid again (ADR 0036). Unchanged rows are left alone (no dead tuples).
_PHONE_UPSERT = f"""
(debtor_id, e164) DO UPDATE SET
    kind = CASE WHEN p.source = 'client' THEN EXCLUDED.kind ELSE p.kind END,
    extension = CASE WHEN p.source = 'client' THEN EXCLUDED.extension ELSE p.extension END,
    status = CASE WHEN p.status = '{ContactStatus.SUPERSEDED.value}'
        THEN '{ContactStatus.VALID.value}' ELSE p.status END
WHERE p.status = '{ContactStatus.SUPERSEDED.value}'
    OR (p.source = 'client' AND (p.kind, p.extension) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.extension))
"""


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class CopyWriter:
    def __init__(self) -> None:
        self.cursor = connection.cursor().cursor  # the psycopg cursor, inside Django's transaction

    # -- debtors ---------------------------------------------------------------------------------

    def debtors_insert(self, batch: Batch, people: list[Person]) -> list[Person]:
        """Insert the new debtors; return those another writer created first (not inserted)."""
        if not people:
            return []
        ids = self._next_ids(Debtor, len(people))
        for person, debtor_id in zip(people, ids, strict=True):
            person.debtor_id = debtor_id
        stage = self._stage(Debtor, _DEBTOR_COLUMNS, (_debtor_row(batch, p) for p in people))
        names = ", ".join(_DEBTOR_COLUMNS)
        # In the order of the match keys (without a national id first, by identity; then by
        # national id): every writer takes the unique indexes' entries in the same order.
        self.cursor.execute(
            f"INSERT INTO {_table(Debtor)} ({names}) SELECT {names} FROM {stage} "  # noqa: S608 - model names
            "ORDER BY national_id_hash, identity_hash ON CONFLICT DO NOTHING RETURNING id"
        )
        inserted = {row[0] for row in self.cursor.fetchall()}
        lost = []
        for person in people:
            if person.debtor_id in inserted:
                person.inserted = True
            else:
                person.debtor_id = None
                lost.append(person)
        return lost

    def debtors_update(self, batch: Batch, people: list[Person]) -> None:
        if not people:
            return
        stage = self._stage(Debtor, _DEBTOR_COLUMNS, (_debtor_row(batch, p) for p in people))
        self.cursor.execute(_DEBTOR_UPDATE.format(debtor=_table(Debtor), stage=stage))

    # -- phones, e-mails, addresses --------------------------------------------------------------

    def contact_points_upsert(self, batch: Batch, new: list[Person], old: list[Person]) -> None:
        now = batch.now
        self._copy(_table(Phone), _PHONE_COLUMNS, _phone_rows(new, now))
        self._copy(_table(Email), _EMAIL_COLUMNS, _email_rows(new, now))
        self._copy(_table(Address), _ADDRESS_COLUMNS, _address_rows(new, now))
        if not old:
            return
        self._upsert(Phone, _PHONE_COLUMNS, _phone_rows(old, now), _PHONE_UPSERT)
        self._upsert(
            Email, _EMAIL_COLUMNS, _email_rows(old, now), "(debtor_id, address) DO NOTHING"
        )
        self._upsert(
            Address,
            _ADDRESS_COLUMNS,
            _address_rows(old, now),
            "(debtor_id, line1, postal_code, country) DO UPDATE SET line2 = EXCLUDED.line2, "
            "city = EXCLUDED.city, region = EXCLUDED.region, is_current = TRUE",
        )

    def contact_points_attribute(self, batch: Batch) -> None:
        points_attribute(self.cursor, batch)

    def contact_points_retire(self, batch: Batch) -> None:
        points_retire(self.cursor, batch)

    # -- accounts and their debtors --------------------------------------------------------------

    def accounts_insert(self, batch: Batch, rows: list[PlacementRow]) -> list[int]:
        ids = self._next_ids(Account, len(rows))
        self._copy(
            _table(Account),
            _ACCOUNT_COLUMNS,
            (
                _account_row(batch, row, account_id)
                for row, account_id in zip(rows, ids, strict=True)
            ),
        )
        return ids

    def accounts_update(self, batch: Batch, rows: list[PlacementRow], ids: list[int]) -> None:
        if not rows:
            return
        stage = self._stage(
            Account,
            _ACCOUNT_COLUMNS,
            (
                _account_row(batch, row, account_id)
                for row, account_id in zip(rows, ids, strict=True)
            ),
        )
        assignments = ", ".join(
            f"{name} = s.{name}" for name in (*ACCOUNT_UPDATE_FIELDS, "import_hash", "updated_at")
        )
        self.cursor.execute(
            f"UPDATE {_table(Account)} AS a SET {assignments} FROM {stage} AS s WHERE a.id = s.id"  # noqa: S608 - names from the model, values bound
        )

    def links_insert(self, rows: list[tuple[int, int, str]], *, may_exist: bool) -> None:
        if may_exist:
            # A debtor on the account already keeps the link and takes the role the file gives.
            self._upsert(
                AccountDebtor,
                _LINK_COLUMNS,
                rows,
                "(account_id, debtor_id) DO UPDATE SET role = EXCLUDED.role "
                "WHERE p.role <> EXCLUDED.role",
            )
        else:
            self._copy(_table(AccountDebtor), _LINK_COLUMNS, rows)

    # -- plumbing --------------------------------------------------------------------------------

    def _next_ids(self, model: type[Model], count: int) -> list[int]:
        if count == 0:
            return []
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (model._meta.db_table, count),
        )
        return [row[0] for row in self.cursor.fetchall()]

    def _copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _stage(
        self, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> str:
        """A temporary copy of the table's shape (no constraints), filled by COPY."""
        stage = f"import_stage_{model._meta.db_table}"
        names = ", ".join(columns)
        self.cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "  # noqa: S608 - model names
            f"SELECT {names} FROM {_table(model)} WITH NO DATA"
        )
        self.cursor.execute(f"TRUNCATE {stage}")
        self._copy(stage, columns, rows)
        return stage

    def _upsert(
        self,
        model: type[Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        conflict: str,
    ) -> None:
        stage = self._stage(model, columns, rows)
        names = ", ".join(columns)
        self.cursor.execute(
            f"INSERT INTO {_table(model)} AS p ({names}) SELECT {names} FROM {stage} "  # noqa: S608 - model names
            f"ORDER BY {columns[0]}, {columns[1]} ON CONFLICT {conflict}"
        )


def _debtor_row(batch: Batch, person: Person) -> tuple[object, ...]:
    record = person.record
    national_id = (
        encrypt(record.national_id) if record.national_id and person.needs_national_id else ""
    )
    born = (
        encrypt(record.date_of_birth) if record.date_of_birth and person.needs_date_of_birth else ""
    )
    return (
        person.debtor_id,
        record.first_name,
        record.middle_name,
        record.last_name,
        born,
        national_id,
        record.national_id_hash,
        record.identity_hash,
        last4(record.national_id),
        record.language,
        record.is_deceased,
        record.in_bankruptcy,
        bool(record.attorney_name),
        record.attorney_name,
        "",
        record.attorney_phone,
        "",
        record.cease_communication,
        batch.now,
        batch.now,
    )


def _phone_rows(people: list[Person], now: object) -> Iterable[tuple[object, ...]]:
    for person in people:
        for phone in person.phones.values():
            yield (
                person.debtor_id,
                phone.e164,
                phone.extension,
                phone.kind,
                phone.line_type,
                "client",
                "valid",
                phone.region_code,
                json.dumps(list(phone.time_zones)),
                now,
            )


def _email_rows(people: list[Person], now: object) -> Iterable[tuple[object, ...]]:
    for person in people:
        for address in sorted(person.emails):
            yield (person.debtor_id, address, "client", "valid", now)


def _address_rows(people: list[Person], now: object) -> Iterable[tuple[object, ...]]:
    for person in people:
        for a in person.addresses.values():
            yield (
                person.debtor_id,
                "home",
                a.line1,
                a.line2,
                a.city,
                a.region,
                a.postal_code,
                a.country,
                True,
                "client",
                now,
            )


def _account_row(batch: Batch, row: PlacementRow, account_id: int) -> tuple[object, ...]:
    account = row.account
    return (
        account_id,
        batch.client_id,
        batch.placement_id,
        account.account_number,
        *(getattr(account, name) for name in ACCOUNT_UPDATE_FIELDS),
        row.fingerprint,
        batch.placed_on,
        Account.Status.ACTIVE.value,
        batch.now,
        batch.now,
    )
