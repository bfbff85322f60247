"""Name the key that sealed each entry and the head (audit key rotation), and why no person acted.

The columns are nullable so that SQLite adds them with ALTER TABLE instead of rebuilding the table,
which would drop the append-only triggers of 0002. Entries written before keep null: key_version 1
entries are checked with every key supplied (ADR 0015)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_keyed_chain_and_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, max_length=8, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="system",
            field=models.CharField(blank=True, max_length=200, null=True),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="key_id",
            field=models.CharField(blank=True, max_length=8, null=True),
        ),
    ]
