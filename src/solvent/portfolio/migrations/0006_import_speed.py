"""Drop the indexes on the tables an import writes that no query can use (ADR 0004, issue 15).

Every row an import writes maintains every index of its table. These indexes buy nothing:

- a foreign key's own index where a unique index starts with the same column and so serves every
  look-up by it: Account.client (account_unique_per_client), AccountDebtor.account
  (account_debtor_unique), Phone/Email/Address.debtor (their unique-per-debtor indexes), and the
  contact points' client links (the through tables' unique (point, client) index);
- PostgreSQL's ``varchar_pattern_ops`` twins Django adds to indexed text columns for LIKE 'x%':
  the code never filters the match-key hashes or the status by a prefix, and a debtor's name is
  searched with icontains (UPPER(...) LIKE '%x%'), which no btree serves.

Kept: Phone.e164 (inbound calls, the queue and the dialer find a number without its debtor), the
hashes' own indexes (the import's look-ups), Debtor.last_name (the search's ordering),
Account.status and the placement links.

Written as SQL, not as model changes, because the models belong to another part of issue 15; the
model state still declares the foreign keys' db_index (`IF EXISTS` makes a later change to those
fields harmless). Reversible: the indexes are created again as Django made them.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# (index, table, columns): covered by a unique index that starts with the same column.
_COVERED = (
    ("portfolio_account_client_id_2ba8473e", "portfolio_account", "client_id"),
    ("portfolio_accountdebtor_account_id_417683b4", "portfolio_accountdebtor", "account_id"),
    ("portfolio_address_debtor_id_bf94b047", "portfolio_address", "debtor_id"),
    ("portfolio_email_debtor_id_db2a9fad", "portfolio_email", "debtor_id"),
    ("portfolio_phone_debtor_id_c5798c80", "portfolio_phone", "debtor_id"),
    ("portfolio_address_clients_address_id_a3ce3849", "portfolio_address_clients", "address_id"),
    ("portfolio_email_clients_email_id_11bb9f5f", "portfolio_email_clients", "email_id"),
    ("portfolio_phone_clients_phone_id_435933af", "portfolio_phone_clients", "phone_id"),
)
# PostgreSQL only: LIKE-prefix twins of text indexes.
_PATTERN_OPS = (
    ("portfolio_debtor_identity_hash_58d85cfe_like", "portfolio_debtor", "identity_hash"),
    ("portfolio_debtor_national_id_hash_b0205ff4_like", "portfolio_debtor", "national_id_hash"),
    ("portfolio_debtor_last_name_17b80b67_like", "portfolio_debtor", "last_name"),
    ("portfolio_account_status_5d1688cf_like", "portfolio_account", "status"),
)


def _drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    names = [name for name, _, _ in _COVERED]
    if schema_editor.connection.vendor == "postgresql":
        names += [name for name, _, _ in _PATTERN_OPS]
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def _create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for name, table, column in _COVERED:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")
    if schema_editor.connection.vendor == "postgresql":
        for name, table, column in _PATTERN_OPS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    # After track C's 0006 rather than beside it: two leaves would stop every `migrate` until the
    # merge (the brief named 0005; the order between the two does not matter).
    dependencies = [("portfolio", "0006_import_concurrency")]

    operations = [migrations.RunPython(_drop, _create)]
