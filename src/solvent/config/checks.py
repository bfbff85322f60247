"""Solvent's own system checks: the secrets Django's `check --deploy` does not know about.

Registered by the core app. `solvent check --deploy` reports a missing or unusable field key as an
error, and says when the process runs on the demo's or the tests' keys.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

MISSING_FIELD_KEY = "solvent.E001"
MISSING_SECRET_KEY = "solvent.E002"  # noqa: S105 - a check id, not a secret
DEVELOPMENT_KEYS = "solvent.W001"
NO_CONTENT_SECURITY_POLICY = "solvent.W002"


@register(Tags.security, deploy=True)
def secrets_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not getattr(settings, "SOLVENT_FIELD_KEY", ""):
        messages.append(
            Error(
                "SOLVENT_FIELD_KEY is not set: dates of birth and national ids cannot be encrypted.",
                hint="Set SOLVENT_FIELD_KEY to a Fernet key (see docs/operations.md, Configuration).",
                id=MISSING_FIELD_KEY,
            )
        )
    if not _secret_key_set():
        messages.append(
            Error(
                "SECRET_KEY is not set: sessions, CSRF tokens and unsubscribe links can be forged.",
                hint="Set SECRET_KEY to 50 or more random characters.",
                id=MISSING_SECRET_KEY,
            )
        )
    source = getattr(settings, "SOLVENT_KEY_SOURCE", "environment")
    if source in {"demo", "tests"}:
        messages.append(
            Warning(
                f"Running on {source} keys, not keys from the environment.",
                hint="Fine for `solvent demo` and the tests; never for real data.",
                id=DEVELOPMENT_KEYS,
            )
        )
    if not getattr(settings, "SOLVENT_CONTENT_SECURITY_POLICY", ""):
        messages.append(
            Warning(
                "No Content-Security-Policy is sent.",
                hint="Unset SOLVENT_CONTENT_SECURITY_POLICY to get the default policy.",
                id=NO_CONTENT_SECURITY_POLICY,
            )
        )
    return messages


def _secret_key_set() -> bool:
    # Django raises on reading an empty SECRET_KEY.
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:
        return False
