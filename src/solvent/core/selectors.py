"""Reads for the core app."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from solvent.core.models import Role, StaffProfile


def staff_role_get(*, user: User | AnonymousUser) -> Role | None:
    """The user's role; superusers act as admins; users without a profile have none."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    profile = StaffProfile.objects.filter(user_id=user.pk).only("role").first()
    return Role(profile.role) if profile else None
