"""Unique indexes on the debtor match keys, so writers of placements may run at once (ADR 0036).

A second writer's insert of a debtor another writer created first becomes a conflict the import
resolves by reading the winner's row (INSERT ... ON CONFLICT DO NOTHING), instead of a second
debtor. National ids identify a person; the identity hash (name, date of birth, postal code) only
for debtors without one (two people may share a name and birth date but not a national id).

Written as SQL (PostgreSQL and SQLite both support partial unique indexes) and not as a model
constraint, because the model (models.py) belongs to another part of issue 15; moving them into
Debtor.Meta.constraints later changes nothing in the database. Creating them fails with the
duplicated key named if two stored debtors already share a key: merge those first.
"""

from __future__ import annotations

from django.db import migrations

_INDEXES = (
    (
        "debtor_unique_national_id",
        "national_id_hash",
        "national_id_hash <> ''",
    ),
    (
        "debtor_unique_identity",
        "identity_hash",
        "national_id_hash = '' AND identity_hash <> ''",
    ),
)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0005_placement_profiles")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE UNIQUE INDEX {name} ON portfolio_debtor ({column}) WHERE {condition}",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, column, condition in _INDEXES
    ]
