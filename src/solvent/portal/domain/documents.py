"""What a debtor may upload with a dispute: a PDF, JPEG or PNG of at most 5 MB, known by its first
bytes (its content), not by the name or the type the browser claims."""

from __future__ import annotations

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def document_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) for a file starting with ``head``, or None when it is none of
    the kinds we take."""
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None
