"""Reads for the core app."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User

from solvent.core.models import LoginFailure, Role, StaffProfile


def staff_role_get(*, user: User | AnonymousUser) -> Role | None:
    """The user's role; superusers act as admins; users without a profile have none."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    profile = StaffProfile.objects.filter(user_id=user.pk).only("role").first()
    return Role(profile.role) if profile else None


def login_is_throttled(*, username: str, address: str, now: datetime) -> bool:
    """True when this username, or this address, failed too often within the window."""
    since = now - timedelta(seconds=settings.SOLVENT_LOGIN_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(failed_at__gt=since, failed_at__lte=now)
    by_user = recent.filter(username=username[:150]).count()
    if by_user >= settings.SOLVENT_LOGIN_FAILURES_PER_USER:
        return True
    by_address = recent.filter(address=address[:64]).count()
    return by_address >= settings.SOLVENT_LOGIN_FAILURES_PER_ADDRESS
