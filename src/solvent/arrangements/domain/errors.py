"""The arrangements' refusals: each names the field a person must change."""

from __future__ import annotations

from solvent.core.domain.errors import ValidationError


class FieldError(ValidationError):
    """A value refused, with the form field it came from (the desk shows the message beside it)."""

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(f"{field}: {message}", code=code or f"invalid_{field}")
        self.field = field
        self.reason = message
