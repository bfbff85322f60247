"""Recording a trained model: the one write both learned models (best time, propensity) share."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from solvent.analytics.models import ModelRun
from solvent.audit.services import audit_record
from solvent.core import clock


def model_run_record(
    *,
    kind: ModelRun.Kind,
    dates: tuple[date, date, date],
    rows: tuple[int, int],
    parameters: dict[str, Any],
    validation: dict[str, Any],
    activate: bool,
    note: str,
    figures: dict[str, Any],
    actor_id: int | None,
) -> ModelRun:
    """Store a run (history_from, cutoff, history_to; rows trained on and tested), make it the
    active one of its kind when ``activate`` (the old one is switched off in the same transaction),
    and audit it with ``figures`` (the few validation numbers worth reading in the log)."""
    history_from, cutoff, history_to = dates
    with transaction.atomic():
        if activate:
            ModelRun.objects.select_for_update().filter(kind=kind, active=True).update(active=False)
        run = ModelRun.objects.create(
            kind=kind,
            trained_at=clock.now(),
            trained_by_id=actor_id,
            history_from=history_from,
            cutoff=cutoff,
            history_to=history_to,
            rows_train=rows[0],
            rows_test=rows[1],
            parameters=parameters,
            validation=validation,
            active=activate,
            note=note,
        )
        audit_record(
            action="analytics.model_trained",
            object_type="analytics.ModelRun",
            object_id=run.pk,
            data={
                "kind": kind.value,
                "cutoff": cutoff.isoformat(),
                "rows_train": rows[0],
                "rows_test": rows[1],
                **figures,
                "active": activate,
            },
            actor_id=actor_id,
            system="" if actor_id is not None else "solvent models train",
        )
    return run
