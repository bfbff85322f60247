"""Every legal flag already set on a debtor opens its hold (ADR 0028): one source of truth."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

FLAG_KINDS = (
    ("cease_communication", "cease"),
    ("attorney_represented", "attorney"),
    ("in_bankruptcy", "bankruptcy"),
    ("is_deceased", "deceased"),
)


def forwards(apps: Any, schema_editor: Any) -> None:
    debtor_model = apps.get_model("portfolio", "Debtor")
    hold_model = apps.get_model("compliance", "Hold")
    now = timezone.now()
    for flag, kind in FLAG_KINDS:
        held = hold_model.objects.filter(kind=kind, released_at__isnull=True).values("debtor_id")
        flagged = debtor_model.objects.filter(**{flag: True}).exclude(pk__in=held)
        hold_model.objects.bulk_create(
            [
                hold_model(
                    debtor_id=pk,
                    kind=kind,
                    source="placement",
                    evidence="the client's placement file (flag set before holds were opened)",
                    placed_at=now,
                )
                for pk in flagged.values_list("pk", flat=True).iterator()
            ],
            batch_size=1000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0004_merge_second_pass"),
        ("portfolio", "0004_merge_trust"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
