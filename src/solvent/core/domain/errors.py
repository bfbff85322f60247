"""Domain errors: every rule violation that reaches a person carries a stable code and a message."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every business error; the API and the pages map `code` to a response."""

    code: str = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFoundError(DomainError):
    code = "not_found"


class PermissionDeniedError(DomainError):
    code = "permission_denied"


class ValidationError(DomainError):
    code = "validation_error"
