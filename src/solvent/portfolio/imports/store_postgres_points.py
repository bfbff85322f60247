"""The PostgreSQL writer's statements about who supplied a contact point and which are retired.

Attribution records that this client's file supplied each phone, e-mail and address of the batch
(ADR 0022). Retiring marks superseded the client's earlier number of a kind its file now gives
another number for, and not current its earlier address (ADR 0036); each is one statement over the
whole batch, the batch's values passed as arrays.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model

from solvent.portfolio.imports.store import Batch
from solvent.portfolio.imports.store_people import REPLACEABLE_KINDS, debtor_id_of
from solvent.portfolio.models import Address, ContactStatus, Email, Phone

_ATTRIBUTE_SQL = """
INSERT INTO {links} ({point_column}, client_id)
SELECT point.id, %s FROM {points} AS point
JOIN unnest(%s::bigint[], {keys}) AS batch(debtor_id, {key_names})
  ON point.debtor_id = batch.debtor_id AND {key_match}
ON CONFLICT DO NOTHING
"""

# Only what this client's files alone supplied is retired: never a number or address the debtor,
# skip tracing or another client's file gave (ADR 0036).
_ONLY_THIS_CLIENT = """
EXISTS (SELECT 1 FROM {links} AS l WHERE l.{point_column} = p.id AND l.client_id = %(client)s)
AND NOT EXISTS (SELECT 1 FROM {links} AS l WHERE l.{point_column} = p.id AND l.client_id <> %(client)s)
"""
_PHONES_SUPERSEDE = """
UPDATE {points} AS p SET status = %(superseded)s
FROM unnest(%(debtors)s::bigint[], %(kinds)s::text[], %(numbers)s::text[]) AS cur(debtor_id, kind, e164)
WHERE p.debtor_id = cur.debtor_id AND p.kind = cur.kind AND p.e164 <> cur.e164
  AND p.source = 'client' AND p.status = %(valid)s AND {only_this_client}
"""
_ADDRESSES_RETIRE = """
UPDATE {points} AS p SET is_current = FALSE
FROM unnest(%(debtors)s::bigint[], %(line1)s::text[], %(postal)s::text[], %(country)s::text[])
    AS cur(debtor_id, line1, postal_code, country)
WHERE p.debtor_id = cur.debtor_id AND p.is_current AND p.source = 'client'
  AND (p.line1, p.postal_code, p.country) <> (cur.line1, cur.postal_code, cur.country)
  AND {only_this_client}
"""


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _links_table(model: type[Model]) -> str:
    through = model._meta.get_field("clients").remote_field.through  # type: ignore[union-attr]
    return connection.ops.quote_name(through._meta.db_table)


def _only_this_client(model: type[Model]) -> str:
    return _ONLY_THIS_CLIENT.format(
        links=_links_table(model), point_column=f"{model._meta.model_name}_id"
    )


def points_attribute(cursor: Any, batch: Batch) -> None:
    """Record that this client's file supplied each phone, e-mail and address of the batch: the
    client's users see them; another client's users of the same debtor do not (ADR 0022). One
    statement per kind, matched in the database (a batch has thousands)."""
    people = batch.people
    phones = [(p.debtor_id, e164) for p in people for e164 in p.phones]
    emails = [(p.debtor_id, address) for p in people for address in p.emails]
    addresses = [(p.debtor_id, *key) for p in people for key in p.addresses]
    kinds: list[tuple[type[Model], list[tuple[Any, ...]], tuple[str, ...]]] = [
        (Phone, phones, ("e164",)),
        (Email, emails, ("address",)),
        (Address, addresses, ("line1", "postal_code", "country")),
    ]
    for model, rows, names in kinds:
        if not rows:
            continue
        sql = _ATTRIBUTE_SQL.format(
            links=_links_table(model),
            point_column=f"{model._meta.model_name}_id",
            points=_table(model),
            keys=", ".join(["%s::text[]"] * len(names)),
            key_names=", ".join(names),
            key_match=" AND ".join(f"point.{name} = batch.{name}" for name in names),
        )
        columns = list(zip(*rows, strict=True))
        cursor.execute(sql, [batch.client_id, list(columns[0]), *(list(c) for c in columns[1:])])


def points_retire(cursor: Any, batch: Batch) -> None:
    """The client's earlier number of a kind it now gives another number for is superseded;
    its earlier address is no longer current."""
    phones = [
        (debtor_id_of(p), kind, e164)
        for p in batch.people
        for kind, e164 in p.current_phones.items()
        if kind in REPLACEABLE_KINDS
    ]
    addresses = [
        (debtor_id_of(p), *key) for p in batch.people if (key := p.current_address) is not None
    ]
    client = batch.client_id
    if phones:
        debtors, kinds, numbers = (list(c) for c in zip(*phones, strict=True))
        cursor.execute(
            _PHONES_SUPERSEDE.format(
                points=_table(Phone), only_this_client=_only_this_client(Phone)
            ),
            {
                "debtors": debtors,
                "kinds": kinds,
                "numbers": numbers,
                "client": client,
                "valid": ContactStatus.VALID.value,
                "superseded": ContactStatus.SUPERSEDED.value,
            },
        )
    if addresses:
        debtors, line1, postal, country = (list(c) for c in zip(*addresses, strict=True))
        cursor.execute(
            _ADDRESSES_RETIRE.format(
                points=_table(Address), only_this_client=_only_this_client(Address)
            ),
            {
                "debtors": debtors,
                "line1": line1,
                "postal": postal,
                "country": country,
                "client": client,
            },
        )
