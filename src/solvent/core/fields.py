"""Model fields for personal data: stored encrypted, read back as plain text in Python."""

from __future__ import annotations

from typing import Any

from django.db import models

from solvent.core.crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Encrypted at rest (AES-256-GCM; older values Fernet, both read: core.crypto); cannot be
    filtered on (use a keyed-hash column beside it)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
