"""Background work of the portfolio: running an uploaded placement's import."""

from __future__ import annotations

from django_tasks import task

from solvent.portfolio.imports.services import placement_for_run, placement_run
from solvent.portfolio.models import Placement


@task(queue_name="imports")
def placement_import_task(placement_id: int) -> None:
    """Idempotent: a finished or superseded placement is left alone; an interrupted one is run
    again."""
    placement = placement_for_run(placement_id=placement_id)
    if placement.status in (Placement.Status.DONE, Placement.Status.SUPERSEDED):
        return
    placement_run(placement=placement)
