"""A legal flag in a creditor's file becomes a hold: one source of truth for cease, attorney,
bankruptcy and deceased (issue 11, docs/adr/0028-desk-newcomer-fixes.md).

The import sets the debtor's flag (what the client's file said); ``holds_from_flags`` then opens a
hold of that kind, source "placement", for every flagged debtor without an open one, in the
import's transaction. The agent sees the hold, a compliance officer lifts it like any other, and
lifting the last open hold of a kind clears the flag (``flag_clear_on_release``). The engine still
reads the flags too: a flag without a hold (written by hand in the database) blocks all the same,
so the engine fails closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Exists, OuterRef

from solvent.compliance.engine_input.values import FLAG_HOLDS
from solvent.compliance.models import Hold
from solvent.compliance.services.common import audit
from solvent.core import clock
from solvent.portfolio.models import Debtor

# The debtor's flag and the hold kind it stands for: the engine's own FLAG_HOLDS, as Hold kinds.
FLAG_KINDS: tuple[tuple[str, str], ...] = tuple(
    (flag, Hold.Kind(kind.value)) for flag, kind in FLAG_HOLDS
)
PLACEMENT_SOURCE = "placement"


def holds_from_flags(*, debtor_ids: Sequence[int]) -> list[Hold]:
    """Open the hold each flag of these debtors stands for, where none is open. Idempotent."""
    created: list[Hold] = []
    now = clock.now()
    ids = sorted(set(debtor_ids))
    for flag, kind in FLAG_KINDS:
        open_hold = Hold.objects.filter(
            debtor_id=OuterRef("pk"), kind=kind, released_at__isnull=True
        )
        flagged = (
            Debtor.objects.filter(pk__in=ids, **{flag: True})
            .exclude(Exists(open_hold))
            .values_list("pk", "attorney_name")
        )
        created.extend(
            Hold(
                debtor_id=pk,
                kind=kind,
                source=PLACEMENT_SOURCE,
                evidence=(
                    f"the client's placement file: attorney {name}".strip()
                    if kind == Hold.Kind.ATTORNEY and name
                    else "the client's placement file"
                ),
                placed_at=now,
            )
            for pk, name in flagged
        )
    if created:
        created = Hold.objects.bulk_create(created)
        audit(
            "compliance.holds_from_placement",
            created[0],
            {"holds": [[hold.pk, hold.debtor_id, hold.kind] for hold in created]},
        )
    return created


def flag_clear_on_release(hold: Hold) -> None:
    """The last open hold of a flag's kind was lifted: the flag goes too (else it still blocks)."""
    flag = next((name for name, kind in FLAG_KINDS if kind == hold.kind), None)
    if flag is None:
        return
    still_open = Hold.objects.filter(
        debtor_id=hold.debtor_id, kind=hold.kind, released_at__isnull=True
    ).exclude(pk=hold.pk)
    if not still_open.exists():
        Debtor.objects.filter(pk=hold.debtor_id).update(**{flag: False})
