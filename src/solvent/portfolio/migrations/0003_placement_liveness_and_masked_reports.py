"""Placement liveness (heartbeat, progress, run number, superseded) and masked stored error reports.

Schema: the fields and statuses of ADR 0019 (stale imports). Data: every stored error report is
rewritten through the report's masking, so dates of birth and national ids that reports written
before masking (ADR 0018) still hold in plain text leave the database; the row, column and reason
of each line stay. A run that was RUNNING before this migration gets `rows_done` from its committed
counters, so it can be detected as stale and resumed like any other.
"""

from django.db import migrations, models
from django.db.models import F

from solvent.portfolio.imports.report import report_text_masked


def error_reports_mask(apps, schema_editor):
    """Rewrite every stored report through `report_text_masked` (idempotent: masked stays masked)."""
    placement_model = apps.get_model("portfolio", "Placement")
    stored = (
        placement_model.objects.exclude(error_report="")
        .only("pk", "error_report")
        .order_by("pk")
        .iterator(chunk_size=20)
    )
    for placement in stored:
        masked = report_text_masked(placement.error_report)
        if masked != placement.error_report:
            placement_model.objects.filter(pk=placement.pk).update(error_report=masked)


def running_progress_fill(apps, schema_editor):
    placement_model = apps.get_model("portfolio", "Placement")
    placement_model.objects.filter(status="running").update(
        rows_done=F("rows_imported") + F("rows_rejected")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0002_contact_point_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="placement",
            name="rows_done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="placement",
            name="attempt",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="placement",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="placement",
            name="worker_host",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="placement",
            name="worker_pid",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="placement",
            name="superseded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="+",
                to="portfolio.placement",
            ),
        ),
        migrations.AlterField(
            model_name="placement",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                    ("stale", "Stale"),
                    ("superseded", "Superseded"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.RunPython(running_progress_fill, migrations.RunPython.noop),
        migrations.RunPython(error_reports_mask, migrations.RunPython.noop),
    ]
