"""`check --deploy` says when the audit chain cannot be sealed (no usable SOLVENT_AUDIT_KEY)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error

from solvent.audit.keys import KEY_VARIABLE, audit_key_problem


def audit_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problem = audit_key_problem()
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint=f"Set {KEY_VARIABLE} in the environment; every audit append is refused without it.",
            id="solvent.audit.E001",
        )
    ]
