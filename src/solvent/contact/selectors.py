"""Reads of the contact app: the contact history timeline and template previews.

The timeline is tenant-scoped through ``solvent.portfolio.access``: a debtor's history is visible
to a user only when one of the debtor's accounts is, and of a debtor who also owes another client,
only the contacts about the user's accounts (ADR 0022).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from solvent.contact.domain.templates import SAMPLE_VARIABLES, render
from solvent.contact.models import Interaction, OutboxMessage, TemplateVersion
from solvent.portfolio.access import (
    DebtorAccess,
    RecordScope,
    access_account_by_id,
    access_filter_attributed,
    access_record_scope,
)


def interaction_timeline(*, access: DebtorAccess) -> QuerySet[Interaction]:
    """Every interaction on every channel the user may see, newest first, for one debtor."""
    interactions = Interaction.objects.select_related("agent").filter(debtor=access.debtor)
    return access_filter_attributed(interactions, access.scope).order_by("-occurred_at", "-id")


def account_timeline(
    *, user: User | AnonymousUser, account_id: int
) -> tuple[QuerySet[Interaction], RecordScope]:
    """The interactions with an account's debtors that the user may see, and the response's scope."""
    account = access_account_by_id(user=user, account_id=account_id)
    debtor_ids = list(account.debtors.values_list("pk", flat=True))
    scope = access_record_scope(user=user, debtor_ids=debtor_ids)
    interactions = Interaction.objects.select_related("agent").filter(debtor__in=debtor_ids)
    return (
        access_filter_attributed(interactions, scope).order_by("-occurred_at", "-id"),
        scope,
    )


def template_preview(
    *, version_id: int, variables: dict[str, str] | None = None
) -> tuple[str, str]:
    """The subject and body as a debtor would read them, with sample values for what is not given."""
    version = TemplateVersion.objects.get(pk=version_id)
    values = {**SAMPLE_VARIABLES, **(variables or {})}
    return render(version.subject, values), render(version.body, values)


def outbox_dead_letters() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status="dead").order_by("-id")
