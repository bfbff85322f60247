"""People: each user has one role; API tokens for integrators; failed logins, for throttling."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "Collector / agent"
    SUPERVISOR = "supervisor", "Supervisor"
    STRATEGY_MANAGER = "strategy_manager", "Strategy manager"
    COMPLIANCE_OFFICER = "compliance_officer", "Compliance officer"
    ADMIN = "admin", "Operations / admin"
    CLIENT_VIEWER = "client_viewer", "Client viewer"


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.AGENT)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class TokenScope(models.TextChoices):
    """What a token may do: read (GET, HEAD, OPTIONS) or also write."""

    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


class ApiToken(models.Model):
    """Only a hash of the token is stored; the token itself is shown once, when created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Tokens made before scopes existed could write; they keep that (ADR 0017).
    scope = models.CharField(
        max_length=16, choices=TokenScope.choices, default=TokenScope.READ_WRITE
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """One failed or refused login: counted per username and per address over a window."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    failed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.failed_at:%Y-%m-%d %H:%M}"
