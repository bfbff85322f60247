"""Reads for the core app."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q

from solvent.core.models import LoginFailure, Role, StaffProfile

# Where a user object keeps its role once read: a request asks four or five times (the frame, the
# role check, the access path), and ``request.user`` is a fresh object on every request.
ROLE_CACHE = "_solvent_staff_role"


def staff_role_get(*, user: User | AnonymousUser) -> Role | None:
    """The user's role; superusers act as admins; users without a profile have none.

    Read once per user object (``staff_role_set`` forgets it on the object it is given).
    """
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    cached: Role | str | None = getattr(user, ROLE_CACHE, "")
    if cached != "":
        return cached  # type: ignore[return-value]
    profile = StaffProfile.objects.filter(user_id=user.pk).only("role").first()
    role = Role(profile.role) if profile else None
    setattr(user, ROLE_CACHE, role)
    return role


def login_is_throttled(*, username: str, address: str, now: datetime) -> bool:
    """True when this username, or this address, failed too often within the window."""
    since = now - timedelta(seconds=settings.SOLVENT_LOGIN_WINDOW_SECONDS)
    # Both counts in one query (every login asks); the OR keeps it on the username and address
    # indexes rather than every failure of the window, which an attack makes large.
    of_user, of_address = Q(username=username[:150]), Q(address=address[:64])
    counts = LoginFailure.objects.filter(
        of_user | of_address, failed_at__gt=since, failed_at__lte=now
    ).aggregate(by_user=Count("pk", filter=of_user), by_address=Count("pk", filter=of_address))
    by_user: int = counts["by_user"]
    by_address: int = counts["by_address"]
    return (
        by_user >= settings.SOLVENT_LOGIN_FAILURES_PER_USER
        or by_address >= settings.SOLVENT_LOGIN_FAILURES_PER_ADDRESS
    )
