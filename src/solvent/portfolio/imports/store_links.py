"""Linking a batch's accounts to their debtors: one primary per account, whatever the file says.

A re-import that names another person (a different national id) as an account's primary debtor or
co-signer replaces the one linked before: the old link is removed and audited, never left beside
the new one, so an account never has two primary debtors (ADR 0036). The old debtor, their contact
history and their other accounts stay as they are. A row without a co-signer removes nobody: a
file that leaves a column empty says nothing about it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solvent.audit.services import audit_record
from solvent.portfolio.imports.store import Batch
from solvent.portfolio.imports.store_people import CO_SIGNER, PRIMARY, Linked, debtor_id_of
from solvent.portfolio.models import AccountDebtor

if TYPE_CHECKING:
    from solvent.portfolio.imports.store import Writer

_REPLACED = "placement import: the client's file names another person in this role on the account"


def links_write(
    batch: Batch,
    writer: Writer,
    *,
    ids: dict[str, int],
    existing: dict[str, int],
    linked: Linked,
) -> None:
    """Link every row's account to its debtor and co-signer; unlink the ones they replace."""
    fresh: list[tuple[int, int, str]] = []
    known: list[tuple[int, int, str]] = []
    wanted: dict[int, dict[str, int]] = {}
    for row, (debtor, cosigner) in zip(batch.rows, batch.links, strict=True):
        account_id = ids[row.account.account_number]
        target = known if row.account.account_number in existing else fresh
        roles = {PRIMARY: debtor_id_of(debtor)}
        if cosigner is not None and cosigner.debtor_id != debtor.debtor_id:
            roles[CO_SIGNER] = debtor_id_of(cosigner)
        target.extend((account_id, debtor_id, role) for role, debtor_id in roles.items())
        wanted[account_id] = roles
    replaced = [
        (link_id, account_id, debtor_id, role, wanted[account_id][role])
        for account_id in existing.values()
        for link_id, debtor_id, role, _, _ in linked.get(account_id, ())
        if role in wanted[account_id] and debtor_id not in wanted[account_id].values()
    ]
    if replaced:
        AccountDebtor.objects.filter(pk__in=[link[0] for link in replaced]).delete()
    writer.links_insert(fresh, may_exist=False)
    writer.links_insert(known, may_exist=True)
    for _, account_id, debtor_id, role, successor in replaced:
        audit_record(
            action="account.debtor_replaced",
            object_type="account",
            object_id=account_id,
            data={
                "debtor_id": debtor_id,
                "role": role,
                "replaced_by": successor,
                "placement_id": batch.placement_id,
            },
            system=_REPLACED,
        )
