from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0003_contact_point_clients"),
        ("portfolio", "0003_placement_liveness_and_masked_reports"),
    ]

    operations: list[migrations.operations.base.Operation] = []
