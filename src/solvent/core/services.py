"""Writes for the core app: roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction

from solvent.core import clock
from solvent.core.models import ApiToken, Role, StaffProfile


def _digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> str:
    """Create a token and return it in clear; only its hash is kept."""
    raw = "slv_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, token_hash=_digest(raw), prefix=raw[4:12])
    return raw


def api_token_authenticate(*, raw_token: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_digest(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user


def staff_role_set(*, user: User, role: Role) -> StaffProfile:
    profile, _ = StaffProfile.objects.update_or_create(user=user, defaults={"role": role})
    return profile
