"""Writing one batch of validated rows: find or create the debtors, then upsert everything else.

The caller holds the batch's transaction, so an account is never written without its debtors and
contact points. Debtors are matched (ADR 0036) on the keyed hash of the national id, then on the
debtor already linked to the row's account in the same role, then on the identity hash (name, date
of birth, postal code); the grouping of the same person inside a batch happens here too, the same
for every database. The writing itself is set-based: COPY on PostgreSQL (`store_postgres`), bulk
statements through the ORM elsewhere (`store_orm`).

Several batches may be written at once on PostgreSQL, each on its own connection: unique indexes on
the match keys (migration 0006) make a second insert of the same debtor a conflict that is resolved
by reading the winner's row; matched debtors and accounts are locked in id order before they are
written; a deadlock PostgreSQL detects (or a key another writer committed meanwhile) rolls the batch
back to its savepoint and it is written again from the start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from django.db import IntegrityError, OperationalError, connection, transaction

from solvent.portfolio.imports.records import PlacementRow
from solvent.portfolio.imports.store_people import (
    Person,
    RaceLostError,
    account_ids,
    links_read,
    people_group,
    people_lock,
    people_match,
    people_match_keys,
    people_regroup,
)

_people_group = people_group  # the name tests/portfolio/imports/test_import_killed.py imports

logger = logging.getLogger(__name__)

_ATTEMPTS = 5  # a batch is written again after a deadlock or a lost race, at most this often
# PostgreSQL's codes for "write it again": deadlock, serialization failure, a key committed meanwhile.
_RETRY_CODES = frozenset({"40P01", "40001", "23505"})


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
    def debtors_insert(self, batch: Batch, people: list[Person]) -> list[Person]: ...
    def debtors_update(self, batch: Batch, people: list[Person]) -> None: ...
    def contact_points_upsert(self, batch: Batch, new: list[Person], old: list[Person]) -> None: ...
    def contact_points_attribute(self, batch: Batch) -> None: ...
    def contact_points_retire(self, batch: Batch) -> None: ...
    def accounts_insert(self, batch: Batch, rows: list[PlacementRow]) -> list[int]: ...
    def accounts_update(self, batch: Batch, rows: list[PlacementRow], ids: list[int]) -> None: ...
    def links_insert(self, rows: list[tuple[int, int, str]], *, may_exist: bool) -> None: ...


def batch_store(batch: Batch) -> BatchOutcome:
    """Write one batch; the caller's transaction makes it all-or-nothing. Safe to call from several
    connections at once: a batch that lost a race is rolled back to its savepoint and rewritten."""
    for attempt in range(1, _ATTEMPTS + 1):
        batch.people, batch.links = [], []
        try:
            with transaction.atomic():
                return _batch_write(batch)
        except (RaceLostError, IntegrityError, OperationalError) as error:
            if attempt == _ATTEMPTS or not _retryable(error):
                raise
            logger.warning("placement %s: batch written again (%s)", batch.placement_id, error)
    raise AssertionError("unreachable")


def _retryable(error: Exception) -> bool:
    if isinstance(error, RaceLostError):
        return True
    code = getattr(error.__cause__, "sqlstate", None)
    return connection.vendor == "postgresql" and code in _RETRY_CODES


def _batch_write(batch: Batch) -> BatchOutcome:
    from solvent.portfolio.imports.store_links import links_write  # builds on Person and Batch

    writer = _writer()
    people_group(batch)
    numbers = sorted({row.account.account_number for row in batch.rows})
    existing = account_ids(batch.client_id, numbers)  # locked on PostgreSQL, in id order
    linked = links_read(list(existing.values()))
    people_match(batch, existing, linked)
    people_lock([p for p in batch.people if p.debtor_id is not None])
    new = [p for p in batch.people if p.debtor_id is None]
    lost = writer.debtors_insert(batch, new)
    if lost:  # another writer created them first: theirs are the debtors
        people_match_keys(lost)
        if any(p.debtor_id is None for p in lost):
            raise RaceLostError("a debtor this batch lost to another writer was not found")
        people_lock(lost)
    people_regroup(batch)
    new = [p for p in batch.people if p.inserted]
    old = [p for p in batch.people if not p.inserted]
    writer.debtors_update(batch, old)
    writer.contact_points_upsert(batch, new, old)
    writer.contact_points_attribute(batch)
    writer.contact_points_retire(batch)
    fresh_rows = [row for row in batch.rows if row.account.account_number not in existing]
    fresh_rows.sort(key=lambda row: row.account.account_number)  # the same order in every writer
    known_rows = [row for row in batch.rows if row.account.account_number in existing]
    fresh_ids = writer.accounts_insert(batch, fresh_rows)
    writer.accounts_update(
        batch, known_rows, [existing[row.account.account_number] for row in known_rows]
    )
    ids = dict(zip((r.account.account_number for r in fresh_rows), fresh_ids, strict=True))
    ids.update(existing)
    links_write(batch, writer, ids=ids, existing=existing, linked=linked)
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


def _writer() -> Writer:
    # Imported here: both writers build on this module's Batch and Person.
    if connection.vendor == "postgresql":
        from solvent.portfolio.imports.store_postgres import CopyWriter

        return CopyWriter()
    from solvent.portfolio.imports.store_orm import OrmWriter

    return OrmWriter()


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
