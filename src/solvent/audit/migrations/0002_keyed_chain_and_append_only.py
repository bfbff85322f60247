"""Key the chain (a version per entry, a sealed head) and make the database refuse UPDATE and DELETE.

Entries written before this migration keep key_version 0 and their plain SHA-256 hashes: the first
keyed entry after them covers the last old hash inside its HMAC, so editing an old entry (even with
every old hash recomputed) breaks the first keyed one. See ADR 0015.

The triggers are written here, not imported, so this migration stays what it was when it ran. On
SQLite a table rebuild (a later AlterField on these tables) drops triggers: such a migration must
create them again.
"""

from typing import Any

from django.db import migrations, models

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_head_kept ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""
SQLITE_CREATE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry BEGIN "
    "SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE on audit_auditentry refused'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry BEGIN "
    "SELECT RAISE(ABORT, 'audit trail is append-only: DELETE on audit_auditentry refused'); END",
    "CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_auditchainhead BEGIN "
    "SELECT RAISE(ABORT, 'audit trail is append-only: DELETE on audit_auditchainhead refused'); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_kept",
]


def _statements(vendor: str, create: bool) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRES_CREATE if create else POSTGRES_DROP]
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    # Fail closed: an unknown database would silently accept edits to the evidence.
    raise NotImplementedError(f"no append-only triggers for the {vendor} database")


def triggers_create(apps: Any, schema_editor: Any) -> None:
    for statement in _statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(statement, params=None)


def triggers_drop(apps: Any, schema_editor: Any) -> None:
    for statement in _statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditchainhead',
            name='last_entry_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='auditchainhead',
            name='seal',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='key_version',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
