"""Which clients supplied each contact point (ADR 0022), and who supplied the ones already on file.

A contact point the import wrote before this migration has no record of the file it came from. For
each one of source "client", the supplier is taken to be the client of the debtor's account created
last at or before the contact point (the import writes both in one batch); when no account is that
old, every client of the debtor (the reading the desk had until now). Contact points the agency
learned (from the debtor, an inbound contact, skip tracing) get no client: every client of the
debtor sees them.
"""

from typing import Any

from django.db import migrations, models


def _suppliers(apps: Any, schema_editor: Any) -> None:
    Account = apps.get_model("portfolio", "Account")
    accounts: dict[int, list[tuple[Any, int]]] = {}
    for account in Account.objects.values("debtors", "client_id", "created_at").order_by(
        "created_at", "pk"
    ):
        if account["debtors"] is not None:
            accounts.setdefault(account["debtors"], []).append(
                (account["created_at"], account["client_id"])
            )
    for name, field in (("Phone", "phone_id"), ("Email", "email_id"), ("Address", "address_id")):
        model = apps.get_model("portfolio", name)
        through = model.clients.through
        links = []
        for point in model.objects.filter(source="client").values("pk", "debtor_id", "created_at"):
            owed = accounts.get(point["debtor_id"], [])
            earlier = [client for created, client in owed if created <= point["created_at"]]
            clients = {earlier[-1]} if earlier else {client for _created, client in owed}
            links += [through(**{field: point["pk"], "client_id": c}) for c in sorted(clients)]
            if len(links) >= 5000:
                through.objects.bulk_create(links, ignore_conflicts=True)
                links = []
        through.objects.bulk_create(links, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0002_contact_point_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="address",
            name="clients",
            field=models.ManyToManyField(
                blank=True, related_name="supplied_addresses", to="portfolio.client"
            ),
        ),
        migrations.AddField(
            model_name="email",
            name="clients",
            field=models.ManyToManyField(
                blank=True, related_name="supplied_emails", to="portfolio.client"
            ),
        ),
        migrations.AddField(
            model_name="phone",
            name="clients",
            field=models.ManyToManyField(
                blank=True, related_name="supplied_phones", to="portfolio.client"
            ),
        ),
        migrations.RunPython(_suppliers, migrations.RunPython.noop),
    ]
