"""Reads of the contact app: the contact history timeline and template previews.

The timeline is tenant-scoped: a debtor's history is visible to a user only when at least one of
the debtor's accounts is, through ``solvent.portfolio.access``.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from solvent.contact.domain.templates import SAMPLE_VARIABLES, render
from solvent.contact.models import Interaction, OutboxMessage, TemplateVersion
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.access import access_account_get, access_account_queryset


def _visible_debtor_ids(*, user: User | AnonymousUser, debtor_id: int) -> None:
    if not access_account_queryset(user=user).filter(debtors=debtor_id).exists():
        raise NotFoundError(f"debtor {debtor_id} not found")


def interaction_timeline(
    *, user: User | AnonymousUser, debtor_id: int | None = None, account_id: int | None = None
) -> QuerySet[Interaction]:
    """Every interaction on every channel, newest first, for a debtor or for an account's debtors."""
    interactions = Interaction.objects.select_related("agent").order_by("-occurred_at", "-id")
    if account_id is not None:
        account = access_account_get(user=user, account_id=account_id)
        return interactions.filter(debtor__in=account.debtors.all())
    if debtor_id is None:
        raise NotFoundError("name a debtor or an account")
    _visible_debtor_ids(user=user, debtor_id=debtor_id)
    return interactions.filter(debtor_id=debtor_id)


def template_preview(
    *, version_id: int, variables: dict[str, str] | None = None
) -> tuple[str, str]:
    """The subject and body as a debtor would read them, with sample values for what is not given."""
    version = TemplateVersion.objects.get(pk=version_id)
    values = {**SAMPLE_VARIABLES, **(variables or {})}
    return render(version.subject, values), render(version.body, values)


def outbox_dead_letters() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status="dead").order_by("-id")
