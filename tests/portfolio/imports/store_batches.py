"""Validated placement rows written straight through `batch_store`, in batches of any size.

The store tests use this instead of the whole import, so they depend only on the writing: rows
are validated by the real `row_validate` (from `good_row` dicts), then written batch by batch, each
batch in its own transaction as the import does.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction

from solvent.core import clock
from solvent.portfolio.domain.placement_columns import COLUMN_NAMES
from solvent.portfolio.imports.layout import Layout
from solvent.portfolio.imports.records import ImportContext, PlacementRow
from solvent.portfolio.imports.rows import row_validate
from solvent.portfolio.imports.source import RawRow
from solvent.portfolio.imports.store import Batch, BatchOutcome, batch_store
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Phone,
    Placement,
)

PLACED_ON = date(2026, 11, 1)
LAYOUT = Layout(
    header_row=1,
    positions={name: index for index, name in enumerate(COLUMN_NAMES)},
    width=len(COLUMN_NAMES),
)


def rows_valid(client: Client, rows: list[dict[str, str]]) -> list[PlacementRow]:
    context = ImportContext(
        client_id=client.pk,
        client_country="US",
        client_currency="USD",
        placed_on=PLACED_ON,
        hasher=lambda text: hashlib.sha256(text.encode()).hexdigest(),
        today=date(2026, 11, 24),
    )
    valid = []
    for number, row in enumerate(rows, start=2):
        result = row_validate(
            RawRow(number, [row[name] for name in COLUMN_NAMES]), layout=LAYOUT, context=context
        )
        assert isinstance(result, PlacementRow), result
        valid.append(result)
    return valid


def placement_create(client: Client) -> Placement:
    return Placement.objects.create(
        client=client, placed_on=PLACED_ON, source_name="p.csv", checksum="0" * 64
    )


def rows_store(
    client: Client, rows: list[dict[str, str]], *, batch_rows: int = 10_000
) -> list[BatchOutcome]:
    """Validate and write `rows` as one new placement, `batch_rows` rows a transaction."""
    placement = placement_create(client)
    valid = rows_valid(client, rows)
    outcomes = []
    for start in range(0, len(valid), batch_rows):
        with transaction.atomic():
            outcomes.append(
                batch_store(
                    Batch(
                        client.pk,
                        placement.pk,
                        PLACED_ON,
                        clock.now(),
                        valid[start : start + batch_rows],
                    )
                )
            )
    return outcomes


def snapshot() -> dict[str, set[tuple[object, ...]]]:
    """What the writers left, named by stable keys (not ids), to compare two runs."""
    names = dict(Debtor.objects.values_list("pk", "last_name"))
    return {
        "debtors": set(Debtor.objects.values_list("first_name", "last_name", "national_id_hash")),
        "accounts": set(Account.objects.values_list("account_number", "principal", "import_hash")),
        "links": {
            (number, names[debtor_id], role)
            for number, debtor_id, role in AccountDebtor.objects.values_list(
                "account__account_number", "debtor_id", "role"
            )
        },
        "phones": {
            (names[debtor_id], *rest)
            for debtor_id, *rest in Phone.objects.values_list(
                "debtor_id", "e164", "extension", "kind", "status"
            )
        },
        "addresses": {
            (names[debtor_id], *rest)
            for debtor_id, *rest in Address.objects.values_list(
                "debtor_id", "line1", "postal_code", "is_current"
            )
        },
    }
