"""Helpers shared by the compliance services: argument checks, the debtor lookup, audit entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Model

from solvent.audit.services import audit_record
from solvent.compliance.domain.chat import CHAT_POINT_PREFIX, is_chat_point
from solvent.compliance.models import Channel, Consent, DebtNotice, Hold, TimePreference
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Account, Debtor

CHANNELS = frozenset(Channel.values)
# Kinds a person may place; medium opt-outs are written by consent_revoke.
HOLD_KINDS = frozenset(Hold.Kind.values) - {Hold.Kind.MEDIUM_OPT_OUT}
CONSENT_SCOPES = frozenset(Consent.Scope.values)
TIME_PREFERENCE_KINDS = frozenset(TimePreference.Kind.values)
NOTICE_KINDS = frozenset(DebtNotice.Kind.values)


def audit(action: str, row: Model, data: dict[str, Any], actor_id: int | None = None) -> None:
    """An audit entry about ``row``, in the caller's transaction."""
    object_type = f"compliance.{type(row).__name__}"
    audit_record(
        action=action, object_type=object_type, object_id=row.pk, data=data, actor_id=actor_id
    )


def aware(at: datetime | None) -> datetime | None:
    """Naive datetimes are refused: a contact's lawfulness depends on the exact instant."""
    if at is not None and at.utcoffset() is None:
        raise ValidationError(
            f"naive datetime {at.isoformat()}: give a UTC offset", code="naive_datetime"
        )
    return at


def require(value: str, allowed: frozenset[str], field: str) -> None:
    if value not in allowed:
        raise ValidationError(
            f"{field} must be one of {', '.join(sorted(allowed))}; got {value!r}",
            code=f"invalid_{field}",
        )


def chat_point_check(channel: str, contact_point: str) -> None:
    """A chat goes to ``chat:<conversation id>`` and nothing else goes there (ADR 0031)."""
    if channel == Channel.CHAT and not is_chat_point(contact_point):
        raise ValidationError(
            f"contact_point for a chat must be chat:<conversation id>; got {contact_point!r}",
            code="invalid_contact_point",
        )
    if channel != Channel.CHAT and contact_point.startswith(CHAT_POINT_PREFIX):
        raise ValidationError(
            f"contact_point {contact_point!r} is a chat: only channel chat reaches it",
            code="invalid_contact_point",
        )


def debtor_or_404(debtor_id: int) -> Debtor:
    debtor = Debtor.objects.filter(pk=debtor_id).first()
    if debtor is None:
        raise NotFoundError(f"debtor {debtor_id} not found")
    return debtor


def owed_accounts_check(
    debtor_id: int, account_ids: Sequence[int], owed: Sequence[Account]
) -> list[int]:
    """The requested account ids, sorted, when each is a debt of the debtor; else NotFoundError."""
    wanted = sorted(set(account_ids))
    found = {account.pk for account in owed}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise NotFoundError(f"accounts {missing} are not debts of debtor {debtor_id}")
    return wanted
