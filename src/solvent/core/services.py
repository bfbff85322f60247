"""Writes for the core app: roles, API tokens (scoped, revocable) and failed logins."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.models import ApiToken, LoginFailure, Role, StaffProfile, TokenScope
from solvent.core.selectors import ROLE_CACHE


def _digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scope: TokenScope = TokenScope.READ_WRITE, actor_id: int | None = None
) -> str:
    """Create a token and return it in clear; only its hash is kept."""
    # Hex, not urlsafe base64: the prefix is typed on a command line (`solvent token revoke PREFIX`)
    # and one starting with "-" would be read as an option.
    raw = "slv_" + secrets.token_hex(32)
    token = ApiToken.objects.create(
        user=user, name=name, token_hash=_digest(raw), prefix=raw[4:12], scope=scope
    )
    audit_record(
        action="api_token.create",
        object_type="api_token",
        object_id=token.pk,
        data={"user": user.username, "name": name, "prefix": token.prefix, "scope": scope.value},
        actor_id=actor_id,
    )
    return raw


@dataclass(frozen=True)
class TokenAccess:
    user: User
    scope: TokenScope

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE


def api_token_authenticate(*, raw_token: str) -> User | None:
    access = api_token_access(raw_token=raw_token)
    return access.user if access else None


def api_token_access(*, raw_token: str) -> TokenAccess | None:
    """Who a token acts for and what it may do; None when unknown, revoked or its user inactive."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_digest(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return TokenAccess(user=token.user, scope=TokenScope(token.scope))


@transaction.atomic
def api_token_revoke(*, prefix: str, now: datetime, actor_id: int | None = None) -> int:
    """Revoke the live tokens starting with this prefix; returns how many. Revoked stays revoked."""
    tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(revoked_at=now)
    for token in tokens:
        audit_record(
            action="api_token.revoke",
            object_type="api_token",
            object_id=token.pk,
            data={"prefix": token.prefix, "name": token.name},
            actor_id=actor_id,
        )
    return len(tokens)


@transaction.atomic
def login_failure_record(*, username: str, address: str, now: datetime, refused: bool) -> None:
    """Count a failed login, or one refused because of earlier failures, and audit it."""
    LoginFailure.objects.create(username=username[:150], address=address[:64], failed_at=now)
    audit_record(
        action="login.throttled" if refused else "login.failed",
        system="failed login: no one is signed in",
        object_type="user",
        object_id=username[:64],
        data={"username": username[:150], "address": address[:64]},
    )


def staff_role_set(*, user: User, role: Role) -> StaffProfile:
    profile, _ = StaffProfile.objects.update_or_create(user=user, defaults={"role": role})
    if hasattr(user, ROLE_CACHE):
        delattr(user, ROLE_CACHE)
    return profile
